/**
 * One `streamGenerateContent` request over HTTP: sent through n8n's own HTTP helper, so n8n's
 * proxy settings and egress rules apply, with the token in the Authorization header and
 * nowhere else; then the response body, watched for the deadline, silence, size and the
 * caller's abort.
 *
 * The plain helper (`httpRequest`), not `httpRequestWithAuthentication`: that one replaces any
 * abort signal with the execution's, so a request given up (timeout, a failed row) could not
 * be cancelled, only left to run; and it reads and decrypts the credential and evaluates its
 * header expression again for every request, which the credential read per item already did.
 */
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import type { Redact } from '../gemini/server-text';
import { GeminiStreamError } from '../gemini/sse-reader';
import type { GenerateContentRequest } from '../gemini/types';
import type { NodeContext } from '../runtime/context';
import { MAX_TIMER_MS, wait } from '../runtime/wait';
import type { ApiCredential } from './credentials';

/** Error bodies are read only this far: enough for any JSON error, bounded for HTML pages. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * n8n's socket timeout is set just after ours: our timers give up first, with clear messages,
 * and the socket, which only n8n can close, closes right after instead of lingering.
 */
const SOCKET_TIMEOUT_SLACK_MS = 100;

type ResponseBody = AsyncIterable<Buffer> & { destroy(error?: Error): void };

interface StreamingResponse {
	body: ResponseBody;
	headers: IDataObject;
	statusCode: number;
	statusMessage?: string;
}

export interface StreamLimits {
	/** Whole request, from sending to the last byte, in ms. */
	timeout: number;
	/** Longest silence, before the answer starts or between bytes, in ms. */
	idleTimeout: number;
	/** Largest response body, in bytes. */
	maxResponseBytes: number;
}

export interface GenerateStreamRequest {
	credential: ApiCredential;
	model: string;
	body: GenerateContentRequest;
	limits: StreamLimits;
	/** Ends this request early (another item failed and the node stops). */
	signal?: AbortSignal;
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

export const isRedirect = (status: number) => status >= 300 && status < 400;

/** The absolute address of a redirect's Location header, if it has a usable one. */
export function redirectTarget(
	headers: IDataObject | undefined,
	requestUrl: string,
): string | undefined {
	const location = headers?.location;
	if (typeof location !== 'string' || location.trim() === '') return undefined;
	try {
		return new URL(location.trim(), requestUrl).href;
	} catch {
		return undefined;
	}
}

/** A non-2xx answer, kept raw until the retry policy has looked at it. */
export class HttpStatusFailure extends Error {
	constructor(
		readonly statusCode: number,
		readonly statusMessage: string | undefined,
		readonly headers: IDataObject,
		readonly bodyText: string,
	) {
		super(`HTTP ${statusCode}`);
		this.name = 'HttpStatusFailure';
	}
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
const CLOSED = new Error('The request was closed');

/** The node stopped this request on purpose; not a failure of the request itself. */
class RequestStoppedError extends Error {
	constructor() {
		super('The request was stopped');
		this.name = 'RequestStoppedError';
	}
}

/**
 * The body of a non-2xx answer, bounded in size and read under the request's deadlines: a body
 * that trickles, stalls or breaks ends with what arrived, so the status is still reported.
 */
async function readErrorBody(body: AsyncIterable<Buffer>, redact: Redact): Promise<string> {
	const pieces: Buffer[] = [];
	let size = 0;
	try {
		for await (const piece of body) {
			pieces.push(piece);
			size += piece.length;
			if (size >= MAX_ERROR_BODY_BYTES) break;
		}
	} catch {
		// What arrived is all there is; the status says the rest.
	}
	return redact(Buffer.concat(pieces).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8'));
}

export interface OpenStream {
	body: AsyncIterable<Buffer>;
	/** Stops the timers and closes the connection; call once reading ends, however it ends. */
	release: () => void;
}

/**
 * Watches a streaming body: ends reading with {@link StreamTimeoutError} at the deadline or
 * after too long a silence, with {@link RequestStoppedError} when `signal` fires, and with a
 * {@link GeminiStreamError} past the size limit. One timer at a time, re-armed only when it
 * fires, so a fast stream pays nothing per chunk but a clock read.
 *
 * n8n 2.x's helper hands back axios's `Readable.from` wrapper, whose destroy() waits for the
 * next network read before it takes effect; so each read is raced against the guard's own
 * failure, reading stops at once even while the socket is silent, and `connection` (the
 * request's abort signal, which axios honours until the body ends) closes the socket.
 */
function guard(
	body: ResponseBody,
	limits: StreamLimits,
	startedAt: number,
	connection: AbortController,
	signal?: AbortSignal,
): OpenStream {
	const released = new AbortController();
	const deadlineAt = startedAt + limits.timeout;
	let lastActivity = Date.now();
	/** Whether any byte of the body came: silence before it means the answer has not started. */
	let begun = false;
	const silence = () =>
		new StreamTimeoutError(begun ? 'stalled' : 'notStarted', limits.idleTimeout);
	let failure: Error | undefined;
	/** Rejects the read in progress, if any. */
	let interrupt: ((error: Error) => void) | undefined;
	const end = (error: Error) => {
		failure ??= error;
		interrupt?.(error);
		body.destroy(error);
		connection.abort(CLOSED);
	};

	const watch = async () => {
		while (!released.signal.aborted) {
			const now = Date.now();
			const idleAt = lastActivity + limits.idleTimeout;
			if (now >= deadlineAt) return end(new StreamTimeoutError('total', limits.timeout));
			if (now >= idleAt) return end(silence());
			await wait(Math.min(deadlineAt, idleAt) - now, released.signal).catch(() => undefined);
		}
	};
	void watch();

	const stop = () => end(new RequestStoppedError());
	signal?.addEventListener('abort', stop, { once: true });

	/** A socket n8n aborted for silence is our timeout, whichever timer fired first. */
	const explain = (error: unknown) => {
		if (error instanceof StreamTimeoutError || error instanceof RequestStoppedError) return error;
		const now = Date.now();
		if (now >= deadlineAt) return new StreamTimeoutError('total', limits.timeout);
		if (now - lastActivity >= limits.idleTimeout) return silence();
		return error;
	};

	/**
	 * The next read, ended early by the guard's failure. A promise of its own per read: racing
	 * every read against one long-pending promise would keep each chunk reachable from that
	 * promise until the stream ends, i.e. hold the whole response in memory.
	 */
	const nextRead = (reader: AsyncIterator<Buffer>) =>
		new Promise<IteratorResult<Buffer>>((resolve, reject) => {
			if (failure) return reject(failure);
			interrupt = reject;
			reader.next().then(resolve, reject);
		});

	/** The whole body was read: the connection ends by itself (n8n's agents keep none alive). */
	let complete = false;

	async function* counted(): AsyncGenerator<Buffer> {
		const reader = body[Symbol.asyncIterator]();
		let received = 0;
		for (;;) {
			const { value, done } = await nextRead(reader).catch((error: unknown) => {
				throw explain(error);
			});
			interrupt = undefined;
			if (done) {
				complete = true;
				return;
			}
			lastActivity = Date.now();
			begun = true;
			received += value.length;
			if (received > limits.maxResponseBytes) {
				throw new GeminiStreamError(
					`The response exceeded the limit of ${limits.maxResponseBytes} bytes`,
				);
			}
			yield value;
		}
	}

	return {
		body: counted(),
		release: () => {
			released.abort(CLOSED);
			signal?.removeEventListener('abort', stop);
			if (complete) return;
			body.destroy();
			connection.abort(CLOSED);
		},
	};
}

/**
 * Waits for an answer of n8n's helper, at most `ms`, or until `signal` fires; then (on
 * failure) `connection` cancels the request, a late answer is handed to `discard` (a stream is
 * closed unread) and a late failure is dropped, having been reported already.
 */
export async function awaitAnswer<T>(
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

/**
 * Sends `streamGenerateContent?alt=sse` and returns the response body as it streams in.
 * A non-2xx status throws {@link HttpStatusFailure} with the body read (bounded); errors
 * before any answer (refused, reset, no headers in time) come from n8n's helper as they are.
 */
export async function openGenerateStream(
	ctx: NodeContext,
	request: GenerateStreamRequest,
): Promise<OpenStream> {
	const { credential, model, body, limits, signal } = request;
	const url = `${credential.baseUrl}/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent`;
	// Cancels this request: before its answer, or while its body streams (the only way to close
	// a silent one on n8n 2.x, where the body's destroy() waits for the next read).
	const connection = new AbortController();
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		qs: { alt: 'sse' },
		headers: {
			Accept: 'text/event-stream',
			'Content-Type': 'application/json',
			Authorization: credential.authorization,
		},
		body,
		json: true,
		encoding: 'stream',
		returnFullResponse: true,
		// Without this, n8n replaces Google's JSON error body with a generic message.
		ignoreHttpStatusErrors: true,
		// n8n would follow a redirect to any host with the token; it is reported instead.
		disableFollowRedirect: true,
		abortSignal: connection.signal,
		// A backstop only: our own timers give up first, with clearer messages. Without one, n8n
		// would apply its own default of 300 s, cutting off a model that thinks longer.
		timeout:
			Math.min(limits.timeout, limits.idleTimeout, MAX_TIMER_MS - SOCKET_TIMEOUT_SLACK_MS) +
			SOCKET_TIMEOUT_SLACK_MS,
	};

	const startedAt = Date.now();
	const response = await awaitAnswer(
		ctx.helpers.httpRequest(options) as Promise<StreamingResponse>,
		limits.timeout < limits.idleTimeout
			? { ms: limits.timeout, kind: 'total' }
			: { ms: limits.idleTimeout, kind: 'notStarted' },
		connection,
		signal,
		(late) => late.body.destroy(),
	);
	const target = isRedirect(response.statusCode)
		? redirectTarget(response.headers, url)
		: undefined;
	if (target) {
		response.body.destroy();
		connection.abort(CLOSED);
		throw new RedirectFailure(response.statusCode, credential.redact(target));
	}
	const open = guard(response.body, limits, startedAt, connection, signal);
	if (response.statusCode >= 200 && response.statusCode < 300) return open;
	const text = await readErrorBody(open.body, credential.redact);
	open.release();
	// Stopped on purpose while the error body came in: the status no longer matters.
	if (signal?.aborted) throw new RequestStoppedError();
	throw new HttpStatusFailure(
		response.statusCode,
		response.statusMessage && credential.redact(response.statusMessage),
		response.headers ?? {},
		text,
	);
}
