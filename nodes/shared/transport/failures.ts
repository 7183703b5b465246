/**
 * What went wrong with one attempt, and the n8n error the user finally sees. Raw errors stay
 * raw until this point so the retry policy can read them.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { rpcErrorOfBody } from '../gemini/rpc-status';
import { GeminiStreamError } from '../gemini/sse-reader';
import type { GenerateContentRequest, GoogleRpcError } from '../gemini/types';
import { quotaViolationsOf, type QuotaViolation } from '../gemini/quota-failure';
import type { Redact } from '../gemini/server-text';
import {
	connectionError,
	dailyQuota,
	FLEX_NOT_STARTED_NOTE,
	flexShed,
	httpStatusError,
	notStartedError,
	redacted,
	redirectError,
	socketErrorCode,
	streamFailureError,
	withCacheHint,
	withNote,
} from '../runtime/errors';
import { RedirectFailure, StreamTimeoutError } from './api-request';
import { HttpStatusFailure } from './http-stream';
import type { UsedUp } from './retry-policy';

export type Failure =
	| {
			kind: 'status';
			error: HttpStatusFailure;
			rpcError?: GoogleRpcError;
			/** The quotas a 429 names (QuotaFailure), read once for the policy and the pace. */
			quota: QuotaViolation[];
	  }
	| { kind: 'redirect'; error: RedirectFailure }
	| { kind: 'stream'; error: GeminiStreamError; quota: QuotaViolation[] }
	| { kind: 'timeout'; error: StreamTimeoutError }
	/** No answer at all: refused, reset or timed out before the headers. */
	| { kind: 'connection'; error: unknown; code?: string }
	/** The connection broke while the answer was streaming. */
	| { kind: 'interrupted'; error: unknown };

export function classify(error: unknown, streamOpened: boolean): Failure {
	if (error instanceof HttpStatusFailure) {
		const rpcError = rpcErrorOfBody(error.bodyText);
		return { kind: 'status', error, rpcError, quota: quotaViolationsOf(rpcError) };
	}
	if (error instanceof RedirectFailure) return { kind: 'redirect', error };
	if (error instanceof GeminiStreamError) {
		return { kind: 'stream', error, quota: quotaViolationsOf(error.rpcError) };
	}
	if (error instanceof StreamTimeoutError) return { kind: 'timeout', error };
	if (!streamOpened) return { kind: 'connection', error, code: socketErrorCode(error) };
	return { kind: 'interrupted', error };
}

export interface FailureContext {
	node: INode;
	itemIndex: number;
	baseUrl: string;
	partialText: string;
	note?: string;
	/** The last step before the user sees the error: the credential's secrets out. */
	redact: Redact;
	/** A quota not to be waited out, and the model the request was for. */
	usedUp?: UsedUp;
	model?: string;
	/** What of the request the error explains: the tier asked for, the cache named. */
	request?: Pick<GenerateContentRequest, 'cachedContent' | 'serviceTier'>;
	/** How many times the request was sent. */
	tries?: number;
}

/**
 * A Flex request refused for capacity before any answer: a 503, as a status or as the stream's
 * first event. Google documents the 503 for Flex ("The system is currently at capacity",
 * https://ai.google.dev/gemini-api/docs/generate-content/flex-inference); no body of a shed
 * request has been published, so any 503 to a Flex request counts.
 */
export function isShedFlex(failure: Failure, serviceTier: string | undefined): boolean {
	if (serviceTier !== 'flex') return false;
	if (failure.kind === 'status') return failure.error.statusCode === 503;
	return failure.kind === 'stream' && failure.error.rpcError?.code === 503;
}

/** Google's message names the cache: a cache that is missing, or that the request misuses. */
function refusesCache(failure: Failure, cachedContent: string | undefined): boolean {
	if (cachedContent === undefined || failure.kind !== 'status') return false;
	return /cachedcontent/i.test(failure.rpcError?.message ?? '');
}

/** The error the user sees for a failure that is not (or no longer) retried. */
export function toNodeError(
	failure: Failure,
	context: FailureContext,
): NodeApiError | NodeOperationError {
	const { node, itemIndex, partialText, note, usedUp } = context;
	if (usedUp?.daily && failure.kind === 'status') {
		const model = usedUp.violation?.model ?? context.model ?? 'the model';
		const error = httpStatusError(
			node,
			failure.error.statusCode,
			failure.error.statusMessage,
			failure.error.bodyText,
			itemIndex,
		);
		return redacted(dailyQuota(error, model, usedUp), context.redact);
	}
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
			case 'redirect':
				return redirectError(
					node,
					context.baseUrl,
					failure.error.statusCode,
					failure.error.location,
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
				return failure.error.kind === 'notStarted'
					? notStartedError(node, context.baseUrl, failure.error.message, itemIndex)
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
	const { request = {}, tries = 1 } = context;
	// Shed means sent and refused: a request that failed unsent, with an earlier one's error, was not.
	if (isShedFlex(failure, request.serviceTier) && partialText === '' && tries > 0) {
		flexShed(error as NodeApiError, tries);
	} else if (refusesCache(failure, request.cachedContent) && failure.kind === 'status') {
		withCacheHint(error as NodeApiError, failure.error.statusCode);
	} else if (
		failure.kind === 'timeout' &&
		failure.error.kind === 'notStarted' &&
		request.serviceTier === 'flex'
	) {
		withNote(error, FLEX_NOT_STARTED_NOTE);
	}
	if (note) withNote(error, note);
	return redacted(error, context.redact);
}
