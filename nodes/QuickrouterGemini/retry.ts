/**
 * When and how long to wait before sending a failed request again. Only failures that happen
 * before an item produced any output are retried, so a retry never duplicates output.
 */
import type { IDataObject } from 'n8n-workflow';

import type { GoogleRpcError } from './types';
import { wait } from './wait';

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

/** Google's `RetryInfo.retryDelay` ("7s", "0.250s") from an error's details, in ms. */
export function rpcRetryDelayMs(error: GoogleRpcError | undefined): number | undefined {
	for (const detail of error?.details ?? []) {
		const { retryDelay } = (detail ?? {}) as { retryDelay?: unknown };
		const match = typeof retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(retryDelay) : null;
		if (match) return Math.round(Number(match[1]) * 1000);
	}
	return undefined;
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

/**
 * Shared by every item of one execution: when one request hits a rate limit, all of them
 * hold back until the wait is over instead of each hammering the API in turn.
 */
export class RateLimitGate {
	private resumeAt = 0;

	holdFor(ms: number): void {
		this.resumeAt = Math.max(this.resumeAt, Date.now() + ms);
	}

	async wait(signal?: AbortSignal): Promise<void> {
		for (
			let remaining = this.resumeAt - Date.now();
			remaining > 0;
			remaining = this.resumeAt - Date.now()
		) {
			await wait(remaining, signal);
		}
	}
}
