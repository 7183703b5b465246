/**
 * Google's error bodies (`google.rpc.Status`): `{ "error": { code, message, status, details } }`,
 * sometimes inside an array, sometimes wrapped in an SSE event, and the retry delay they carry.
 */
import { isPlainObject, parseJsonOrUndefined } from './json';
import type { GoogleRpcError } from './types';

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

const DURATION_UNITS_MS: Record<string, number> = {
	h: 3_600_000,
	m: 60_000,
	s: 1000,
	ms: 1,
	us: 0.001,
	µs: 0.001,
	ns: 0.000_001,
};

/** A Go duration as Google's messages print it ("42.87350591s", "997.965142ms", "1h52m56.4s"), in ms. */
function goDurationMs(text: string): number | undefined {
	const pieces = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)];
	if (pieces.length === 0 || pieces.map((piece) => piece[0]).join('') !== text) return undefined;
	return pieces.reduce((sum, [, value, unit]) => sum + Number(value) * DURATION_UNITS_MS[unit], 0);
}

/**
 * How long Google asks to wait, in ms: `RetryInfo.retryDelay` ("7s", "0.250s") from the
 * details, or the message's "Please retry in 42.87350591s.", whichever is later. Quota
 * refusals cut `retryDelay` to whole seconds ("42s" next to "Please retry in 42.87350591s.",
 * python-genai#1875 and later public 429 bodies): a client that waits only that comes back
 * before the window frees up and is refused again.
 */
export function rpcRetryDelayMs(error: GoogleRpcError | undefined): number | undefined {
	let delay: number | undefined;
	for (const detail of error?.details ?? []) {
		const { retryDelay } = (detail ?? {}) as { retryDelay?: unknown };
		const match = typeof retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(retryDelay) : null;
		if (match) {
			delay = Number(match[1]) * 1000;
			break;
		}
	}
	const said = /Please retry in ([\dhmsuµn.]+?)\.?(?:\s|$)/.exec(error?.message ?? '')?.[1];
	const inMessage = said === undefined ? undefined : goDurationMs(said.replace(/\.$/, ''));
	if (delay === undefined && inMessage === undefined) return undefined;
	return Math.ceil(Math.max(delay ?? 0, inMessage ?? 0));
}
