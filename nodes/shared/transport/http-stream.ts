/**
 * One `streamGenerateContent` request: sent as every API request is (api-request.ts), then
 * the response body, watched for the deadline, silence, size and the caller's abort.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Redact } from '../gemini/server-text';
import { GeminiStreamError } from '../gemini/sse-reader';
import type { GenerateContentRequest } from '../gemini/types';
import type { NodeContext } from '../runtime/context';
import { MAX_TIMER_MS, wait } from '../runtime/wait';
import {
	CLOSED,
	RequestStoppedError,
	sendApiRequest,
	type StreamBody,
	StreamTimeoutError,
} from './api-request';
import { BodyReader, isEventBody } from './body-reader';
import { type ApiCredential, MODELS_PATH } from './credentials';

/** Error bodies are read only this far: enough for any JSON error, bounded for HTML pages. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * n8n's socket timeout is set just after ours: our timers give up first, with clear messages,
 * and the socket, which only n8n can close, closes right after instead of lingering.
 */
const SOCKET_TIMEOUT_SLACK_MS = 100;

export interface StreamLimits {
	/** Whole request, from sending to the last byte, in ms. */
	timeout: number;
	/** Longest wait for the answer to start: its status and headers, then its first byte, in ms. */
	startTimeout: number;
	/** Longest silence between two pieces of an answer that has started, in ms. */
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
 * The body is read through its 'data' events ({@link BodyReader}), paused while the reader is
 * busy. n8n 2.x's helper hands back axios's `Readable.from` wrapper, whose destroy() waits for
 * the next network read before it takes effect; so the guard's failure ends the read in
 * progress itself (a body without events has each read raced against it instead), reading
 * stops at once even while the socket is silent, and `connection` (the request's abort
 * signal, which axios honours until the body ends) closes the socket.
 */
function guard(
	body: StreamBody,
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
	/** Silence allowed now: a queued request (Flex) may wait longer to start than to go on. */
	const allowedSilence = () => (begun ? limits.idleTimeout : limits.startTimeout);
	const silence = () => new StreamTimeoutError(begun ? 'stalled' : 'notStarted', allowedSilence());
	let failure: Error | undefined;
	/** Rejects the read in progress, if any. */
	let interrupt: ((error: Error) => void) | undefined;
	const end = (error: Error) => {
		failure ??= error;
		interrupt?.(error);
		body.destroy(error);
		connection.abort(CLOSED);
	};

	/**
	 * The watcher's current wait, cut short when the answer starts if it was armed for a longer
	 * start than the silence then allowed: a stall just after a Flex answer began must not go
	 * unnoticed until the start wait would have ended.
	 */
	const nap = new AbortController();
	const longerStart = limits.startTimeout > limits.idleTimeout;
	const watch = async () => {
		while (!released.signal.aborted) {
			const now = Date.now();
			const idleAt = lastActivity + allowedSilence();
			if (now >= deadlineAt) return end(new StreamTimeoutError('total', limits.timeout));
			if (now >= idleAt) return end(silence());
			const until =
				!begun && longerStart ? AbortSignal.any([released.signal, nap.signal]) : released.signal;
			await wait(Math.min(deadlineAt, idleAt) - now, until).catch(() => undefined);
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
		if (now - lastActivity >= allowedSilence()) return silence();
		return error;
	};

	/**
	 * The next read, ended early by the guard's failure. A promise of its own per read: racing
	 * every read against one long-pending promise would keep each chunk reachable from that
	 * promise until the stream ends, i.e. hold the whole response in memory. Only for a body
	 * that is not an event-emitting stream: a {@link BodyReader} is stopped directly.
	 */
	const nextRead = (reader: AsyncIterator<Buffer>) =>
		new Promise<IteratorResult<Buffer>>((resolve, reject) => {
			if (failure) return reject(failure);
			interrupt = reject;
			reader.next().then(resolve, reject);
		});

	/** The whole body was read: the connection ends by itself (n8n's agents keep none alive). */
	let complete = false;

	const pieces = isEventBody(body) ? new BodyReader(body) : undefined;
	const reader = pieces ?? body[Symbol.asyncIterator]();
	if (pieces) interrupt = (error) => pieces.stop(error);
	let received = 0;
	/** Reading threw or was given up: later reads are done, as after a generator's end. */
	let over = false;
	/** The pieces of the last read not handed on yet: counted, and handed on whatever comes. */
	let unread: Buffer[] = [];
	let nextUnread = 0;

	const read = async (): Promise<IteratorResult<Buffer>> => {
		if (over) return { done: true, value: undefined };
		if (nextUnread < unread.length) return { value: unread[nextUnread++], done: false };
		let result: IteratorResult<Buffer[] | Buffer>;
		try {
			if (failure) throw failure;
			result = await (pieces ? pieces.next() : nextRead(reader as AsyncIterator<Buffer>));
		} catch (error) {
			over = true;
			throw explain(error);
		}
		if (!pieces) interrupt = undefined;
		if (result.done) {
			over = true;
			complete = true;
			return result;
		}
		lastActivity = Date.now();
		if (!begun) {
			begun = true;
			if (longerStart) nap.abort(CLOSED);
		}
		// The whole read is counted before any of it is handed on, as when it came as one buffer.
		unread = Array.isArray(result.value) ? result.value : [result.value];
		for (const piece of unread) received += piece.length;
		if (received > limits.maxResponseBytes) {
			over = true;
			throw new GeminiStreamError(
				`The response exceeded the limit of ${limits.maxResponseBytes} bytes`,
			);
		}
		nextUnread = 1;
		return { value: unread[0], done: false };
	};

	/** The body as the reader sees it: read once, from the start. */
	const counted: AsyncIterableIterator<Buffer> = {
		[Symbol.asyncIterator]: () => counted,
		next: read,
		return: async () => {
			over = true;
			return { done: true, value: undefined };
		},
	};

	return {
		body: counted,
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
 * Sends `streamGenerateContent?alt=sse` and returns the response body as it streams in.
 * A non-2xx status throws {@link HttpStatusFailure} with the body read (bounded); errors
 * before any answer are {@link sendApiRequest}'s.
 */
export async function openGenerateStream(
	ctx: NodeContext,
	request: GenerateStreamRequest,
): Promise<OpenStream> {
	const { credential, model, body, limits, signal } = request;
	const startedAt = Date.now();
	const { response, connection } = await sendApiRequest<StreamBody>(ctx, credential, {
		method: 'POST',
		path: `${MODELS_PATH}/${encodeURIComponent(model)}:streamGenerateContent`,
		qs: { alt: 'sse' },
		body,
		stream: true,
		// A backstop only: our own timers give up first, with clearer messages. Without one, n8n
		// would apply its own default of 300 s, cutting off a model that thinks longer (or a Flex
		// request still in Google's queue). It times the socket's silences, the longest of which
		// may be the wait for the answer to start.
		socketTimeout:
			Math.min(
				limits.timeout,
				Math.max(limits.startTimeout, limits.idleTimeout),
				MAX_TIMER_MS - SOCKET_TIMEOUT_SLACK_MS,
			) + SOCKET_TIMEOUT_SLACK_MS,
		deadline:
			limits.timeout < limits.startTimeout
				? { ms: limits.timeout, kind: 'total' }
				: { ms: limits.startTimeout, kind: 'notStarted' },
		signal,
	});
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
