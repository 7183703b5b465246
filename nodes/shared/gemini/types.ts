/**
 * The parts of Gemini's `generateContent` wire format this package reads or writes.
 * Every field is optional on the way in: real streams omit most of them in most chunks,
 * and unknown fields and enum values must pass through untouched.
 */
import type { IDataObject } from 'n8n-workflow';

export interface GeminiBlob extends IDataObject {
	mimeType?: string;
	/** The bytes, base64. */
	data?: string;
	/** Where the node put the bytes instead: a binary property of the item (not sent as is). */
	binaryProperty?: string;
}

export interface GeminiFunctionCall extends IDataObject {
	/** Set by Gemini 3; goes back on the call and on its `functionResponse`. */
	id?: string;
	name?: string;
	args?: IDataObject;
}

export interface GeminiPart extends IDataObject {
	text?: string;
	/** True when the part is a thought summary rather than answer text. */
	thought?: boolean;
	/** Opaque; must be sent back on the same part in the next turn. */
	thoughtSignature?: string;
	inlineData?: GeminiBlob;
	functionCall?: GeminiFunctionCall;
}

export interface GeminiContent extends IDataObject {
	role?: string;
	parts?: GeminiPart[];
}

export interface GeminiCandidate extends IDataObject {
	index?: number;
	content?: GeminiContent;
	finishReason?: string;
	finishMessage?: string;
	citationMetadata?: { citationSources?: IDataObject[] };
	groundingMetadata?: IDataObject;
}

export interface GeminiPromptFeedback extends IDataObject {
	blockReason?: string;
	blockReasonMessage?: string;
}

/** One SSE event of `streamGenerateContent?alt=sse`. */
export interface GeminiResponseChunk extends IDataObject {
	candidates?: GeminiCandidate[];
	promptFeedback?: GeminiPromptFeedback;
	/** Cumulative over the stream: the last one seen is the total. */
	usageMetadata?: IDataObject;
	modelVersion?: string;
	responseId?: string;
}

/** The `error` member of a google.rpc.Status error body. */
export interface GoogleRpcError {
	code?: number;
	message?: string;
	status?: string;
	details?: unknown[];
}

export interface GenerateContentRequest extends IDataObject {
	systemInstruction?: GeminiContent;
	contents: GeminiContent[];
	tools?: IDataObject[];
	toolConfig?: IDataObject;
	safetySettings?: IDataObject[];
	generationConfig?: IDataObject;
	/** A context cache's name, `cachedContents/{id}`; top level, not in generationConfig. */
	cachedContent?: string;
	/** `standard`, `flex` or `priority`; top level, not in generationConfig. */
	serviceTier?: string;
}
