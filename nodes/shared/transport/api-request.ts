/**
 * One request to the API, as every call makes it (the answer stream and the model list): the
 * one place its n8n HTTP options are built, sent through n8n's own HTTP helper (so n8n's proxy
 * settings and egress rules apply) with the token in the Authorization header and nowhere
 * else, waited for under a deadline and the caller's abort, and a redirect reported rather
 * than followed.
 *
 * The plain helper (`httpRequest`), not `httpRequestWithAuthentication`: that one replaces any
 * abort signal with the execution's, so a request given up (timeout, a failed row) could not
 * be cancelled, only left to run; and it reads and decrypts the credential and evaluates its
 * header expression again for every request, which the credential read per item already did.
 */
import type { IDataObject, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';

import type { NodeContext } from '../runtime/context';
import { wait } from '../runtime/wait';
import type { ApiCredential } from './credentials';

/** A response body read as it streams in. */
export type StreamBody = AsyncIterable<Buffer> & { destroy(error?: Error): void };

export interface ApiResponse<Body> {
	body: Body;
	headers: IDataObject;
	statusCode: number;
	statusMessage?: string;
}

export interface ApiRequest {
	method: 'GET' | 'POST';
	/** The path after the Base URL, e.g. `/v1beta/models`. */
	path: string;
	qs: IDataObject;
	/** Sent as JSON. */
	body?: object;
	/** The answer is a stream (Server-Sent Events) read as it comes, not JSON parsed whole. */
	stream?: boolean;
	/** n8n's own socket timeout, in ms: a backstop behind `deadline` and the caller's timers. */
	socketTimeout: number;
	/** Longest wait for the answer to begin (its status and headers). */
	deadline: { ms: number; kind: StreamTimeoutError['kind'] };
	/** Ends the request early (another item failed and the node stops). */
	signal?: AbortSignal;
}

export interface SentRequest<Body> {
	response: ApiResponse<Body>;
	/**
	 * Cancels the request: before its answer, or while its body streams (the only way to close
	 * a silent one on n8n 2.x, where the body's destroy() waits for the next read).
	 */
	connection: AbortController;
}

const TIMEOUT_MESSAGES = {
	notStarted: (ms: number) => `No answer has started after ${ms} ms`,
	stalled: (ms: number) => `The stream stopped for ${ms} ms after it began (Idle Timeout)`,
	total: (ms: number) => `The request took longer than the timeout of ${ms} ms`,
};

/**
 * No answer started within the idle timeout (before the headers, or before the first byte of
 * the body: a relay may send its headers at once and the model then think), the stream stopped
 * after it began, or the request outlived the whole-request timeout.
 */
export class StreamTimeoutError extends Error {
	constructor(
		readonly kind: keyof typeof TIMEOUT_MESSAGES,
		readonly ms: number,
	) {
		super(TIMEOUT_MESSAGES[kind](ms));
		this.name = 'StreamTimeoutError';
	}
}

/**
 * Why a request's connection was closed on purpose (one reason for all: aborting without one
 * builds a DOMException with a stack trace each time).
 */
export const CLOSED = new Error('The request was closed');

/** The node stopped this request on purpose; not a failure of the request itself. */
export class RequestStoppedError extends Error {
	constructor() {
		super('The request was stopped');
		this.name = 'RequestStoppedError';
	}
}

/**
 * A redirect, not followed: the token would go along to wherever it points. `location` is
 * the absolute address it points to.
 */
export class RedirectFailure extends Error {
	constructor(
		readonly statusCode: number,
		readonly location: string,
	) {
		super(`HTTP ${statusCode} redirect`);
		this.name = 'RedirectFailure';
	}
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/** The absolute address of a redirect's Location header, if it has a usable one. */
function redirectTarget(headers: IDataObject | undefined, requestUrl: string): string | undefined {
	const location = headers?.location;
	if (typeof location !== 'string' || location.trim() === '') return undefined;
	try {
		return new URL(location.trim(), requestUrl).href;
	} catch {
		return undefined;
	}
}

/**
 * Waits for an answer of n8n's helper, at most `ms`, or until `signal` fires; then (on
 * failure) `connection` cancels the request, a late answer is handed to `discard` (a stream is
 * closed unread) and a late failure is dropped, having been reported already.
 */
async function awaitAnswer<T>(
	pending: Promise<T>,
	deadline: { ms: number; kind: StreamTimeoutError['kind'] },
	connection: AbortController,
	signal?: AbortSignal,
	discard: (late: T) => void = () => undefined,
): Promise<T> {
	const timer = new AbortController();
	let stop: () => void = () => undefined;
	const stopped = new Promise<never>((_resolve, reject) => {
		stop = () => reject(new RequestStoppedError());
	});
	signal?.addEventListener('abort', stop, { once: true });
	const late = (async () => {
		// A timer holds at most MAX_TIMER_MS: a longer deadline is waited for in turns.
		const until = Date.now() + deadline.ms;
		while (Date.now() < until) await wait(until - Date.now(), timer.signal);
		throw new StreamTimeoutError(deadline.kind, deadline.ms);
	})();
	late.catch(() => undefined);
	const outcome = Promise.race([pending, late, stopped]);
	outcome.catch(() => {
		connection.abort(CLOSED);
		pending.then(discard, () => undefined);
	});
	try {
		return await outcome;
	} finally {
		timer.abort(CLOSED);
		signal?.removeEventListener('abort', stop);
	}
}

/** The n8n HTTP options of a request to the API. */
function httpOptionsOf(
	credential: ApiCredential,
	request: ApiRequest,
	url: string,
	abortSignal: AbortSignal,
): IHttpRequestOptions {
	return {
		method: request.method,
		url,
		qs: request.qs,
		headers: {
			...(request.stream ? { Accept: 'text/event-stream' } : {}),
			...(request.body ? { 'Content-Type': 'application/json' } : {}),
			Authorization: credential.authorization,
		},
		...(request.body ? { body: request.body as IDataObject } : {}),
		json: true,
		...(request.stream ? { encoding: 'stream' as const } : {}),
		returnFullResponse: true,
		// Without this, n8n replaces Google's JSON error body with a generic message.
		ignoreHttpStatusErrors: true,
		// n8n would follow a redirect to any host with the token; it is reported instead.
		disableFollowRedirect: true,
		abortSignal,
		timeout: request.socketTimeout,
	};
}

/**
 * Sends `request` and waits for its answer to begin. Errors before any answer (refused,
 * reset, no headers in time) come from n8n's helper as they are, or as a
 * {@link StreamTimeoutError}; a redirect throws {@link RedirectFailure}. Any status is
 * returned, its body unread when it streams.
 */
export async function sendApiRequest<Body>(
	ctx: NodeContext | ILoadOptionsFunctions,
	credential: ApiCredential,
	request: ApiRequest,
): Promise<SentRequest<Body>> {
	const url = `${credential.baseUrl}${request.path}`;
	const connection = new AbortController();
	// A streaming body left unread is closed; a parsed one needs nothing.
	const discard = (unread: ApiResponse<Body>) => {
		if (request.stream) (unread.body as StreamBody).destroy();
	};
	const response = await awaitAnswer(
		ctx.helpers.httpRequest(httpOptionsOf(credential, request, url, connection.signal)) as Promise<
			ApiResponse<Body>
		>,
		request.deadline,
		connection,
		request.signal,
		discard,
	);
	const target = isRedirect(response.statusCode)
		? redirectTarget(response.headers, url)
		: undefined;
	if (target) {
		discard(response);
		connection.abort(CLOSED);
		throw new RedirectFailure(response.statusCode, credential.redact(target));
	}
	return { response, connection };
}
