/**
 * Google's error bodies (`google.rpc.Status`): `{ "error": { code, message, status, details } }`,
 * sometimes inside an array, sometimes wrapped in an SSE event, and the retry delay they carry.
 */
import { isPlainObject } from './plain-object';
import type { GoogleRpcError } from './types';

/** `JSON.parse`, or undefined for text that is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** The `error` member of a google.rpc.Status body, if the value is one. */
export function findRpcError(value: unknown): GoogleRpcError | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	if (isPlainObject(first) && isPlainObject(first.error)) return first.error as GoogleRpcError;
	return undefined;
}

/** Google's error in a non-2xx body, if it has one. */
export function rpcErrorOfBody(text: string): GoogleRpcError | undefined {
	const trimmed = text.trim();
	// Some gateways wrap the JSON error in an SSE event even on a non-2xx status.
	const json = trimmed.startsWith('data:') ? trimmed.slice(5).split(/\r?\n\r?\n/)[0] : trimmed;
	return findRpcError(parseJsonOrUndefined(json));
}

/** `429 RESOURCE_EXHAUSTED: Quota exceeded`, or just the message when there is no code. */
export function describeRpcError(error: GoogleRpcError): string {
	const head = [error.code, error.status].filter((part) => part !== undefined).join(' ');
	const message = error.message ?? 'The API reported an error';
	return head ? `${head}: ${message}` : message;
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
