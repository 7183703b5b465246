/**
 * Chat messages of n8n's AI SDK (@n8n/ai-node-sdk: system / user / assistant / tool, with
 * text, reasoning, file, tool-call and tool-result content) <-> Gemini's `contents`.
 *
 * Groundwork for the chat model sub-node (issue #7). The types below restate the SDK's
 * (`@n8n/ai-utilities` types/message.d.ts, 0.34.1 inside n8n 2.41.1) so this module has no
 * dependency; the sub-node will import the SDK's own.
 */
import type { IDataObject } from 'n8n-workflow';

import type { GeminiContent, GeminiPart } from '../QuickrouterGemini/types';

interface ContentMetadata {
	providerMetadata?: Record<string, unknown>;
}

export type ChatContent = ContentMetadata &
	(
		| { type: 'text'; text: string }
		| { type: 'reasoning'; text: string }
		| { type: 'file'; mediaType?: string; data: string | Uint8Array }
		| { type: 'tool-call'; toolCallId?: string; toolName: string; input: string }
		| { type: 'tool-result'; toolCallId: string; result: unknown; isError?: boolean }
	);

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool';
	content: ChatContent[];
}

export interface ChatTool {
	name: string;
	description?: string;
	/** JSON Schema of the arguments. */
	inputSchema?: Record<string, unknown>;
}

/** Where a part's thought signature travels in SDK content: `providerMetadata.gemini`. */
const PROVIDER = 'gemini';

function signatureOf(content: ContentMetadata): string | undefined {
	const gemini = content.providerMetadata?.[PROVIDER] as { thoughtSignature?: unknown } | undefined;
	return typeof gemini?.thoughtSignature === 'string' ? gemini.thoughtSignature : undefined;
}

function withSignature(part: GeminiPart, content: ContentMetadata): GeminiPart {
	const signature = signatureOf(content);
	return signature ? { ...part, thoughtSignature: signature } : part;
}

function metadataFor(part: GeminiPart): ContentMetadata {
	return part.thoughtSignature
		? { providerMetadata: { [PROVIDER]: { thoughtSignature: part.thoughtSignature } } }
		: {};
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/** Tool-call arguments; n8n adds an `id` key to replayed calls, which the function never declared. */
function callArgs(input: string): IDataObject {
	const args = parseJson(input);
	if (typeof args !== 'object' || args === null || Array.isArray(args)) return {};
	const rest = { ...(args as IDataObject) };
	delete rest.id;
	return rest;
}

/** A tool result as a `functionResponse.response` object, which must be an object. */
function responseOf(result: unknown, isError?: boolean): IDataObject {
	const value = typeof result === 'string' ? parseJson(result) : result;
	if (isError) return { error: value as IDataObject[string] };
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: { result: value as IDataObject[string] };
}

function toBase64(data: string | Uint8Array): string {
	return typeof data === 'string' ? data : Buffer.from(data).toString('base64');
}

export interface GeminiConversation {
	systemInstruction?: GeminiContent;
	contents: GeminiContent[];
}

/**
 * SDK messages -> `systemInstruction` and `contents`. Tool results become `functionResponse`
 * parts of a user turn, named after the call they answer; consecutive messages of one role
 * share a turn, so parallel calls and their results each stay together, as Gemini requires.
 */
export function toGeminiConversation(messages: ChatMessage[]): GeminiConversation {
	const system: string[] = [];
	const contents: GeminiContent[] = [];
	const callNames = new Map<string, string>();
	const push = (role: 'user' | 'model', parts: GeminiPart[]) => {
		if (parts.length === 0) return;
		const last = contents[contents.length - 1];
		if (last?.role === role) last.parts = [...(last.parts ?? []), ...parts];
		else contents.push({ role, parts });
	};

	for (const message of messages) {
		const parts: GeminiPart[] = [];
		for (const content of message.content) {
			switch (content.type) {
				case 'text':
					if (message.role === 'system') system.push(content.text);
					else parts.push(withSignature({ text: content.text }, content));
					break;
				case 'reasoning':
					parts.push(withSignature({ text: content.text, thought: true }, content));
					break;
				case 'file':
					parts.push({
						inlineData: {
							mimeType: content.mediaType ?? 'application/octet-stream',
							data: toBase64(content.data),
						},
					});
					break;
				case 'tool-call':
					if (content.toolCallId) callNames.set(content.toolCallId, content.toolName);
					parts.push(
						withSignature(
							{ functionCall: { name: content.toolName, args: callArgs(content.input) } },
							content,
						),
					);
					break;
				case 'tool-result':
					parts.push({
						functionResponse: {
							name: callNames.get(content.toolCallId) ?? content.toolCallId,
							response: responseOf(content.result, content.isError),
						},
					});
					break;
			}
		}
		if (message.role !== 'system') push(message.role === 'assistant' ? 'model' : 'user', parts);
	}
	return {
		...(system.length > 0 ? { systemInstruction: { parts: [{ text: system.join('\n\n') }] } } : {}),
		contents,
	};
}

/** Gemini's parts of an answer -> SDK content, each signature kept on the content it came with. */
export function fromGeminiParts(parts: GeminiPart[], callIdPrefix = 'call'): ChatContent[] {
	let calls = 0;
	const content: ChatContent[] = [];
	for (const part of parts) {
		if (part.functionCall) {
			content.push({
				type: 'tool-call',
				toolCallId: `${callIdPrefix}_${calls++}`,
				toolName: String(part.functionCall.name ?? ''),
				input: JSON.stringify(part.functionCall.args ?? {}),
				...metadataFor(part),
			});
		} else if (typeof part.text === 'string') {
			content.push({
				type: part.thought ? 'reasoning' : 'text',
				text: part.text,
				...metadataFor(part),
			});
		}
	}
	return content;
}

/** JSON Schema keywords Gemini's function declarations reject. */
const UNSUPPORTED_SCHEMA_KEYS = new Set(['additionalProperties', '$schema']);

function cleanSchema(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(cleanSchema);
	if (typeof value !== 'object' || value === null) return value;
	return Object.fromEntries(
		Object.entries(value)
			.filter(([key]) => !UNSUPPORTED_SCHEMA_KEYS.has(key))
			.map(([key, inner]) => [key, cleanSchema(inner)]),
	);
}

/** SDK tools -> one `functionDeclarations` tool entry, schemas cleaned for Gemini. */
export function toFunctionDeclarations(tools: ChatTool[]): IDataObject[] {
	return tools.map((tool) => ({
		name: tool.name,
		...(tool.description ? { description: tool.description } : {}),
		...(tool.inputSchema ? { parameters: cleanSchema(tool.inputSchema) as IDataObject } : {}),
	}));
}
