/**
 * What went wrong with one attempt, whether it is worth another, and the n8n error the user
 * finally sees. Raw errors stay raw until this point so the retry policy can read them.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	connectionError,
	httpStatusError,
	rpcErrorOfBody,
	socketErrorCode,
	streamFailureError,
} from './errors';
import {
	backoffMs,
	RETRYABLE_SOCKET_CODES,
	RETRYABLE_STATUS,
	retryAfterMs,
	type RetryPolicy,
	rpcRetryDelayMs,
} from './retry';
import { GeminiStreamError } from './stream';
import { HttpStatusFailure, StreamTimeoutError } from './transport';
import type { GoogleRpcError } from './types';

export type Failure =
	| { kind: 'status'; error: HttpStatusFailure; rpcError?: GoogleRpcError }
	| { kind: 'stream'; error: GeminiStreamError }
	| { kind: 'timeout'; error: StreamTimeoutError }
	/** No answer at all: refused, reset or timed out before the headers. */
	| { kind: 'connection'; error: unknown; code?: string }
	/** The connection broke while the answer was streaming. */
	| { kind: 'interrupted'; error: unknown };

export function classify(error: unknown, streamOpened: boolean): Failure {
	if (error instanceof HttpStatusFailure) {
		return { kind: 'status', error, rpcError: rpcErrorOfBody(error.bodyText) };
	}
	if (error instanceof GeminiStreamError) return { kind: 'stream', error };
	if (error instanceof StreamTimeoutError) return { kind: 'timeout', error };
	if (!streamOpened) return { kind: 'connection', error, code: socketErrorCode(error) };
	return { kind: 'interrupted', error };
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

export interface FailureContext {
	node: INode;
	itemIndex: number;
	baseUrl: string;
	partialText: string;
	note?: string;
}

/** The error the user sees for a failure that is not (or no longer) retried. */
export function toNodeError(
	failure: Failure,
	context: FailureContext,
): NodeApiError | NodeOperationError {
	const { node, itemIndex, partialText, note } = context;
	const error = (() => {
		switch (failure.kind) {
			case 'status':
				return httpStatusError(
					node,
					failure.error.statusCode,
					failure.error.statusMessage,
					failure.error.bodyText,
					itemIndex,
				);
			case 'stream':
				return streamFailureError(
					node,
					failure.error.message,
					partialText,
					itemIndex,
					failure.error.rpcError,
				);
			case 'timeout':
				return failure.error.kind === 'answer'
					? connectionError(node, context.baseUrl, failure.error, itemIndex)
					: streamFailureError(node, failure.error.message, partialText, itemIndex);
			case 'connection':
				return connectionError(node, context.baseUrl, failure.error, itemIndex);
			case 'interrupted': {
				const reason =
					failure.error instanceof Error ? failure.error.message : String(failure.error);
				return streamFailureError(
					node,
					`The stream was interrupted: ${reason}`,
					partialText,
					itemIndex,
				);
			}
		}
	})();
	if (note) error.description = error.description ? `${error.description}\n\n${note}` : note;
	return error;
}
