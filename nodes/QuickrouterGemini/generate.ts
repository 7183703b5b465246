/**
 * One input item from parameters to output items: build the request, stream the answer
 * through the shared client, and shape it as one item or one item per chunk (and live to the
 * HTTP caller when the execution streams).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { AnswerCollector, type CollectedAnswer } from '../shared/gemini/answer-collector';
import type { GeminiResponseChunk } from '../shared/gemini/types';
import { withNote } from '../shared/runtime/errors';
import { streamGenerateContentBatches } from '../shared/transport/generate-stream';
import { InlineData, withAttachments, withBinaryRefsFilled } from './attachments';
import { jsonAnswerOf } from './json-answer';
import { LiveStream } from './live';
import { answerItem, ChunkItems, runsAsTool, toolResultItem } from './output';
import { buildItemRequest } from './request';

export interface ItemAnswer {
	model: string;
	answer: CollectedAnswer;
}

export interface ItemRun {
	/** The node's Concurrency: most requests in flight at once. */
	concurrency: number;
	/** Fires when the node gives this item up (an earlier item failed). */
	signal: AbortSignal;
}

/**
 * Produces the output items of one input item into `sink`, so that items already produced
 * (in per-chunk mode) are still there when a later part of the stream fails. Returns the whole
 * answer and the model asked, for the run's summary. As an AI Agent's tool, the node never streams to the caller
 * (the agent's own answer does) and gives back one compact item.
 */
export async function generateForItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sink: INodeExecutionData[],
	run: ItemRun,
): Promise<ItemAnswer> {
	const request = buildItemRequest(ctx, itemIndex);
	const { options } = request;
	const inline = new InlineData(ctx, itemIndex, options.maxInlineBytes);
	request.body.contents = await withAttachments(
		ctx,
		itemIndex,
		await withBinaryRefsFilled(ctx, itemIndex, request.body.contents, inline),
		{
			propertyNames: options.attachments,
			fileData: options.fileData,
			mediaResolution: options.attachmentMediaResolution,
		},
		inline,
	);
	const asTool = runsAsTool(ctx);
	const perChunk = request.outputMode === 'perChunk' && !asTool;
	const collector = new AnswerCollector();
	const rawChunks: GeminiResponseChunk[] | undefined =
		!perChunk && !asTool && options.includeRawChunks ? [] : undefined;
	const live = asTool ? undefined : LiveStream.open(ctx, itemIndex, options.live);
	const chunkItems = perChunk ? new ChunkItems(ctx, itemIndex) : undefined;

	let failure: Error | undefined;
	try {
		// Each network read's chunks at once: a Whole Answer has nothing to do per chunk, and
		// the chunks of one read arrived together, so none waits for another to be handed on.
		let chunkIndex = 0;
		for await (const chunks of streamGenerateContentBatches(ctx, {
			model: request.model,
			body: request.body,
			options,
			itemIndex,
			concurrency: run.concurrency,
			keepsEveryChunk: perChunk,
			signal: run.signal,
			collector,
		})) {
			if (!chunkItems && !rawChunks && !live) continue;
			for (const chunk of chunks) {
				if (chunkItems) sink.push(await chunkItems.item(chunk, chunkIndex));
				chunkIndex++;
				rawChunks?.push(chunk);
				if (live) await live.send(chunk);
			}
		}
	} catch (error) {
		failure = error as Error;
	}
	if (failure) {
		// When the node itself fails, n8n sends the caller an error chunk of its own.
		if (ctx.continueOnFail()) await live?.close(failure);
		throw withSizeNote(failure, inline);
	}

	await live?.close();
	const answer = collector.result();
	if (chunkItems) {
		await chunkItems.finish();
		return { model: request.model, answer };
	}
	const json =
		request.body.generationConfig?.responseMimeType === 'application/json'
			? jsonAnswerOf(ctx.getNode(), answer.candidates[0], itemIndex)
			: undefined;
	if (asTool) {
		sink.push(toolResultItem(answer, itemIndex, json));
	} else {
		const item = await answerItem(ctx, answer, itemIndex, rawChunks);
		if (json !== undefined) item.json.json = json;
		sink.push(item);
	}
	return { model: request.model, answer };
}

/**
 * The API refuses a request too large for it with a 400 ("Request payload size exceeds the
 * limit: N bytes.", seen from the Gemini API) or, through some proxies, a 413: say what this
 * request sent inline.
 */
function withSizeNote(error: Error, inline: InlineData): Error {
	const described = error as Error & { httpCode?: string | null; description?: string | null };
	const tooLarge = described.httpCode === '413' || /payload size exceeds/i.test(described.message);
	if (tooLarge) withNote(described, inline.describe());
	return error;
}
