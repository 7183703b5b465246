/**
 * One input item from parameters to output items: build the request, stream the answer,
 * and shape it as one collected item or one item per chunk.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { AnswerCollector, blockedPromptReason } from './collect';
import { blockedPromptError, streamFailureError } from './errors';
import { answerItem, chunkItem } from './output';
import { buildItemRequest } from './request';
import { GeminiStreamError, readGeminiStream } from './stream';
import { openGenerateStream, RequestTimeoutError } from './transport';
import type { GeminiResponseChunk } from './types';

function interruptedError(
	ctx: IExecuteFunctions,
	error: unknown,
	partialText: string,
	itemIndex: number,
) {
	if (error instanceof GeminiStreamError) {
		return streamFailureError(ctx.getNode(), error.message, partialText, itemIndex, error.rpcError);
	}
	const reason =
		error instanceof RequestTimeoutError
			? error.message
			: `The stream was interrupted: ${error instanceof Error ? error.message : String(error)}`;
	return streamFailureError(ctx.getNode(), reason, partialText, itemIndex);
}

/**
 * Produces the output items of one input item into `sink`, so that items already produced
 * (in per-chunk mode) are still there when a later part of the stream fails.
 */
export async function generateForItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sink: INodeExecutionData[],
): Promise<void> {
	const request = buildItemRequest(ctx, itemIndex);
	const perChunk = request.outputMode === 'perChunk';
	const rawChunks: GeminiResponseChunk[] | undefined =
		!perChunk && request.options.includeRawChunks ? [] : undefined;
	const collector = new AnswerCollector();

	const stream = await openGenerateStream(ctx, {
		itemIndex,
		model: request.model,
		body: request.body,
		timeout: request.options.timeout,
	});
	try {
		let chunkIndex = 0;
		for await (const chunk of readGeminiStream(stream.body)) {
			if (perChunk) sink.push(await chunkItem(ctx, chunk, chunkIndex++, itemIndex));
			rawChunks?.push(chunk);
			collector.add(chunk);
		}
	} catch (error) {
		throw interruptedError(ctx, error, collector.partialText, itemIndex);
	} finally {
		stream.release();
	}

	const answer = collector.result();
	const blockReason = blockedPromptReason(answer);
	if (blockReason) {
		throw blockedPromptError(
			ctx.getNode(),
			blockReason,
			answer.promptFeedback?.blockReasonMessage,
			itemIndex,
		);
	}
	if (!perChunk) sink.push(await answerItem(ctx, answer, itemIndex, rawChunks));
}
