/**
 * One input item from parameters to output items: build the request, stream the answer
 * through the shared client, and shape it as one item or one item per chunk (and live to the
 * HTTP caller when the execution streams).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { AnswerCollector } from '../shared/gemini/answer-collector';
import type { GeminiResponseChunk } from '../shared/gemini/types';
import { streamGenerateContent } from '../shared/transport/generate-stream';
import { withAttachments } from './attachments';
import { jsonAnswerOf } from './json-answer';
import { LiveStream } from './live';
import { answerItem, chunkItem } from './output';
import { buildItemRequest } from './request';

export interface ItemRun {
	/** The node's Concurrency: most requests in flight at once. */
	concurrency: number;
	/** Fires when the node gives this item up (an earlier item failed). */
	signal: AbortSignal;
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
	const { options } = request;
	request.body.contents = await withAttachments(
		ctx,
		itemIndex,
		request.body.contents,
		options.attachments,
		options.fileData,
	);
	const collector = new AnswerCollector();
	const rawChunks: GeminiResponseChunk[] | undefined =
		request.outputMode === 'collect' && options.includeRawChunks ? [] : undefined;
	const live = LiveStream.open(ctx, itemIndex, options.live);

	let failure: Error | undefined;
	try {
		for await (const chunk of streamGenerateContent(ctx, {
			model: request.model,
			body: request.body,
			options,
			itemIndex,
			concurrency: run.concurrency,
			signal: run.signal,
			collector,
		})) {
			if (request.outputMode === 'perChunk') {
				sink.push(await chunkItem(ctx, chunk, collector.chunkCount - 1, itemIndex));
			}
			rawChunks?.push(chunk);
			if (live) await live.send(chunk);
		}
	} catch (error) {
		failure = error as Error;
	}
	if (failure) {
		// When the node itself fails, n8n sends the caller an error chunk of its own.
		if (ctx.continueOnFail()) await live?.close(failure);
		throw failure;
	}

	await live?.close();
	if (request.outputMode === 'collect') {
		const answer = collector.result();
		const item = await answerItem(ctx, answer, itemIndex, rawChunks);
		if (request.body.generationConfig?.responseMimeType === 'application/json') {
			const json = jsonAnswerOf(ctx.getNode(), answer.candidates[0], itemIndex);
			if (json !== undefined) item.json.json = json;
		}
		sink.push(item);
	}
}
