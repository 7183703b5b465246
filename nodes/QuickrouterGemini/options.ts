/**
 * The Options collection: how the node sends, waits, retries and bounds each request.
 * Defaults come from the parameter descriptions, so the editor and the code agree.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionsProperty } from './description';
import { parameterError } from './errors';
import { parseJsonParameter } from './json-parameter';
import { isPlainObject } from './plain-object';
import type { LiveOptions } from './live';
import { BASE_RETRY_DELAY_MS, type RetryPolicy } from './retry';
import type { StreamLimits } from './transport';
import type { NodeContext } from './types';

/** The defaults shown in the editor are the ones applied when an option is not added. */
export const OPTION_DEFAULTS: Record<string, unknown> = Object.fromEntries(
	(optionsProperty.options as INodeProperties[]).map((option) => [option.name, option.default]),
);

const MB = 1024 * 1024;

/** How one request is bounded and retried; shared by the main node and the chat model. */
export interface RequestOptions {
	limits: StreamLimits;
	/** Largest single SSE event, in characters. */
	maxEventChars: number;
	retry: RetryPolicy;
}

export interface ItemOptions extends RequestOptions {
	/** Binary property names to send as inline data. */
	attachments: string[];
	/** `fileData` parts ({ fileUri, mimeType }) to send with the last user turn. */
	fileData: IDataObject[];
	includeRawChunks: boolean;
	live: LiveOptions;
}

interface NumberRule {
	field: string;
	min: number;
	integer?: boolean;
}

const RULES: Record<string, NumberRule> = {
	concurrency: { field: 'Concurrency', min: 1, integer: true },
	maxRetries: { field: 'Max Retries', min: 0, integer: true },
	maxRetryDelay: { field: 'Max Retry Delay', min: 0 },
	timeout: { field: 'Timeout', min: 1 },
	idleTimeout: { field: 'Idle Timeout', min: 1 },
	maxEventSize: { field: 'Max Event Size (MB)', min: 0.001 },
	maxResponseSize: { field: 'Max Response Size (MB)', min: 0.001 },
};

function numberOption(
	ctx: NodeContext,
	itemIndex: number,
	options: IDataObject,
	key: keyof typeof RULES,
): number {
	const rule = RULES[key];
	const value = Number(options[key] ?? OPTION_DEFAULTS[key]);
	if (!Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value))) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			rule.field,
			`must be ${rule.integer ? 'a whole number' : 'a number'} of at least ${rule.min}`,
		);
	}
	return value;
}

/** "data, image" or an expression's array -> ['data', 'image']. */
function attachmentNames(value: unknown): string[] {
	const names = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return names.map((name) => name.trim()).filter((name) => name !== '');
}

function fileDataOf(ctx: IExecuteFunctions, itemIndex: number, value: unknown): IDataObject[] {
	if (value === undefined || value === '') return [];
	const files = parseJsonParameter(ctx, itemIndex, 'File URIs (JSON)', value);
	const valid =
		Array.isArray(files) &&
		files.every(
			(file) =>
				isPlainObject(file) &&
				typeof file.fileUri === 'string' &&
				typeof file.mimeType === 'string',
		);
	if (!valid) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'File URIs (JSON)',
			'is not an array of { "fileUri", "mimeType" } objects',
		);
	}
	return files as IDataObject[];
}

function optionsOf(ctx: NodeContext, itemIndex: number): IDataObject {
	return ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

/** Timeouts, size limits and retries; an option not added keeps its default. */
export function readRequestOptions(ctx: NodeContext, itemIndex: number): RequestOptions {
	const options = optionsOf(ctx, itemIndex);
	const read = (key: Parameters<typeof numberOption>[3]) =>
		numberOption(ctx, itemIndex, options, key);
	return {
		limits: {
			timeout: read('timeout'),
			idleTimeout: read('idleTimeout'),
			maxResponseBytes: Math.round(read('maxResponseSize') * MB),
		},
		maxEventChars: Math.round(read('maxEventSize') * MB),
		retry: {
			maxRetries: read('maxRetries'),
			maxRetryDelay: read('maxRetryDelay'),
			baseDelay: BASE_RETRY_DELAY_MS,
		},
	};
}

export function readItemOptions(ctx: IExecuteFunctions, itemIndex: number): ItemOptions {
	const options = optionsOf(ctx, itemIndex);
	return {
		attachments: attachmentNames(options.attachments),
		fileData: fileDataOf(ctx, itemIndex, options.fileData),
		includeRawChunks: options.includeRawChunks === true,
		live: {
			streamToResponse: (options.streamToResponse ?? OPTION_DEFAULTS.streamToResponse) === true,
			streamThoughts: (options.streamThoughts ?? OPTION_DEFAULTS.streamThoughts) === true,
		},
		...readRequestOptions(ctx, itemIndex),
	};
}

/** How many items are in flight at once: one value for the whole node, read from item 0. */
export function readConcurrency(ctx: IExecuteFunctions): number {
	return numberOption(ctx, 0, optionsOf(ctx, 0), 'concurrency');
}
