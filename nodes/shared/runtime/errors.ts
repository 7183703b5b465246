/**
 * Turns what the API or the stream said into n8n errors with a message a user can act on.
 * Errors are built from the parsed response only, never from the request, so the token
 * cannot leak into them.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeRpcError, rpcErrorOfBody } from '../gemini/rpc-status';
import type { QuotaViolation } from '../gemini/quota-failure';
import { type Redact, snippet } from '../gemini/server-text';
import type { GoogleRpcError } from '../gemini/types';

const HINTS: Record<number, string> = {
	400: 'The API rejected the request. Check the contents and the generation settings.',
	401: 'Check the API token in the Quickrouter API credential.',
	403: 'The token is not allowed to use this model or endpoint. Check the API token in the Quickrouter API credential.',
	404: 'Check the model name; the model list shows the models your token can use.',
	429: 'Rate limit or quota reached. Wait and retry, lower the number of parallel requests, or check your quota.',
	500: 'The provider had an internal error. Retrying later usually helps.',
	502: 'A proxy or gateway between n8n and the model failed. Retrying later usually helps.',
	503: 'The model is overloaded or unavailable. Retrying later usually helps.',
	504: 'The provider timed out. Retrying later usually helps.',
};

function hintForStatus(statusCode: number): string | undefined {
	return HINTS[statusCode];
}

function withoutMarkup(text: string): string {
	return text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
}

/** A non-2xx answer: Google's `code`, `status` and `message` when the body has them. */
export function httpStatusError(
	node: INode,
	statusCode: number,
	statusMessage: string | undefined,
	bodyText: string,
	itemIndex?: number,
): NodeApiError {
	const rpcError: GoogleRpcError = rpcErrorOfBody(bodyText) ?? {};
	const detail =
		rpcError.message ?? (snippet(withoutMarkup(bodyText)) || statusMessage || 'no details');
	const message = describeRpcError({
		code: rpcError.code ?? statusCode,
		status: rpcError.status,
		message: detail,
	});
	const errorResponse: JsonObject = {
		httpCode: String(statusCode),
		status: rpcError.status ?? null,
		message: detail,
	};
	return new NodeApiError(node, errorResponse, {
		httpCode: String(statusCode),
		itemIndex,
		message,
		description: hintForStatus(statusCode) ?? `The API answered with HTTP ${statusCode}.`,
	});
}

/**
 * A quota counted per day is used up: waiting the seconds its RetryInfo names does not bring it
 * back. The API's error gets a message that names the model and the quota; Google's own words
 * move to the description.
 */
export function dailyQuota(
	error: NodeApiError,
	model: string,
	usedUp: { forMs: number; violation?: QuotaViolation },
): NodeApiError {
	const { violation } = usedUp;
	const size = violation?.quotaValue
		? ` (${violation.quotaValue} ${violation.counts ?? 'requests'} per day on this key's plan)`
		: '';
	error.description = `${error.message} Later requests for ${model} with this key fail at once, without being sent, for ${Math.round(usedUp.forMs / 60_000)} minutes.`;
	error.message = `The daily quota of ${model} is used up${size}. It resets at midnight Pacific time; use another model or a paid plan.`;
	return error;
}

const FLEX_PAGE = 'https://ai.google.dev/gemini-api/docs/generate-content/flex-inference';

/**
 * A Flex request Google shed: Flex runs on spare capacity, "sheddable" when standard traffic
 * peaks, and Google answers "503 Service Unavailable: The system is currently at capacity"
 * with "No server-side fallback" to Standard (the Flex page's errors table). Once the retries
 * are used up the message says so; Google's own words and what to do go to the description.
 */
export function flexShed(error: NodeApiError, tries: number): NodeApiError {
	const times = tries > 1 ? ` on all ${tries} tries` : '';
	error.description = `${error.message}\n\nFlex runs on Google's spare capacity and is shed when there is none (${FLEX_PAGE}); Google does not serve it on Standard instead. Retry these items later (or raise Max Retries), or set Service Tier to Standard to have them answered now, at the standard price.`;
	error.message = `Flex is at capacity: Google shed the request${times} (503)`;
	return error;
}

/** A Flex request whose answer did not start in time: Google may still have it queued. */
export const FLEX_NOT_STARTED_NOTE = `This was a Flex request: Google's latency target for Flex is 1 to 15 minutes, and a request may wait in its queue before the answer starts (${FLEX_PAGE}). Raise Idle Timeout (or leave it unset: Flex then waits 15 minutes), retry later, or use the Standard tier.`;

/**
 * What a refusal that names the cache means, in place of the status's generic hint. Google
 * answers 403 PERMISSION_DENIED "CachedContent not found (or permission denied)" for a cache
 * that does not exist: never made, expired (a cache is deleted at the end of its TTL, 1 hour
 * by default, https://ai.google.dev/gemini-api/docs/caching) or made with another project's
 * key; and 400 when the request also sets a system instruction, tools or a tool config, which
 * belong in the cache, or was made for another model.
 */
export function withCacheHint(error: NodeApiError, statusCode: number): NodeApiError {
	error.description =
		statusCode === 403
			? 'The cache named in Cached Content was not found for this key: it may have expired (a cache is deleted at the end of its TTL, 1 hour unless set when it was made), or it was made with another key or project (through a relay, perhaps another upstream key). Create it again and use its new name, or leave Cached Content empty.'
			: "With Cached Content, the request must not set a System Instruction, Tools or a Tool Config (in the chat model: the agent's system message and tools): they belong in the cache, set when it is made. A cache also serves only the model it was made for.";
	return error;
}

/** The stream failed after it started; the answer received so far goes into the description. */
export function streamFailureError(
	node: INode,
	message: string,
	partialText: string,
	itemIndex: number,
	rpcError?: GoogleRpcError,
): NodeApiError {
	const partial = partialText
		? `Text received before the failure: ${partialText}`
		: 'No answer text was received before the failure.';
	const hint = rpcError?.code !== undefined ? hintForStatus(rpcError.code) : undefined;
	return new NodeApiError(
		node,
		{ message, status: rpcError?.status ?? null },
		{
			httpCode: rpcError?.code !== undefined ? String(rpcError.code) : undefined,
			itemIndex,
			message,
			description: hint ? `${hint}\n\n${partial}` : partial,
		},
	);
}

/**
 * The socket error code (ECONNREFUSED, ECONNRESET…) of an error or of what it wraps. n8n 2.x
 * keeps it on the wrapped axios error; n8n 1.x puts it in the NodeApiError's `httpCode`.
 */
export function socketErrorCode(error: unknown): string | undefined {
	// System error codes (ECONNRESET, EAI_AGAIN…); not axios's ERR_… codes, whose message is
	// the cause ("Unsupported protocol…") and must be kept.
	const isCode = (value: unknown): value is string =>
		typeof value === 'string' && /^E(?!RR_)[A-Z_]+$/.test(value);
	let current = error as { code?: unknown; httpCode?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 4; depth++) {
		if (isCode(current.code)) return current.code;
		if (isCode(current.httpCode)) return current.httpCode;
		current = current.cause as typeof current;
	}
	return undefined;
}

/**
 * The request got no answer (refused connection, DNS, reset or timeout before headers).
 * n8n rewrites messages that name a socket error code into its own wording, so the
 * address and the code go into the description.
 */
export function connectionError(
	node: INode,
	baseUrl: string,
	cause: unknown,
	itemIndex?: number,
): NodeApiError {
	const code = socketErrorCode(cause);
	const message = code
		? `No answer from Quickrouter: ${code}`
		: cause instanceof Error
			? cause.message
			: String(cause);
	const what = code ? `failed before any answer (${code})` : 'got no answer';
	return new NodeApiError(
		node,
		{ message, code: code ?? null },
		{
			itemIndex,
			message,
			description: `The request to ${baseUrl} ${what}. Check the Base URL in the Quickrouter API credential, and any proxy between n8n and the API.`,
		},
	);
}

/**
 * No answer began within the idle timeout. Not a connection problem as such: a model that
 * thinks long (Gemini 3 with a high thinking level) sends nothing until it has thought.
 */
export function notStartedError(
	node: INode,
	baseUrl: string,
	message: string,
	itemIndex?: number,
): NodeApiError {
	return new NodeApiError(
		node,
		{ message },
		{
			itemIndex,
			message,
			description: `The model may still be thinking: raise Idle Timeout (Options) for answers that take long to start. If no request to ${baseUrl} ever gets an answer, check the Base URL in the Quickrouter API credential and any proxy between n8n and the API.`,
		},
	);
}

/**
 * The Base URL answered with a redirect, which is not followed: n8n would send the token along
 * to wherever it points. Another origin (a new host, port or scheme) is most likely the
 * address the API now lives at.
 */
export function redirectError(
	node: INode,
	baseUrl: string,
	statusCode: number,
	location: string,
	itemIndex?: number,
): NodeApiError {
	const target = new URL(location);
	const sameOrigin = target.origin === new URL(baseUrl).origin;
	const message = sameOrigin
		? `The API redirected the request to ${target.pathname} (HTTP ${statusCode})`
		: `The Base URL redirects to ${target.origin}; use that address`;
	return new NodeApiError(
		node,
		{ message, httpCode: String(statusCode) },
		{
			httpCode: String(statusCode),
			itemIndex,
			message,
			description: sameOrigin
				? `Redirects are not followed. Check the Base URL in the Quickrouter API credential (now ${baseUrl}).`
				: `Redirects to another address are not followed, so the token is never sent there. If ${target.origin} is the API, set it as the Base URL in the Quickrouter API credential.`,
		},
	);
}

/**
 * A parameter that cannot make a valid request, named with its item and its field, e.g.
 * `"Contents (JSON)" of item 3 is not valid JSON: …`.
 */
export function parameterError(
	node: INode,
	itemIndex: number,
	field: string,
	problem: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(node, `"${field}" of item ${itemIndex} ${problem}`, {
		itemIndex,
		description,
	});
}

/**
 * The last step before an error reaches the user: the credential's secrets out of its message
 * and description, whatever server text went into them.
 */
export function redacted<T extends NodeApiError | NodeOperationError>(error: T, redact: Redact): T {
	error.message = redact(error.message);
	if (error.description) error.description = redact(error.description);
	return error;
}

/** Adds a paragraph to an error's description. */
export function withNote<T extends { description?: string | null }>(error: T, note: string): T {
	error.description = error.description ? `${error.description}\n\n${note}` : note;
	return error;
}

/**
 * An error as a streaming caller should read it. When a node fails, n8n streams only the
 * error's description to the caller (n8n-core's handleNodeExecutionError), so the message,
 * e.g. Google's status and message, goes first and the hint after it.
 */
export function forStreamingCaller<T extends NodeApiError | NodeOperationError>(error: T): T {
	if (!error.description?.startsWith(error.message)) {
		error.description = error.description
			? `${error.message}\n\n${error.description}`
			: error.message;
	}
	return error;
}
