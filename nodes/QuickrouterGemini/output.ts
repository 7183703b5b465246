/**
 * Shapes n8n items: one per input item for a collected answer, or one per SSE event. Media the
 * model returns (images, speech) goes to binary data (media.ts), never again into the JSON.
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
import { BinaryNames, mediaOf, SpeechAudio } from './media';

/** The function calls among a candidate's parts, in order. */
function functionCallsOf(candidate: CollectedCandidate | undefined): IDataObject[] {
	return (candidate?.content.parts ?? [])
		.filter((part) => part.functionCall)
		.map((part) => part.functionCall as IDataObject);
}

function candidateFields(candidate: CollectedCandidate): IDataObject {
	const functionCalls = functionCallsOf(candidate);
	return {
		...candidate.fields,
		text: candidate.text,
		...(candidate.thoughts ? { thoughts: candidate.thoughts } : {}),
		finishReason: candidate.finishReason ?? null,
		...(candidate.finishMessage ? { finishMessage: candidate.finishMessage } : {}),
		...(functionCalls.length > 0 ? { functionCalls } : {}),
		...(candidate.citationSources.length > 0
			? { citationMetadata: { citationSources: candidate.citationSources } }
			: {}),
	};
}

/**
 * A copy of a chunk whose inline parts have no bytes: the raw chunks of Include Raw Chunks, and
 * each item's `chunk` in One Item per Chunk mode (with its parts replaced).
 */
function chunkWithoutBytes(
	chunk: GeminiResponseChunk,
	replace?: { index: number; parts: GeminiPart[] },
): GeminiResponseChunk {
	if (
		!chunk.candidates?.some((candidate) =>
			candidate.content?.parts?.some((part) => part.inlineData),
		)
	) {
		return chunk;
	}
	return {
		...chunk,
		candidates: chunk.candidates.map((candidate) => {
			const parts = candidate.content?.parts;
			if (!parts || !candidate.content) return candidate;
			if (replace && (candidate.index ?? 0) === replace.index) {
				return { ...candidate, content: { ...candidate.content, parts: replace.parts } };
			}
			const lean = parts.map((part) =>
				part.inlineData ? { ...part, inlineData: { ...part.inlineData, data: undefined } } : part,
			);
			return { ...candidate, content: { ...candidate.content, parts: lean } };
		}),
	};
}

/** The `collect` output: the whole answer of one input item. */
export async function answerItem(
	ctx: IExecuteFunctions,
	answer: CollectedAnswer,
	itemIndex: number,
	rawChunks?: GeminiResponseChunk[],
): Promise<INodeExecutionData> {
	const names = new BinaryNames();
	const binary: IBinaryKeyData = {};
	const images: IDataObject[] = [];
	const shaped: Array<{
		candidate: CollectedCandidate;
		content: IDataObject;
		audio?: IDataObject;
	}> = [];
	for (const candidate of answer.candidates) {
		const audio = new SpeechAudio();
		const media = await mediaOf(ctx, candidate.content.parts, names, audio, false);
		Object.assign(binary, media.binary);
		images.push(...media.images);
		const written = audio.isEmpty ? undefined : await audio.write(ctx, names.next());
		if (written) Object.assign(binary, written.binary);
		shaped.push({
			candidate,
			content: { role: 'model', parts: media.parts },
			audio: written?.audio,
		});
	}
	const [first, ...others] = shaped;
	const json: IDataObject = {
		...answer.fields,
		...(first ? candidateFields(first.candidate) : { text: '', finishReason: null }),
		...(images.length > 0 ? { images } : {}),
		...(first?.audio ? { audio: first.audio } : {}),
		...(answer.usageMetadata ? { usageMetadata: answer.usageMetadata } : {}),
		...(answer.promptFeedback ? { promptFeedback: answer.promptFeedback } : {}),
		chunkCount: answer.chunkCount,
		content: first?.content ?? { role: 'model', parts: [] },
		...(others.length > 0
			? {
					candidates: shaped.map(({ candidate, content, audio }) => ({
						index: candidate.index,
						...candidateFields(candidate),
						...(audio ? { audio } : {}),
						content,
					})),
				}
			: {}),
		...(rawChunks ? { chunks: rawChunks.map((chunk) => chunkWithoutBytes(chunk)) } : {}),
	};
	const hasBinary = Object.keys(binary).length > 0;
	return { json, ...(hasBinary ? { binary } : {}), pairedItem: { item: itemIndex } };
}

/**
 * The `perChunk` output, one item per SSE event with the deltas of the first answer. The speech
 * audio of all chunks is written, as one WAV, onto the last item (finish()).
 */
export class ChunkItems {
	private readonly audio = new SpeechAudio();

	private last: { item: INodeExecutionData; names: BinaryNames } | undefined;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly itemIndex: number,
	) {}

	async item(chunk: GeminiResponseChunk, chunkIndex: number): Promise<INodeExecutionData> {
		const candidate = candidateOf(chunk);
		const parts = candidate?.content?.parts ?? [];
		const names = new BinaryNames();
		const media = await mediaOf(this.ctx, parts, names, this.audio, true);
		const thoughts = textOf(parts, true);
		const json: IDataObject = {
			chunkIndex,
			text: textOf(parts, false),
			...(thoughts ? { thoughts } : {}),
			...(candidate?.finishReason ? { finishReason: candidate.finishReason } : {}),
			...(media.images.length > 0 ? { images: media.images } : {}),
			...(chunk.usageMetadata ? { usageMetadata: chunk.usageMetadata } : {}),
			chunk: chunkWithoutBytes(chunk, { index: candidate?.index ?? 0, parts: media.parts }),
		};
		const hasBinary = Object.keys(media.binary).length > 0;
		const item: INodeExecutionData = {
			json,
			...(hasBinary ? { binary: media.binary } : {}),
			pairedItem: { item: this.itemIndex },
		};
		this.last = { item, names };
		return item;
	}

	/** Writes the answer's speech, if any, onto the last chunk's item. */
	async finish(): Promise<void> {
		if (this.audio.isEmpty || !this.last) return;
		const { item, names } = this.last;
		const { binary, audio } = await this.audio.write(this.ctx, names.next());
		item.binary = { ...item.binary, ...binary };
		item.json.audio = audio;
	}
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
	const functionCalls = functionCallsOf(candidate);
	return {
		json: {
			...(json !== undefined ? { json } : { text: candidate?.text ?? '' }),
			...(functionCalls.length > 0 ? { functionCalls } : {}),
		},
		pairedItem: { item: itemIndex },
	};
}
