/**
 * Folds the chunks of one streamed answer into the whole answer, the way Gemini's own SDKs do:
 * text deltas joined, thought summaries kept apart, the last cumulative usage kept. Every other
 * field of the response and of each candidate is kept as the last chunk that carried it sent
 * it, known or not (`urlContextMetadata` comes in the first chunk only, `groundingMetadata` is
 * `{}` until the last): the node does not choose what of the answer a user may see.
 */
import type { IDataObject } from 'n8n-workflow';

import type {
	GeminiCandidate,
	GeminiContent,
	GeminiPart,
	GeminiPromptFeedback,
	GeminiResponseChunk,
} from './types';

export interface CollectedCandidate {
	index: number;
	/** Answer text, thought parts excluded; filled in by result(). */
	text: string;
	/** Thought-summary text; filled in by result(). */
	thoughts: string;
	/** The answer as a `model` turn, ready to be appended to the next request's `contents`. */
	content: { role: 'model'; parts: GeminiPart[] };
	finishReason?: string;
	finishMessage?: string;
	citationSources: IDataObject[];
	/** The candidate's other fields (safetyRatings, groundingMetadata, anything newer). */
	fields: IDataObject;
}

export interface CollectedAnswer {
	candidates: CollectedCandidate[];
	chunkCount: number;
	usageMetadata?: IDataObject;
	promptFeedback?: GeminiPromptFeedback;
	/** The response's other fields (modelVersion, responseId, anything newer). */
	fields: IDataObject;
}

/** Candidate fields folded above; the others are kept as they come. */
const FOLDED_CANDIDATE_FIELDS = new Set([
	'index',
	'content',
	'citationMetadata',
	'finishReason',
	'finishMessage',
]);

/** Response fields folded above; the others are kept as they come. */
const FOLDED_RESPONSE_FIELDS = new Set(['candidates', 'usageMetadata', 'promptFeedback']);

/**
 * Copies into `fields` every field of `from` that is not folded, a later value replacing.
 * Own enumerable fields, as Object.entries lists them, without building that list per chunk.
 */
function keepOthers(fields: IDataObject, from: IDataObject, folded: Set<string>): void {
	for (const key in from) {
		if (!Object.hasOwn(from, key) || folded.has(key)) continue;
		const value = from[key];
		if (value !== undefined) fields[key] = value;
	}
}

/** Whether the part has no own field but its text, thought flag and signature. */
function isTextOnly(part: GeminiPart): boolean {
	for (const key in part) {
		if (!Object.hasOwn(part, key)) continue;
		if (key !== 'text' && key !== 'thought' && key !== 'thoughtSignature') return false;
	}
	return true;
}

/**
 * Google's guidance for thought signatures: never merge a part that carries one with another
 * part, so only signature-free text parts of the same kind are joined.
 */
function canMerge(previous: GeminiPart | undefined, next: GeminiPart): previous is GeminiPart {
	return (
		previous !== undefined &&
		typeof previous.text === 'string' &&
		typeof next.text === 'string' &&
		isTextOnly(previous) &&
		isTextOnly(next) &&
		previous.thoughtSignature === undefined &&
		next.thoughtSignature === undefined &&
		Boolean(previous.thought) === Boolean(next.thought)
	);
}

/**
 * The text of the parts of one kind. A single part's string is returned as it is, so the
 * item's `text` and its `content` share one string instead of holding the answer twice.
 */
export function textOf(parts: GeminiPart[], thought: boolean): string {
	const matching = parts.filter(
		(part) => typeof part.text === 'string' && Boolean(part.thought) === thought,
	);
	return matching.length === 1
		? (matching[0].text as string)
		: matching.map((part) => part.text).join('');
}

function newCandidate(index: number): CollectedCandidate {
	return {
		index,
		text: '',
		thoughts: '',
		content: { role: 'model', parts: [] },
		citationSources: [],
		fields: {},
	};
}

export class AnswerCollector {
	private readonly byIndex = new Map<number, CollectedCandidate>();

	private readonly answer: CollectedAnswer = { candidates: [], chunkCount: 0, fields: {} };

	/** Citation sources already kept, by candidate. */
	private readonly citationKeys = new Set<string>();

	/** Whether result() is up to date with every chunk added. */
	private settled = false;

	add(chunk: GeminiResponseChunk): void {
		this.settled = false;
		this.answer.chunkCount++;
		if (chunk.usageMetadata) this.answer.usageMetadata = chunk.usageMetadata;
		if (chunk.promptFeedback) this.answer.promptFeedback = chunk.promptFeedback;
		keepOthers(this.answer.fields, chunk, FOLDED_RESPONSE_FIELDS);
		for (const candidate of chunk.candidates ?? []) this.addCandidate(candidate);
	}

	get chunkCount(): number {
		return this.answer.chunkCount;
	}

	/** Whether any chunk was a Gemini answer: candidates, or a prompt's feedback. */
	get hasAnswer(): boolean {
		return this.answer.candidates.length > 0 || this.answer.promptFeedback !== undefined;
	}

	/**
	 * Whether the answer ended as Gemini ends every answer: a candidate with a finish reason
	 * (in any chunk), or a prompt refused outright. Anything else was cut off on the way.
	 */
	get isComplete(): boolean {
		return (
			this.answer.candidates.some((candidate) => candidate.finishReason !== undefined) ||
			this.answer.promptFeedback?.blockReason !== undefined
		);
	}

	/** Answer text of the first candidate so far; kept in errors that interrupt the stream. */
	get partialText(): string {
		const first = this.byIndex.get(0);
		return first ? textOf(first.content.parts, false) : '';
	}

	/** The whole answer so far; cheap to call again when no chunk came in between. */
	result(): CollectedAnswer {
		if (this.settled) return this.answer;
		this.settled = true;
		this.answer.candidates.sort((a, b) => a.index - b.index);
		for (const candidate of this.answer.candidates) {
			candidate.text = textOf(candidate.content.parts, false);
			candidate.thoughts = textOf(candidate.content.parts, true);
		}
		return this.answer;
	}

	private candidate(index: number): CollectedCandidate {
		let collected = this.byIndex.get(index);
		if (!collected) {
			collected = newCandidate(index);
			this.byIndex.set(index, collected);
			this.answer.candidates.push(collected);
		}
		return collected;
	}

	private addCandidate(candidate: GeminiCandidate): void {
		const collected = this.candidate(candidate.index ?? 0);
		if (candidate.finishReason) collected.finishReason = candidate.finishReason;
		if (candidate.finishMessage) collected.finishMessage = candidate.finishMessage;
		keepOthers(collected.fields, candidate, FOLDED_CANDIDATE_FIELDS);
		// Each chunk repeats the sources found so far (Google's recorded streams, and its SDK
		// keeps only the last list): keep each source once.
		for (const source of candidate.citationMetadata?.citationSources ?? []) {
			const key = `${collected.index} ${JSON.stringify(source)}`;
			if (this.citationKeys.has(key)) continue;
			this.citationKeys.add(key);
			collected.citationSources.push(source);
		}
		this.addParts(collected, candidate.content);
	}

	private addParts(collected: CollectedCandidate, content: GeminiContent | undefined): void {
		const parts = collected.content.parts;
		for (const part of content?.parts ?? []) {
			// An empty text part matters only when it carries a signature.
			if (part.text === '' && part.thoughtSignature === undefined && isTextOnly(part)) continue;
			const previous = parts[parts.length - 1];
			if (canMerge(previous, part)) previous.text += part.text as string;
			else parts.push({ ...part });
		}
	}
}

/**
 * An event with nothing of an answer in it: a relay's keep-alive (`{}`), or an event of another
 * API (OpenAI's `choices`). It makes no item and no chunk.
 */
export function carriesNothing(chunk: GeminiResponseChunk): boolean {
	return (
		(chunk.candidates === undefined || chunk.candidates.length === 0) &&
		chunk.promptFeedback === undefined &&
		chunk.usageMetadata === undefined
	);
}

/** The reason a prompt was refused, when the stream carried a block and no answer at all. */
export function blockedPromptReason(answer: CollectedAnswer): string | undefined {
	const reason = answer.promptFeedback?.blockReason;
	if (!reason) return undefined;
	const answered = answer.candidates.some((candidate) => candidate.content.parts.length > 0);
	return answered ? undefined : reason;
}
