/**
 * What went wrong with one attempt, and the n8n error the user finally sees. Raw errors stay
 * raw until this point so the retry policy can read them.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { rpcErrorOfBody } from '../gemini/rpc-status';
import { GeminiStreamError } from '../gemini/sse-reader';
import type { GoogleRpcError } from '../gemini/types';
import { quotaViolationsOf, type QuotaViolation } from '../gemini/quota-failure';
import type { Redact } from '../gemini/server-text';
import {
	connectionError,
	dailyQuota,
	httpStatusError,
	notStartedError,
	redacted,
	redirectError,
	socketErrorCode,
	streamFailureError,
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
	if (note) withNote(error, note);
	return redacted(error, context.redact);
}
