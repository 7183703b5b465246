/**
 * The one way both nodes call the API: `streamGenerateContent` as an async iterable of response
 * chunks, one by one or as the lists each network read completed. Every request waits for a permit of the execution's rate limiter and tells it how the
 * API answered. Failures are retried by the one retry policy only until the first chunk was
 * handed on; after that, or when retries are used up, the stream throws the final,
 * user-facing error.
 */
import { AnswerCollector, carriesNothing } from '../gemini/answer-collector';
import {
	GeminiStreamError,
	readGeminiStreamBatches,
	StreamCutOffError,
} from '../gemini/sse-reader';
import type { GenerateContentRequest, GeminiResponseChunk } from '../gemini/types';
import { requestsPerMinuteOf } from '../gemini/quota-failure';
import { blockedPromptError } from '../runtime/blocked-prompt';
import type { NodeContext } from '../runtime/context';
import { wait } from '../runtime/wait';
import { apiCredentialOf } from './credentials';
import { classify, type Failure, isShedFlex, toNodeError } from './failures';
import { openGenerateStream, type StreamLimits } from './http-stream';
import { rateLimiterFor } from './rate-limits';
import { decideRetry, isRateLimit, type RetryPolicy, type UsedUp } from './retry-policy';

/** How one request is bounded and retried; the same for both nodes. */
export interface RequestOptions {
	limits: StreamLimits;
	/** Largest single SSE event, in characters. */
	maxEventChars: number;
	retry: RetryPolicy;
	/** Least time between the starts of two requests (Requests per Minute), in ms; 0 = none. */
	minIntervalMs: number;
}

export interface GenerateCall {
	model: string;
	body: GenerateContentRequest;
	options: RequestOptions;
	/** The item the request is made for; errors name it. */
	itemIndex: number;
	/** Most requests of this caller in flight at once (the node's Concurrency); no cap if unset. */
	concurrency?: number;
	/** The caller keeps every chunk (one item each): Max Response Size then counts what that holds. */
	keepsEveryChunk?: boolean;
	/** The caller's own abort (an item given up, an agent's call cancelled). */
	signal?: AbortSignal;
	/**
	 * Every chunk is added here just before it is handed on, so the caller has the whole
	 * answer when the stream ends and errors carry the text received so far.
	 */
	collector?: AnswerCollector;
}

/**
 * What an item made of one event holds beyond the event: the event parsed and its text delta
 * again (about twice the event's size), and the item around them.
 */
const BYTES_PER_CHUNK_ITEM = 512;

/**
 * Counts what a caller that keeps every chunk as an item holds, against Max Response Size:
 * counting only the bytes received let 488 MB of tiny events grow to about 3 GB of items.
 */
function keeper(limitBytes: number): (chars: number) => void {
	let kept = 0;
	let chunks = 0;
	return (chars) => {
		chunks++;
		kept += 2 * chars + BYTES_PER_CHUNK_ITEM;
		if (kept > limitBytes) {
			throw new GeminiStreamError(
				`The answer's ${chunks} chunks, one item each, would hold more than Max Response Size (${Number((limitBytes / 2 ** 20).toFixed(3))} MB)`,
			);
		}
	};
}

/** A 200 that carried no answer: an empty stream, only comments, or events of another API. */
function noAnswerError(events: number): GeminiStreamError {
	return new GeminiStreamError(
		events === 0
			? 'The API answered with an empty stream: no answer and no error'
			: `The API answered with ${events} events but no Gemini answer (no candidates, no promptFeedback)`,
	);
}

/** Aborted when the caller's signal or the execution's cancel signal is. */
function combinedSignal(ctx: NodeContext, signal?: AbortSignal): AbortSignal | undefined {
	const signals = [signal, ctx.getExecutionCancelSignal?.()].filter(
		(entry): entry is AbortSignal => entry !== undefined,
	);
	return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/**
 * Streams one answer, one chunk at a time. The stream ends normally only for a real answer: a
 * blocked prompt throws like any other failure. A request stopped on purpose (either signal)
 * throws without retry.
 */
export async function* streamGenerateContent(
	ctx: NodeContext,
	call: GenerateCall,
): AsyncGenerator<GeminiResponseChunk> {
	const collector = call.collector ?? new AnswerCollector();
	for await (const chunks of answerReads(ctx, call, collector)) {
		for (const chunk of chunks) {
			collector.add(chunk);
			yield chunk;
		}
	}
}

/**
 * Streams one answer as {@link streamGenerateContent} does, but hands on, at once, the list of
 * chunks each network read completed (never an empty one): for a caller with nothing to do per
 * chunk, or work it can do in a plain loop, this saves a hand-off per chunk.
 */
export async function* streamGenerateContentBatches(
	ctx: NodeContext,
	call: GenerateCall,
): AsyncGenerator<GeminiResponseChunk[]> {
	const collector = call.collector ?? new AnswerCollector();
	for await (const chunks of answerReads(ctx, call, collector)) {
		for (const chunk of chunks) collector.add(chunk);
		yield chunks;
	}
}

/**
 * The requests of one answer, retried as the policy says, as the chunks of each read. The
 * caller adds every chunk to `collector` before it hands the chunk on and before it asks for
 * the next read, so errors carry the text handed on and the end of the stream sees it all.
 */
async function* answerReads(
	ctx: NodeContext,
	call: GenerateCall,
	collector: AnswerCollector,
): AsyncGenerator<GeminiResponseChunk[]> {
	const { itemIndex, options } = call;
	const signal = combinedSignal(ctx, call.signal);
	const credential = await apiCredentialOf(ctx, itemIndex);
	const limiter = rateLimiterFor(credential, call.model);
	const place = {
		ticket: limiter.ticket(),
		ceiling: call.concurrency ?? Number.POSITIVE_INFINITY,
		minIntervalMs: options.minIntervalMs,
		maxWaitMs: options.retry.maxRetryDelay,
	};
	/** How many times the request was sent, for the error. */
	let tries = 0;
	const failWith = (failure: Failure, note?: string, usedUp?: UsedUp) =>
		toNodeError(failure, {
			node: ctx.getNode(),
			itemIndex,
			baseUrl: credential.baseUrl,
			partialText: collector.partialText,
			note,
			redact: credential.redact,
			usedUp,
			model: call.model,
			request: { serviceTier: call.body.serviceTier, cachedContent: call.body.cachedContent },
			tries,
		});
	let firstRateLimitAt: number | undefined;
	const keep = call.keepsEveryChunk ? keeper(options.limits.maxResponseBytes) : undefined;

	for (let retries = 0; ; ) {
		const permit = await limiter.acquire(place, signal);
		if ('exhausted' in permit) {
			// Used up by an earlier request for this model: the same error, nothing sent.
			const { failure, note, usedUp } = permit.exhausted;
			throw failWith(failure, note, usedUp);
		}
		let opened = false;
		let handedOn = false;
		let failure: Failure | undefined;
		tries++;
		try {
			const stream = await openGenerateStream(ctx, {
				credential,
				model: call.model,
				body: call.body,
				limits: options.limits,
				signal,
			});
			opened = true;
			permit.accepted();
			let events = 0;
			try {
				for await (const read of readGeminiStreamBatches(stream.body, {
					maxEventChars: options.maxEventChars,
					redact: credential.redact,
					onEvent: keep,
				})) {
					events += read.length;
					const chunks = read.filter((chunk) => !carriesNothing(chunk));
					if (chunks.length === 0) continue;
					handedOn = true;
					yield chunks;
				}
				if (!collector.hasAnswer) throw noAnswerError(events);
				if (!collector.isComplete) throw new StreamCutOffError(collector.partialText.length);
			} finally {
				stream.release();
			}
		} catch (error) {
			failure = classify(error, opened);
		} finally {
			permit.release();
		}

		if (!failure) {
			const blocked = blockedPromptError(ctx.getNode(), collector.result(), itemIndex);
			if (blocked) throw blocked;
			return;
		}
		const decision = decideRetry(failure, {
			retries,
			policy: options.retry,
			producedOutput: handedOn,
			signal,
			rateLimitedForMs: firstRateLimitAt === undefined ? 0 : Date.now() - firstRateLimitAt,
		});
		if (failure.kind === 'status') {
			if (isRateLimit(failure.error.statusCode)) {
				permit.refused({
					retryDelayMs: decision.retry ? decision.delayMs : undefined,
					quotaRequests: requestsPerMinuteOf(failure.quota),
				});
			} else permit.accepted();
		}
		if (!decision.retry) {
			const { usedUp, note } = decision;
			// A shed Flex request says Flex has no capacity, not that the key's quota is spent:
			// the model's Standard requests must not fail with it unsent.
			if (usedUp && !isShedFlex(failure, call.body.serviceTier)) {
				limiter.exhaust({ usedUp, note, failure, until: Date.now() + usedUp.forMs });
			}
			throw failWith(failure, note, usedUp);
		}
		if (decision.rateLimited) firstRateLimitAt ??= Date.now();
		if (decision.counted) retries++;
		await wait(decision.delayMs, signal);
	}
}
