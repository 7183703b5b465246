/**
 * Bytes of a `streamGenerateContent?alt=sse` response -> Gemini response chunks, as they arrive.
 *
 * Layers: UTF-8 decoding that survives characters split across reads (utf8-reads.ts), SSE
 * framing by eventsource-parser, then JSON. Lines that are not SSE are kept (bounded) because Google
 * appends a bare google.rpc.Status JSON body to a 200 stream when it fails mid-answer (seen
 * pretty-printed outside SSE framing: maximhq/bifrost#5262; as a `data:` event too:
 * diegosouzapw/OmniRoute#4177).
 */
import { createParser, type ParseError } from 'eventsource-parser';

import {
	isPlainObject,
	MAX_JSON_DEPTH,
	mayNestDeeperThan,
	nestsDeeperThan,
	parseJsonOrUndefined,
} from './json';
import { describeRpcError, findRpcError } from './rpc-status';
import { type Redact, snippet } from './server-text';
import type { GeminiResponseChunk, GoogleRpcError } from './types';
import { Utf8Reads } from './utf8-reads';

/** Largest single SSE event accepted (characters); inline images make events large. */
const DEFAULT_MAX_EVENT_CHARS = 64 * 1024 * 1024;

/** How much non-SSE text is kept to explain a failure; the rest is dropped. */
const MAX_STRAY_CHARS = 64 * 1024;

/** The stream itself reported a failure, or could not be read as a Gemini stream. */
export class GeminiStreamError extends Error {
	constructor(
		message: string,
		/** Google's error, when the stream carried one. */
		readonly rpcError?: GoogleRpcError,
	) {
		super(message);
		this.name = 'GeminiStreamError';
	}
}

/**
 * The stream ended cleanly without a finish reason: Gemini ends every answer with one, so a
 * relay or proxy cut it off (at its own timeout, say). Retried like a broken connection.
 */
export class StreamCutOffError extends GeminiStreamError {
	constructor(chars: number) {
		super(
			`The answer ended without a finish reason after ${chars} characters: the stream was cut off`,
		);
		this.name = 'StreamCutOffError';
	}
}

export interface ReadStreamOptions {
	maxEventChars?: number;
	/** Applied to every event and any stray text before they are read: secrets out. */
	redact?: Redact;
	/** Told the size of each event as it is handed on (in characters); may throw to stop. */
	onEvent?: (chars: number) => void;
}

/** What in a parsed event is not the shape of a Gemini response, if anything. */
function shapeProblem(value: Record<string, unknown>): string | undefined {
	const { candidates, promptFeedback, usageMetadata } = value;
	if (promptFeedback !== undefined && !isPlainObject(promptFeedback)) {
		return 'promptFeedback is not an object';
	}
	if (usageMetadata !== undefined && !isPlainObject(usageMetadata)) {
		return 'usageMetadata is not an object';
	}
	if (candidates === undefined) return undefined;
	if (!Array.isArray(candidates)) return 'candidates is not a list';
	for (const candidate of candidates) {
		if (!isPlainObject(candidate)) return 'a candidate is not an object';
		const { content } = candidate;
		if (content === undefined) continue;
		if (!isPlainObject(content)) return "a candidate's content is not an object";
		if (content.parts === undefined) continue;
		if (!Array.isArray(content.parts)) return 'content.parts is not a list';
		for (const part of content.parts) {
			if (!isPlainObject(part)) return 'a part is not an object';
			if (part.text !== undefined && typeof part.text !== 'string')
				return "a part's text is not text";
		}
	}
	return undefined;
}

function parseEventData(data: string): GeminiResponseChunk | undefined {
	// Some relays end OpenAI-style streams with [DONE]; it carries nothing.
	if (data.trim() === '[DONE]') return undefined;
	const value = parseJsonOrUndefined(data);
	if (value === undefined) {
		throw new GeminiStreamError(
			`The stream sent an event that is not valid JSON: ${snippet(data)}`,
		);
	}
	const rpcError = findRpcError(value);
	if (rpcError) throw new GeminiStreamError(describeRpcError(rpcError), rpcError);
	// Relays that are not Gemini report errors as text: {"error": "quota exceeded"}.
	if (isPlainObject(value) && typeof value.error === 'string') {
		throw new GeminiStreamError(`The stream reported an error: ${snippet(value.error)}`);
	}
	if (!isPlainObject(value)) {
		throw new GeminiStreamError(
			`The stream sent an event that is not a Gemini response: ${snippet(data)}`,
		);
	}
	if (mayNestDeeperThan(data) && nestsDeeperThan(value)) {
		throw new GeminiStreamError(
			`The stream sent an event nested more than ${MAX_JSON_DEPTH} levels deep`,
		);
	}
	const problem = shapeProblem(value);
	if (problem) {
		throw new GeminiStreamError(
			`The stream sent an event that is not a Gemini response (${problem}): ${snippet(data)}`,
		);
	}
	return value as GeminiResponseChunk;
}

/** Explains the non-SSE text left over when the stream ended. */
function strayTextError(stray: string, sawEvents: boolean): GeminiStreamError {
	const rpcError = findRpcError(parseJsonOrUndefined(stray));
	if (rpcError) return new GeminiStreamError(describeRpcError(rpcError), rpcError);
	return new GeminiStreamError(
		sawEvents
			? `The stream ended with text that is not an SSE event: ${snippet(stray)}`
			: `The response is not an SSE stream: ${snippet(stray)}`,
	);
}

/**
 * Yields, for each read of an SSE byte stream, the Gemini response chunks whose events it
 * completed (in order, never an empty list), as soon as that read arrives: one hand-off per
 * read rather than per event, which for a fast stream of small events is most of the cost.
 * Throws {@link GeminiStreamError} for an error event, an appended error body, malformed JSON,
 * an oversized event or a body that is not SSE at all; the chunks before a bad event of the
 * same read are handed on first, as {@link readGeminiStream} would have.
 */
export async function* readGeminiStreamBatches(
	body: AsyncIterable<Uint8Array | string>,
	options: ReadStreamOptions = {},
): AsyncGenerator<GeminiResponseChunk[]> {
	const maxEventChars = options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS;
	const redact = options.redact ?? ((text: string) => text);
	const decoder = new Utf8Reads();
	let ready: string[] = [];
	let stray = '';
	let failure: GeminiStreamError | undefined;
	let sawEvents = false;

	const tooLarge = () =>
		new GeminiStreamError(`A stream event exceeded the limit of ${maxEventChars} characters`);
	const parser = createParser({
		// The parser bounds what it buffers across reads; an event that arrives whole in one
		// read is checked here.
		onEvent: (event) => {
			if (event.data.length > maxEventChars) failure ??= tooLarge();
			else ready.push(event.data);
		},
		onError: (error: ParseError) => {
			if (error.type === 'max-buffer-size-exceeded') {
				failure ??= tooLarge();
			} else if (error.line !== undefined && stray.length < MAX_STRAY_CHARS) {
				stray += `${error.line}\n`;
			}
		},
		maxBufferSize: maxEventChars,
	});

	/**
	 * The chunks of the events completed so far; `failed` when one of them (or its size) was
	 * refused, `error` saying why: the chunks before it are still handed on.
	 */
	function drain(): { chunks: GeminiResponseChunk[]; failed: boolean; error?: unknown } {
		if (failure) throw failure;
		const events = ready;
		ready = [];
		const chunks: GeminiResponseChunk[] = [];
		try {
			for (const data of events) {
				const chunk = parseEventData(redact(data));
				if (chunk) {
					options.onEvent?.(data.length);
					sawEvents = true;
					chunks.push(chunk);
				}
			}
		} catch (error) {
			return { chunks, failed: true, error };
		}
		return { chunks, failed: false };
	}

	for await (const piece of body) {
		// The bytes of a character split across reads wait for the next read.
		parser.feed(typeof piece === 'string' ? piece : decoder.decode(piece));
		// Most reads end mid-event: nothing to hand on yet.
		if (failure || ready.length > 0) {
			const drained = drain();
			if (drained.chunks.length > 0) yield drained.chunks;
			if (drained.failed) throw drained.error;
		}
	}
	// A last event with no blank line after it is still an event: end it explicitly.
	parser.feed(`${decoder.end()}\n\n`);
	const last = drain();
	if (last.chunks.length > 0) yield last.chunks;
	if (last.failed) throw last.error;

	if (stray.trim() !== '') throw strayTextError(redact(stray.trim()), sawEvents);
}

/**
 * Yields each Gemini response chunk of an SSE byte stream as soon as its event is complete;
 * {@link readGeminiStreamBatches} one by one.
 */
export async function* readGeminiStream(
	body: AsyncIterable<Uint8Array | string>,
	options: ReadStreamOptions = {},
): AsyncGenerator<GeminiResponseChunk> {
	for await (const chunks of readGeminiStreamBatches(body, options)) yield* chunks;
}
