/**
 * When and how long to wait before sending a failed request again. Only failures that happen
 * before any chunk was handed on are retried, so a retry never duplicates output.
 */
import type { IDataObject } from 'n8n-workflow';

import { dailyViolationOf, type QuotaViolation } from '../gemini/quota-failure';
import { rpcRetryDelayMs } from '../gemini/rpc-status';
import { StreamCutOffError } from '../gemini/sse-reader';
import type { Failure } from './failures';

/** Rate limits and server-side failures; other 4xx mean the request itself is wrong. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Socket failures worth another try: the connection broke, or could not be made just now. */
const RETRYABLE_SOCKET_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'EPIPE',
	'ETIMEDOUT',
	'EAI_AGAIN',
]);

export const BASE_RETRY_DELAY_MS = 1000;

export interface RetryPolicy {
	/** Retries of failures; waits the API asks for on a rate limit do not count. */
	maxRetries: number;
	/** Longest single wait; a server asking for more fails at once instead. */
	maxRetryDelay: number;
	baseDelay: number;
	/** Longest time one request may spend waiting out rate limits, in ms, from its first. */
	maxRateLimitWait: number;
}

/** `Retry-After` in seconds or as an HTTP date, in ms. */
export function retryAfterMs(headers: IDataObject | undefined): number | undefined {
	const value = headers?.['retry-after'];
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter: 50–100 % of base × 2^attempt, capped. */
function backoffMs(attempt: number, policy: RetryPolicy): number {
	const ceiling = Math.min(policy.maxRetryDelay, policy.baseDelay * 2 ** attempt);
	return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

export type RetryDecision =
	| {
			retry: true;
			delayMs: number;
			/** The API refused the request for its rate or capacity (429, 503). */
			rateLimited: boolean;
			/** Whether this retry uses up one of Max Retries. */
			counted: boolean;
	  }
	| {
			retry: false;
			note?: string;
			/**
			 * Not to be waited out: a quota counted per day (`violation` names it), or a rate
			 * limit whose wait passes Max Retry Delay (`forMs` from now). Later requests for the
			 * model fail the same way without being sent.
			 */
			usedUp?: UsedUp;
	  };

/** A refusal not to be waited out, as the retry policy judged it. */
export interface UsedUp {
	/** A quota counted per day (`violation` names it), or else a wait longer than accepted. */
	daily: boolean;
	/** How long later requests for the model fail the same way, from now, in ms. */
	forMs: number;
	violation?: QuotaViolation;
}

export interface AttemptState {
	/** Retries used up so far (rate-limit waits not counted). */
	retries: number;
	policy: RetryPolicy;
	/** Whether the try already passed anything on (items, chunks, deltas). */
	producedOutput: boolean;
	/** Fired when the request was stopped on purpose: nothing to retry then. */
	signal?: AbortSignal;
	/** How long the request has been held up by rate limits, from its first refusal, in ms. */
	rateLimitedForMs: number;
}

/**
 * How long a quota counted per day is taken as used up: it resets at midnight Pacific time
 * (https://ai.google.dev/gemini-api/docs/rate-limits), but a plan can be changed sooner, so the
 * model is tried again after a while rather than only the next day.
 */
export const DAILY_QUOTA_RECHECK_MS = 15 * 60_000;

/** The status code and the wait a failure asked for, if it is one worth another try. */
function retryable(failure: Failure): { code?: number; requested?: number } | undefined {
	switch (failure.kind) {
		case 'status': {
			const code = failure.error.statusCode;
			if (!RETRYABLE_STATUS.has(code)) return undefined;
			return {
				code,
				requested: retryAfterMs(failure.error.headers) ?? rpcRetryDelayMs(failure.rpcError),
			};
		}
		case 'stream': {
			if (failure.error instanceof StreamCutOffError) return {};
			const code = failure.error.rpcError?.code;
			if (code === undefined || !RETRYABLE_STATUS.has(code)) return undefined;
			return { code, requested: rpcRetryDelayMs(failure.error.rpcError) };
		}
		case 'connection':
			return failure.code && RETRYABLE_SOCKET_CODES.has(failure.code) ? {} : undefined;
		case 'interrupted':
			return {};
		case 'timeout':
		case 'redirect':
			return undefined;
	}
}

/** A refusal for the rate or for capacity: the request itself was fine. */
export const isRateLimit = (code: number | undefined) => code === 429 || code === 503;

/**
 * Retries what a second try can fix (rate limits, server errors, broken connections) and only
 * while the request has produced nothing and was not stopped, so no output is ever duplicated.
 * A rate limit with a wait the API asked for puts the request back in line without using up a
 * retry; it gives up only when one wait is longer than Max Retry Delay or the waits together
 * pass Max Rate Limit Wait.
 */
export function decideRetry(failure: Failure, state: AttemptState): RetryDecision {
	const { retries, policy } = state;
	if (state.signal?.aborted || state.producedOutput) return { retry: false };
	const worth = retryable(failure);
	if (!worth) return { retry: false };
	const { code, requested } = worth;
	const rateLimited = isRateLimit(code);
	// Its RetryInfo says seconds, but a daily quota comes back only the next day.
	const daily = code === 429 && 'quota' in failure ? dailyViolationOf(failure.quota) : undefined;
	if (daily) {
		return {
			retry: false,
			usedUp: { daily: true, forMs: DAILY_QUOTA_RECHECK_MS, violation: daily },
		};
	}
	if (requested !== undefined && requested > policy.maxRetryDelay) {
		return {
			retry: false,
			note: `The API asked to wait ${requested} ms before retrying, longer than Max Retry Delay (${policy.maxRetryDelay} ms).`,
			...(rateLimited ? { usedUp: { daily: false, forMs: requested } } : {}),
		};
	}
	if (rateLimited && requested !== undefined) {
		if (state.rateLimitedForMs + requested > policy.maxRateLimitWait) {
			return {
				retry: false,
				note: `The request has waited ${state.rateLimitedForMs} ms for rate limits; the ${requested} ms more the API asked for would pass Max Rate Limit Wait (${policy.maxRateLimitWait} ms).`,
			};
		}
		return { retry: true, delayMs: requested, rateLimited, counted: false };
	}
	if (retries >= policy.maxRetries) return { retry: false };
	return {
		retry: true,
		delayMs: requested ?? backoffMs(retries, policy),
		rateLimited,
		counted: true,
	};
}
