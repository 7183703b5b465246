/**
 * Shapes n8n items: one per input item for a collected answer, or one per SSE event.
 * Inline data the model returns (images, audio) becomes n8n binary data.
 */
import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import {
	type CollectedAnswer,
	type CollectedCandidate,
	textOf,
} from '../shared/gemini/answer-collector';
import { candidateOf } from '../shared/gemini/candidates';
import type { GeminiPart, GeminiResponseChunk } from '../shared/gemini/types';

function extensionOf(mimeType: string): string {
	const subtype = mimeType.split('/')[1]?.split(/[+;]/)[0];
	return subtype && /^[\w.-]+$/.test(subtype) ? subtype : 'bin';
}

/** Answer parts with inline data, as binary properties `data`, `data_1`, … */
async function binaryOf(
	ctx: IExecuteFunctions,
	parts: GeminiPart[] | undefined,
): Promise<IBinaryKeyData | undefined> {
	const binary: IBinaryKeyData = {};
	let count = 0;
	for (const part of parts ?? []) {
		const { inlineData } = part;
		if (part.thought || typeof inlineData?.data !== 'string') continue;
		const mimeType = inlineData.mimeType ?? 'application/octet-stream';
		const key = count === 0 ? 'data' : `data_${count}`;
		count++;
		binary[key] = await ctx.helpers.prepareBinaryData(
			Buffer.from(inlineData.data, 'base64'),
			`output_${count}.${extensionOf(mimeType)}`,
			mimeType,
		);
	}
	return count > 0 ? binary : undefined;
}

function candidateFields(candidate: CollectedCandidate): IDataObject {
	const functionCalls = candidate.content.parts
		.filter((part) => part.functionCall)
		.map((part) => part.functionCall as IDataObject);
	return {
		text: candidate.text,
		...(candidate.thoughts ? { thoughts: candidate.thoughts } : {}),
		finishReason: candidate.finishReason ?? null,
		...(candidate.finishMessage ? { finishMessage: candidate.finishMessage } : {}),
		...(functionCalls.length > 0 ? { functionCalls } : {}),
		...(candidate.safetyRatings ? { safetyRatings: candidate.safetyRatings } : {}),
		...(candidate.citationSources.length > 0
			? { citationMetadata: { citationSources: candidate.citationSources } }
			: {}),
		...(candidate.groundingMetadata ? { groundingMetadata: candidate.groundingMetadata } : {}),
	};
}

/** The `collect` output: the whole answer of one input item. */
export async function answerItem(
	ctx: IExecuteFunctions,
	answer: CollectedAnswer,
	itemIndex: number,
	rawChunks?: GeminiResponseChunk[],
): Promise<INodeExecutionData> {
	const [first, ...others] = answer.candidates;
	const json: IDataObject = {
		...(first ? candidateFields(first) : { text: '', finishReason: null }),
		...(answer.usageMetadata ? { usageMetadata: answer.usageMetadata } : {}),
		...(answer.modelVersion ? { modelVersion: answer.modelVersion } : {}),
		...(answer.responseId ? { responseId: answer.responseId } : {}),
		...(answer.promptFeedback ? { promptFeedback: answer.promptFeedback } : {}),
		chunkCount: answer.chunkCount,
		content: first?.content ?? { role: 'model', parts: [] },
		...(others.length > 0
			? {
					candidates: answer.candidates.map((candidate) => ({
						index: candidate.index,
						...candidateFields(candidate),
						content: candidate.content,
					})),
				}
			: {}),
		...(rawChunks ? { chunks: rawChunks } : {}),
	};
	const binary = await binaryOf(ctx, first?.content.parts);
	return { json, ...(binary ? { binary } : {}), pairedItem: { item: itemIndex } };
}

/** The `perChunk` output: one SSE event, with the deltas of its first candidate. */
export async function chunkItem(
	ctx: IExecuteFunctions,
	chunk: GeminiResponseChunk,
	chunkIndex: number,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const candidate = candidateOf(chunk);
	const parts = candidate?.content?.parts ?? [];
	const thoughts = textOf(parts, true);
	const json: IDataObject = {
		chunkIndex,
		text: textOf(parts, false),
		...(thoughts ? { thoughts } : {}),
		...(candidate?.finishReason ? { finishReason: candidate.finishReason } : {}),
		...(chunk.usageMetadata ? { usageMetadata: chunk.usageMetadata } : {}),
		chunk,
	};
	const binary = await binaryOf(ctx, parts);
	return { json, ...(binary ? { binary } : {}), pairedItem: { item: itemIndex } };
}

/**
 * Whether the node runs as an AI Agent's tool. n8n gives a node used as a tool the type name
 * with `Tool` appended, in both ways n8n calls tools (n8n's own Chat node tells the same way).
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * What an AI Agent gets back from the node as its tool: the answer's text (or its parsed JSON
 * in JSON mode) and any function calls, not the whole item. The agent puts every key of the
 * tool's output into the model's context.
 */
export function toolResultItem(
	answer: CollectedAnswer,
	itemIndex: number,
	json?: IDataObject[string],
): INodeExecutionData {
	const candidate = answer.candidates[0];
	const functionCalls = candidate?.content.parts
		.filter((part) => part.functionCall)
		.map((part) => part.functionCall as IDataObject);
	return {
		json: {
			...(json !== undefined ? { json } : { text: candidate?.text ?? '' }),
			...(functionCalls?.length ? { functionCalls } : {}),
		},
		pairedItem: { item: itemIndex },
	};
}
