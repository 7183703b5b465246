/**
 * One input item from parameters to output items: build the request, stream the answer,
 * retry what is worth retrying, and shape the answer as one item or one item per chunk.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { withAttachments } from './attachments';
import { AnswerCollector } from './collect';
import { blockedPromptError, invalidJsonAnswerError } from './errors';
import { classify, decideRetry, type Failure, toNodeError } from './failures';
import { LiveStream } from './live';
import { answerItem, chunkItem } from './output';
import { buildItemRequest, type ItemRequest } from './request';
import type { RateLimitGate } from './retry';
import { readGeminiStream } from './stream';
import { baseUrlOf, openGenerateStream } from './transport';
import type { GeminiResponseChunk } from './types';
import { wait } from './wait';

export interface ItemRun {
	/** Shared by all items of the execution, so rate limits hold every request back. */
	gate: RateLimitGate;
	/** Fires when the execution is stopped, or when the node gives this item up. */
	signal: AbortSignal;
}

/** What one attempt got to before it ended. */
interface Progress {
	opened: boolean;
	collector: AnswerCollector;
	rawChunks?: GeminiResponseChunk[];
	/** Present when the execution streams its answer to the HTTP caller. */
	live?: LiveStream;
}

/** One try: sends the request and reads the stream to its end, filling `progress` as it goes. */
async function streamOnce(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: ItemRequest,
	baseUrl: string,
	sink: INodeExecutionData[],
	progress: Progress,
	signal: AbortSignal,
): Promise<void> {
	const { options } = request;
	const { collector, rawChunks, live } = progress;
	const stream = await openGenerateStream(ctx, {
		baseUrl,
		model: request.model,
		body: request.body,
		limits: options.limits,
		signal,
	});
	progress.opened = true;
	try {
		for await (const chunk of readGeminiStream(stream.body, {
			maxEventChars: options.maxEventChars,
		})) {
			if (request.outputMode === 'perChunk') {
				sink.push(await chunkItem(ctx, chunk, collector.chunkCount, itemIndex));
			}
			rawChunks?.push(chunk);
			collector.add(chunk);
			if (live) await live.send(chunk);
		}
	} finally {
		stream.release();
	}
}

/** JSON mode: the answer, parsed; an answer that is not JSON is an error keeping the text. */
function parseJsonAnswer(
	ctx: IExecuteFunctions,
	text: string,
	itemIndex: number,
): IDataObject[string] {
	try {
		return JSON.parse(text) as IDataObject[string];
	} catch (error) {
		throw invalidJsonAnswerError(ctx.getNode(), (error as Error).message, text, itemIndex);
	}
}

/** The stream ended well: a refused prompt is still an error; otherwise emit the answer. */
async function finish(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: ItemRequest,
	sink: INodeExecutionData[],
	progress: Progress,
): Promise<void> {
	const answer = progress.collector.result();
	const blocked = blockedPromptError(ctx.getNode(), answer, itemIndex);
	if (blocked) throw blocked;
	await progress.live?.close();
	if (request.outputMode === 'collect') {
		const item = await answerItem(ctx, answer, itemIndex, progress.rawChunks);
		if (request.body.generationConfig?.responseMimeType === 'application/json') {
			item.json.json = parseJsonAnswer(ctx, String(item.json.text), itemIndex);
		}
		sink.push(item);
	}
}

/**
 * Produces the output items of one input item into `sink`, so that items already produced
 * (in per-chunk mode) are still there when a later part of the stream fails.
 */
export async function generateForItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sink: INodeExecutionData[],
	run: ItemRun,
): Promise<void> {
	const request = buildItemRequest(ctx, itemIndex);
	request.body.contents = await withAttachments(
		ctx,
		itemIndex,
		request.body.contents,
		request.options.attachments,
		request.options.fileData,
	);
	const baseUrl = await baseUrlOf(ctx, itemIndex);
	const { retry } = request.options;

	for (let attempt = 0; ; attempt++) {
		await run.gate.wait(run.signal);
		const progress: Progress = {
			opened: false,
			collector: new AnswerCollector(),
			rawChunks:
				request.outputMode === 'collect' && request.options.includeRawChunks ? [] : undefined,
			live: LiveStream.open(ctx, itemIndex, request.options.live),
		};
		let failure: Failure | undefined;
		try {
			await streamOnce(ctx, itemIndex, request, baseUrl, sink, progress, run.signal);
		} catch (error) {
			failure = classify(error, progress.opened);
		}
		if (!failure) return await finish(ctx, itemIndex, request, sink, progress);

		// Once any chunk arrived, a retry could repeat or change the answer: never retry then.
		const decision = decideRetry(failure, {
			attempt,
			policy: retry,
			producedOutput: progress.collector.chunkCount > 0,
			signal: run.signal,
		});
		if (!decision.retry) {
			const error = toNodeError(failure, {
				node: ctx.getNode(),
				itemIndex,
				baseUrl,
				partialText: progress.collector.partialText,
				note: decision.note,
			});
			// When the node itself fails, n8n sends the caller an error chunk of its own.
			if (ctx.continueOnFail()) await progress.live?.close(error);
			throw error;
		}
		if (decision.rateLimited) run.gate.holdFor(decision.delayMs);
		await wait(decision.delayMs, run.signal);
	}
}
