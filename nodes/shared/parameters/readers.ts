/**
 * Reads the parameters both nodes share (model, generation settings, safety settings, request
 * options) for one item, checked before anything is sent; every error names the item and the
 * field the user has to fix.
 */
import type { IDataObject } from 'n8n-workflow';

import type { GenerateContentRequest } from '../gemini/types';
import type { NodeContext } from '../runtime/context';
import { parameterError } from '../runtime/errors';
import { MAX_TIMER_MS } from '../runtime/wait';
import type { RequestOptions } from '../transport/generate-stream';
import { BASE_RETRY_DELAY_MS } from '../transport/retry-policy';
import { checkedChoice, checkedNumber, type NumberRule, shown } from './checks';
import {
	BUILT_IN_TOOL_NAMES,
	DEFAULT_MODEL,
	defaultsOf,
	HARM_CATEGORY_VALUES,
	HARM_THRESHOLD_VALUES,
	requestOptions,
	SERVICE_TIER_VALUES,
} from './descriptions';
import { nodeParameter } from './node-parameter';

/**
 * Gemini's model IDs are a few dozen characters (a tuned model's at most 40,
 * https://ai.google.dev/api/tuning#TunedModel); a longer one is an expression gone wrong, and
 * would make a request line servers refuse or cut.
 */
const MAX_MODEL_ID_CHARS = 256;

function normalizeModel(ctx: NodeContext, itemIndex: number, value: unknown): string {
	const model = String(value ?? '')
		.trim()
		.replace(/^models\//, '');
	if (model === '') {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Model',
			'is empty',
			'Pick a model from the list, or give an ID such as gemini-3-pro-preview.',
		);
	}
	if (model.length > MAX_MODEL_ID_CHARS) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Model',
			`is ${model.length} characters long; a model ID has at most ${MAX_MODEL_ID_CHARS}`,
			'Check the expression that gives the model ID; IDs look like gemini-3-pro-preview.',
		);
	}
	if (!/^[\w.-]+$/.test(model)) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Model',
			`is not a model ID: "${model}"`,
			'Use an ID such as gemini-3-pro-preview or models/gemini-3-pro-preview.',
		);
	}
	return model;
}

/** The Model parameter (list or ID), as the ID the API path takes. */
export function readModel(ctx: NodeContext, itemIndex: number): string {
	return normalizeModel(
		ctx,
		itemIndex,
		nodeParameter(ctx, 'model', itemIndex, DEFAULT_MODEL, { extractValue: true }),
	);
}

/** The Safety Settings parameter -> `safetySettings`, or undefined when none is set. */
export function safetySettingsOf(ctx: NodeContext, itemIndex: number): IDataObject[] | undefined {
	const safety = nodeParameter(ctx, 'safetySettings.values', itemIndex, []) as IDataObject[];
	if (safety.length === 0) return undefined;
	return safety.map(({ category, threshold }, index) => {
		const check = (field: string, value: unknown, choices: string[]) => {
			if (typeof value === 'string' && choices.includes(value)) return value;
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				'Safety Settings',
				`has the unknown ${field} ${JSON.stringify(value)} in setting ${index + 1}`,
				`Use one of ${choices.join(', ')}.`,
			);
		};
		return {
			category: check('category', category, HARM_CATEGORY_VALUES),
			threshold: check('threshold', threshold, HARM_THRESHOLD_VALUES),
		};
	});
}

/**
 * The defaults of the request options, applied to an option not added. Exported so that tests
 * can scale the waits down, through the built core (test/harness/n8n.ts `scaledWaits`).
 */
export const REQUEST_OPTION_DEFAULTS = defaultsOf(requestOptions);

/**
 * How long an answer may take to start, by the tier asked for, when Idle Timeout is not set
 * (an Idle Timeout the user set applies as it is). Flex answers in "Minutes (1–15 min target)",
 * on spare capacity, and may wait in Google's queue before its first byte; Google asks clients
 * to wait 10 minutes or more (https://ai.google.dev/gemini-api/docs/generate-content/flex-inference).
 * Idle Timeout's default, 120 s, would cut most of them off. Once the answer has started, Idle
 * Timeout applies between its pieces as on any tier. Standard and Priority wait as before.
 * Exported so that tests can scale it down, like the defaults above.
 */
export const TIER_START_WAITS: Record<string, number> = { flex: 15 * 60_000 };

const REQUEST_OPTION_RULES: Record<string, NumberRule> = {
	maxRetries: { field: 'Max Retries', min: 0, integer: true },
	maxRetryDelay: { field: 'Max Retry Delay', min: 0 },
	timeout: { field: 'Timeout', min: 0 },
	idleTimeout: { field: 'Idle Timeout', min: 0 },
	maxEventSize: { field: 'Max Event Size (MB)', min: 0.001 },
	maxResponseSize: { field: 'Max Response Size (MB)', min: 0.001 },
	maxRateLimitWait: { field: 'Max Rate Limit Wait', min: 0 },
	requestsPerMinute: { field: 'Requests per Minute', min: 0 },
};

const MB = 1024 * 1024;

/**
 * Requests per Minute paces a little under the quota: a request reaches the API a few ms
 * after the node starts it, unevenly, and two that arrive closer than they left could count in
 * one window.
 */
const RPM_MARGIN = 1.02;

/**
 * A time limit as the transport takes it: 0, or more than a timer can hold (users type huge
 * numbers to mean "never"), is no limit.
 */
function timerOf(ms: number): number {
	return ms === 0 || ms > MAX_TIMER_MS ? Number.POSITIVE_INFINITY : ms;
}

/** The Options collection of an item. */
export function optionsOf(ctx: NodeContext, itemIndex: number): IDataObject {
	return nodeParameter(ctx, 'options', itemIndex, {}) as IDataObject;
}

/**
 * Timeouts, size limits and retries; an option not added keeps its default, but for the wait
 * before the answer starts, which follows the Service Tier when Idle Timeout is not added.
 */
export function readRequestOptions(
	ctx: NodeContext,
	itemIndex: number,
	options: IDataObject = optionsOf(ctx, itemIndex),
): RequestOptions {
	const read = (key: string) =>
		checkedNumber(
			ctx,
			itemIndex,
			options[key] ?? REQUEST_OPTION_DEFAULTS[key],
			REQUEST_OPTION_RULES[key],
			'option',
		);
	const perMinute = read('requestsPerMinute');
	const idleTimeout = timerOf(read('idleTimeout'));
	// "Not set" is an option not added: one added with its default value is the user's.
	const tierStart =
		options.idleTimeout === undefined
			? TIER_START_WAITS[serviceTierOf(ctx, itemIndex, options) ?? '']
			: undefined;
	return {
		limits: {
			timeout: timerOf(read('timeout')),
			startTimeout: Math.max(idleTimeout, tierStart ?? 0),
			idleTimeout,
			maxResponseBytes: Math.round(read('maxResponseSize') * MB),
		},
		maxEventChars: Math.round(read('maxEventSize') * MB),
		retry: {
			maxRetries: read('maxRetries'),
			maxRetryDelay: Math.min(read('maxRetryDelay'), MAX_TIMER_MS),
			baseDelay: BASE_RETRY_DELAY_MS,
			maxRateLimitWait: read('maxRateLimitWait'),
		},
		minIntervalMs: perMinute > 0 ? (60_000 / perMinute) * RPM_MARGIN : 0,
	};
}

/** The built-in tools switched on in the Tools collection, as `tools` entries. */
export function builtInToolsOf(ctx: NodeContext, itemIndex: number): IDataObject[] {
	const tools = nodeParameter(ctx, 'tools', itemIndex, {}) as IDataObject;
	return BUILT_IN_TOOL_NAMES.filter((name) => tools[name] === true).map((name) => ({ [name]: {} }));
}

/**
 * Service Tier as the API takes it (lowercase), or undefined when the option is not added or an
 * expression gave nothing for this item; any other value fails the item, naming the field.
 */
export function serviceTierOf(
	ctx: NodeContext,
	itemIndex: number,
	options: IDataObject = optionsOf(ctx, itemIndex),
): string | undefined {
	const value = options.serviceTier;
	if (value === undefined || value === null || value === '') return undefined;
	return checkedChoice(ctx, itemIndex, value, 'Service Tier', SERVICE_TIER_VALUES);
}

const CACHE_PREFIX = 'cachedContents/';

/**
 * A cache's name as the API takes it, "Format: `cachedContents/{cachedContent}`"
 * (https://ai.google.dev/api/generate-content#request-body). A bare ID gets the prefix, as
 * Google's SDK does (`@google/genai` 3.1.0, `tCachedContentName` -> `resourceName`, for the
 * Gemini API); the IDs the API makes are letters and digits (`cachedContents/ez2yh6u6my9g…`).
 */
const CACHE_NAME = /^cachedContents\/[\w.-]+$/;

/**
 * Cached Content as the API takes it, or undefined when empty or not added; a value that is no
 * cache name (Vertex AI's `projects/…/cachedContents/…`, a URL, text with spaces) fails the
 * item, naming the field.
 */
export function cachedContentOf(
	ctx: NodeContext,
	itemIndex: number,
	options: IDataObject = optionsOf(ctx, itemIndex),
): string | undefined {
	const value = options.cachedContent;
	if (value === undefined || value === null) return undefined;
	const fail = (problem: string) =>
		parameterError(
			ctx.getNode(),
			itemIndex,
			'Cached Content',
			problem,
			"Give the name the API returned when the cache was made, cachedContents/<id>, or the ID alone. (Vertex AI's projects/…/cachedContents/… names are not for this API.)",
		);
	if (typeof value !== 'string') throw fail(`must be a cache name, not ${shown(value)}`);
	const name = value.trim();
	if (name === '') return undefined;
	const full = name.includes('/') ? name : `${CACHE_PREFIX}${name}`;
	if (!CACHE_NAME.test(full))
		throw fail(`is not a cache name of the form cachedContents/<id>: ${shown(name)}`);
	return full;
}

/**
 * The request fields among the options, `cachedContent` and `serviceTier`, checked; only those
 * set, so a request without them is as it was.
 */
export function requestFieldsOf(
	ctx: NodeContext,
	itemIndex: number,
	options: IDataObject = optionsOf(ctx, itemIndex),
): Pick<GenerateContentRequest, 'cachedContent' | 'serviceTier'> {
	const cachedContent = cachedContentOf(ctx, itemIndex, options);
	const serviceTier = serviceTierOf(ctx, itemIndex, options);
	return {
		...(cachedContent !== undefined ? { cachedContent } : {}),
		...(serviceTier !== undefined ? { serviceTier } : {}),
	};
}
