/**
 * Reads the parameters both nodes share (model, generation settings, safety settings, request
 * options) for one item, checked before anything is sent; every error names the item and the
 * field the user has to fix.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isPlainObject } from '../gemini/plain-object';
import type { StreamLimits } from '../transport/http-stream';
import { BASE_RETRY_DELAY_MS, type RetryPolicy } from '../transport/retry-policy';
import type { NodeContext } from './context';
import { DEFAULT_MODEL, defaultsOf, requestOptions } from './descriptions';
import { parameterError } from './errors';
import { parseJsonParameterOf } from './json-parameter';
import { MAX_TIMER_MS } from './wait';

/** Keys of the `generationConfig` collection sent as they are. */
const PLAIN_CONFIG_KEYS = [
	'temperature',
	'topP',
	'topK',
	'maxOutputTokens',
	'candidateCount',
	'stopSequences',
	'seed',
	'presencePenalty',
	'frequencyPenalty',
	'responseMimeType',
	'responseSchema',
] as const;

const THINKING_KEYS = ['includeThoughts', 'thinkingBudget', 'thinkingLevel'] as const;

function deepMerge(target: IDataObject, source: IDataObject): IDataObject {
	for (const [key, value] of Object.entries(source)) {
		const current = target[key];
		target[key] =
			isPlainObject(current) && isPlainObject(value) ? deepMerge({ ...current }, value) : value;
	}
	return target;
}

export function normalizeModel(ctx: NodeContext, itemIndex: number, value: unknown): string {
	const model = String(value ?? '')
		.trim()
		.replace(/^models\//, '');
	if (model === '') throw parameterError(ctx.getNode(), itemIndex, 'Model', 'is empty');
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
		ctx.getNodeParameter('model', itemIndex, DEFAULT_MODEL, { extractValue: true }),
	);
}

function stopSequences(ctx: NodeContext, itemIndex: number, value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	if (typeof value !== 'string') {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Stop Sequences',
			'must be text or an array of text',
		);
	}
	return value.split(/\r?\n/).filter((line) => line !== '');
}

/** The Generation Config collection -> `generationConfig`, or undefined when nothing is set. */
export function generationConfig(ctx: NodeContext, itemIndex: number): IDataObject | undefined {
	const input = ctx.getNodeParameter('generationConfig', itemIndex, {}) as IDataObject;
	const config: IDataObject = {};
	for (const key of PLAIN_CONFIG_KEYS) {
		if (input[key] === undefined) continue;
		if (key === 'stopSequences') config[key] = stopSequences(ctx, itemIndex, input[key]);
		else if (key === 'responseSchema') {
			config[key] = parseJsonParameterOf(ctx, itemIndex, 'Response Schema', input[key], 'object');
		} else config[key] = input[key];
	}
	const thinkingConfig: IDataObject = {};
	for (const key of THINKING_KEYS) {
		if (input[key] !== undefined) thinkingConfig[key] = input[key];
	}
	if (Object.keys(thinkingConfig).length > 0) config.thinkingConfig = thinkingConfig;
	if (input.extraJson !== undefined && input.extraJson !== '') {
		const extra = parseJsonParameterOf(
			ctx,
			itemIndex,
			'Extra Generation Config (JSON)',
			input.extraJson,
			'object',
		) as IDataObject;
		deepMerge(config, extra);
	}
	checkThinking(ctx, itemIndex, config.thinkingConfig);
	return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * The API refuses a thinking budget and a thinking level together ("You can only set only one
 * of thinking budget and thinking level", seen from gemini-flash-latest); which one a model
 * takes depends on its family (https://ai.google.dev/gemini-api/docs/thinking).
 */
function checkThinking(ctx: NodeContext, itemIndex: number, thinking: unknown): void {
	if (!isPlainObject(thinking)) return;
	if (thinking.thinkingBudget === undefined || thinking.thinkingLevel === undefined) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`"Thinking Budget" and "Thinking Level" of item ${itemIndex} are both set; the API takes only one`,
		{
			itemIndex,
			description:
				'Gemini 3 models take a Thinking Level (minimal, low, medium or high); Gemini 2.5 models take a Thinking Budget in tokens. Remove the one your model does not take (check Extra Generation Config too).',
		},
	);
}

/** The Safety Settings parameter -> `safetySettings`, or undefined when none is set. */
export function safetySettingsOf(ctx: NodeContext, itemIndex: number): IDataObject[] | undefined {
	const safety = ctx.getNodeParameter('safetySettings.values', itemIndex, []) as IDataObject[];
	if (safety.length === 0) return undefined;
	return safety.map(({ category, threshold }) => ({ category, threshold }));
}

/** How one request is bounded and retried; the same for both nodes. */
export interface RequestOptions {
	limits: StreamLimits;
	/** Largest single SSE event, in characters. */
	maxEventChars: number;
	retry: RetryPolicy;
	/** Least time between the starts of two requests (Requests per Minute), in ms; 0 = none. */
	minIntervalMs: number;
}

export interface NumberRule {
	field: string;
	min: number;
	integer?: boolean;
}

/** A number option, or its default when not added, checked against its rule. */
export function numberOption(
	ctx: NodeContext,
	itemIndex: number,
	value: unknown,
	fallback: unknown,
	rule: NumberRule,
): number {
	const number = Number(value ?? fallback);
	if (
		!Number.isFinite(number) ||
		number < rule.min ||
		(rule.integer && !Number.isInteger(number))
	) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			rule.field,
			`must be ${rule.integer ? 'a whole number' : 'a number'} of at least ${rule.min}`,
		);
	}
	return number;
}

const REQUEST_OPTION_DEFAULTS = defaultsOf(requestOptions);

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
 * after the node starts it (n8n's helper applies the credential first), unevenly, and two that
 * arrive closer than they left could count in one window.
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
	return ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

/** Timeouts, size limits and retries; an option not added keeps its default. */
export function readRequestOptions(
	ctx: NodeContext,
	itemIndex: number,
	options: IDataObject = optionsOf(ctx, itemIndex),
): RequestOptions {
	const read = (key: string) =>
		numberOption(
			ctx,
			itemIndex,
			options[key],
			REQUEST_OPTION_DEFAULTS[key],
			REQUEST_OPTION_RULES[key],
		);
	const perMinute = read('requestsPerMinute');
	return {
		limits: {
			timeout: timerOf(read('timeout')),
			idleTimeout: timerOf(read('idleTimeout')),
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
