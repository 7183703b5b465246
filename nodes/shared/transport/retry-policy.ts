/**
 * When and how long to wait before sending a failed request again. Only failures that happen
 * before any chunk was handed on are retried, so a retry never duplicates output.
 */
import type { IDataObject } from 'n8n-workflow';

import { rpcRetryDelayMs } from '../gemini/rpc-status';
import type { Failure } from './failures';

/** Rate limits and server-side failures; other 4xx mean the request itself is wrong. */
export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Socket failures worth another try: the connection broke, or could not be made just now. */
export const RETRYABLE_SOCKET_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'EPIPE',
	'ETIMEDOUT',
	'EAI_AGAIN',
]);

export const BASE_RETRY_DELAY_MS = 1000;

export interface RetryPolicy {
	maxRetries: number;
	/** Longest single wait; a server asking for more fails at once instead. */
	maxRetryDelay: number;
	baseDelay: number;
}

/** `Retry-After` in seconds or as an HTTP date, in ms. */
export function retryAfterMs(
	headers: IDataObject | undefined,
	now = Date.now(),
): number | undefined {
	const value = headers?.['retry-after'];
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter: 50–100 % of base × 2^attempt, capped. */
export function backoffMs(
	attempt: number,
	policy: RetryPolicy,
	random: () => number = Math.random,
): number {
	const ceiling = Math.min(policy.maxRetryDelay, policy.baseDelay * 2 ** attempt);
	return Math.round(ceiling * (0.5 + random() * 0.5));
}

export type RetryDecision =
	| { retry: true; delayMs: number; rateLimited: boolean }
	| { retry: false; note?: string };

export interface AttemptState {
	/** 0 for the first try. */
	attempt: number;
	policy: RetryPolicy;
	/** Whether the try already passed anything on (items, chunks, deltas). */
	producedOutput: boolean;
	/** Fired when the request was stopped on purpose: nothing to retry then. */
	signal?: AbortSignal;
}

/**
 * Retries what a second try can fix (rate limits, server errors, broken connections) and only
 * while the item has produced nothing and was not stopped, so no output is ever duplicated.
 */
export function decideRetry(failure: Failure, state: AttemptState): RetryDecision {
	const { attempt, policy } = state;
	if (state.signal?.aborted || state.producedOutput || attempt >= policy.maxRetries) {
		return { retry: false };
	}
	let code: number | undefined;
	let requested: number | undefined;
	switch (failure.kind) {
		case 'status':
			code = failure.error.statusCode;
			requested = retryAfterMs(failure.error.headers) ?? rpcRetryDelayMs(failure.rpcError);
			if (!RETRYABLE_STATUS.has(code)) return { retry: false };
			break;
		case 'stream':
			code = failure.error.rpcError?.code;
			requested = rpcRetryDelayMs(failure.error.rpcError);
			if (code === undefined || !RETRYABLE_STATUS.has(code)) return { retry: false };
			break;
		case 'connection':
			if (!failure.code || !RETRYABLE_SOCKET_CODES.has(failure.code)) return { retry: false };
			break;
		case 'interrupted':
			break;
		case 'timeout':
		case 'redirect':
			return { retry: false };
	}
	if (requested !== undefined && requested > policy.maxRetryDelay) {
		return {
			retry: false,
			note: `The API asked to wait ${requested} ms before retrying, longer than Max Retry Delay (${policy.maxRetryDelay} ms).`,
		};
	}
	return {
		retry: true,
		delayMs: requested ?? backoffMs(attempt, policy),
		rateLimited: code === 429,
	};
}
