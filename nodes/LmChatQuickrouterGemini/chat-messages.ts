/**
 * Chat messages of n8n's AI SDK (system / user / assistant / tool, with text, reasoning, file,
 * tool-call and tool-result content) <-> Gemini's `contents`, and SDK tools -> Gemini's
 * `functionDeclarations`. Types only come from the SDK, so this module loads without it.
 */
import type { Message, MessageContent, Tool } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';
import { randomBytes } from 'node:crypto';

import { isPlainObject, parseJsonOrUndefined } from '../shared/gemini/json';
import type { GeminiContent, GeminiPart } from '../shared/gemini/types';
import { restoreTurn } from './server-side-turns';

/**
 * Gemini 3 rejects a function-calling turn unless the first call of each step comes back with
 * the `thoughtSignature` it was sent with, and it numbers its calls (`functionCall.id`), asking
 * for the id back on the call and on its `functionResponse`. The tool-call id is the one field
 * of a call that n8n's AI Agent keeps through its tool round trip (it rebuilds the model's
 * message from the call's id, name and arguments; providerMetadata does not survive), so both
 * ride in it: `qr_<nonce>[.<Gemini's id, base64url>][~<signature>]`. Neither hex nor base64url
 * has `.` or `~`, and base64 has no `~`.
 */
const ID_PREFIX = 'qr_';
const GEMINI_ID_SEPARATOR = '.';
const SIGNATURE_SEPARATOR = '~';

/**
 * The signature Google documents for a function call that has none of its own, e.g. one made
 * by another model: it skips the check
 * (https://ai.google.dev/gemini-api/docs/thought-signatures#faqs).
 */
export const SKIP_SIGNATURE_CHECK = 'skip_thought_signature_validator';

export interface ToolCallRef {
	/** Gemini's `functionCall.id`, when it sent one. */
	geminiId?: string;
	signature?: string;
}

export function toolCallIdFor({ geminiId, signature }: ToolCallRef = {}): string {
	const nonce = `${ID_PREFIX}${randomBytes(6).toString('hex')}`;
	const id = geminiId
		? `${nonce}${GEMINI_ID_SEPARATOR}${Buffer.from(geminiId).toString('base64url')}`
		: nonce;
	return signature ? `${id}${SIGNATURE_SEPARATOR}${signature}` : id;
}

/** What a tool-call id made by {@link toolCallIdFor} carries; nothing for other ids. */
export function refOfToolCallId(id: string | undefined): ToolCallRef {
	if (!id?.startsWith(ID_PREFIX)) return {};
	const [head, signature] = id.split(SIGNATURE_SEPARATOR, 2);
	const at = head.indexOf(GEMINI_ID_SEPARATOR);
	const geminiId =
		at === -1 ? undefined : Buffer.from(head.slice(at + 1), 'base64url').toString('utf8');
	return {
		...(geminiId ? { geminiId } : {}),
		...(signature ? { signature } : {}),
	};
}

export function signatureOfToolCallId(id: string | undefined): string | undefined {
	return refOfToolCallId(id).signature;
}

/** JSON text parsed, or the text itself when it is not JSON (JSON never parses to undefined). */
function parseJson(text: string): unknown {
	const value = parseJsonOrUndefined(text);
	return value === undefined ? text : value;
}

/**
 * Tool-call arguments. When n8n replays a call it adds the call's id to its arguments as
 * `id`; that key is dropped, while an `id` argument the model itself chose is kept.
 */
function callArgs(input: string, toolCallId: string | undefined): IDataObject {
	const args = parseJson(input);
	if (!isPlainObject(args)) return {};
	const { id, ...rest } = args;
	return id !== undefined && id === toolCallId ? rest : args;
}

/** A tool result as a `functionResponse.response`, which must be an object. */
function responseOf(result: unknown, isError?: boolean): IDataObject {
	const value = typeof result === 'string' ? parseJson(result) : result;
	if (isError) return { error: value as IDataObject[string] };
	return isPlainObject(value) ? value : { result: value as IDataObject[string] };
}

function toBase64(data: string | Uint8Array): string {
	return typeof data === 'string' ? data : Buffer.from(data).toString('base64');
}

/** A file as inline data, or, when n8n hands over only its URL, as a `fileData` reference. */
function filePart(content: MessageContent & { type: 'file' }): GeminiPart | undefined {
	const mimeType = content.mediaType ?? 'application/octet-stream';
	if (content.data !== undefined && content.data !== '') {
		return { inlineData: { mimeType, data: toBase64(content.data) } };
	}
	const url = content.providerMetadata?.url;
	return typeof url === 'string' ? { fileData: { mimeType, fileUri: url } } : undefined;
}

/**
 * One content of a message as a Gemini part. A tool result is named after its call, or else
 * after the tool its message names (a memory window may have cut the call off).
 */
function partOf(
	content: MessageContent,
	callNames: Map<string, string>,
	messageName?: string,
): GeminiPart | undefined {
	switch (content.type) {
		case 'text':
			return { text: content.text };
		case 'reasoning':
			return { text: content.text, thought: true };
		case 'file':
			return filePart(content);
		case 'tool-call': {
			if (content.toolCallId) callNames.set(content.toolCallId, content.toolName);
			const { geminiId, signature } = refOfToolCallId(content.toolCallId);
			return {
				functionCall: {
					...(geminiId ? { id: geminiId } : {}),
					name: content.toolName,
					args: callArgs(content.input, content.toolCallId),
				},
				...(signature ? { thoughtSignature: signature } : {}),
			};
		}
		case 'tool-result': {
			const { geminiId } = refOfToolCallId(content.toolCallId);
			return {
				functionResponse: {
					...(geminiId ? { id: geminiId } : {}),
					name: callNames.get(content.toolCallId) ?? messageName ?? content.toolCallId,
					response: responseOf(content.result, content.isError),
				},
			};
		}
		default:
			// Citations, provider-specific and invalid tool-call content have no Gemini part.
			return undefined;
	}
}

const isCallsOnly = (turn: GeminiContent | undefined): turn is GeminiContent =>
	turn?.role === 'model' && (turn.parts ?? []).every((part) => part.functionCall);

const isResponsesOnly = (turn: GeminiContent | undefined): turn is GeminiContent =>
	turn?.role === 'user' && (turn.parts ?? []).every((part) => part.functionResponse);

const firstCall = (turn: GeminiContent) => turn.parts?.find((part) => part.functionCall);

/**
 * n8n's agent replays parallel calls as one call-and-result pair each. Gemini wants them as
 * they came: one model turn with every call (the signature on the first only), then one user
 * turn with every result. A pair whose call has no signature, right after a signed step, is
 * folded back into that step.
 */
function regroupParallelCalls(contents: GeminiContent[]): GeminiContent[] {
	const out: GeminiContent[] = [];
	for (let i = 0; i < contents.length; i++) {
		const turn = contents[i];
		const [calls, results] = [out[out.length - 2], out[out.length - 1]];
		const next = contents[i + 1];
		const folds =
			isCallsOnly(turn) &&
			!firstCall(turn)?.thoughtSignature &&
			isResponsesOnly(next) &&
			isResponsesOnly(results) &&
			calls?.role === 'model' &&
			firstCall(calls)?.thoughtSignature !== undefined;
		if (folds) {
			calls.parts = [...(calls.parts ?? []), ...(turn.parts ?? [])];
			results.parts = [...(results.parts ?? []), ...(next.parts ?? [])];
			i++;
		} else out.push(turn);
	}
	return out;
}

/**
 * The first call of each step must be signed (Gemini 3). A step that lost its signature (memory
 * written by another chat model, a history edited by hand) gets the documented placeholder
 * instead of failing the whole request.
 */
function signEveryStep(contents: GeminiContent[]): GeminiContent[] {
	return contents.map((turn) => {
		const first = turn.role === 'model' ? firstCall(turn) : undefined;
		if (!first || first.thoughtSignature) return turn;
		return {
			...turn,
			parts: (turn.parts ?? []).map((part) =>
				part === first ? { ...part, thoughtSignature: SKIP_SIGNATURE_CHECK } : part,
			),
		};
	});
}

export interface GeminiConversation {
	systemInstruction?: GeminiContent;
	contents: GeminiContent[];
}

/**
 * SDK messages -> `systemInstruction` and `contents`. Tool results become `functionResponse`
 * parts of a user turn, named after the call they answer; consecutive messages of one role
 * share a turn, as Gemini requires turns to alternate; a step with Google's own tools in it
 * comes back whole (server-side-turns.ts).
 */
export function toGeminiConversation(messages: Message[]): GeminiConversation {
	const system: string[] = [];
	const contents: GeminiContent[] = [];
	const callNames = new Map<string, string>();

	for (const message of messages) {
		if (message.role === 'system') {
			for (const content of message.content) if (content.type === 'text') system.push(content.text);
			continue;
		}
		const parts = message.content
			.map((content) => partOf(content, callNames, message.name))
			.filter((part): part is GeminiPart => part !== undefined);
		if (parts.length === 0) continue;
		const role = message.role === 'assistant' ? 'model' : 'user';
		const last = contents[contents.length - 1];
		if (last?.role === role) last.parts = [...(last.parts ?? []), ...parts];
		else contents.push({ role, parts });
	}
	return {
		...(system.length > 0 ? { systemInstruction: { parts: [{ text: system.join('\n\n') }] } } : {}),
		contents: signEveryStep(regroupParallelCalls(contents).map(restoreTurn)),
	};
}

/**
 * A tool's JSON Schema as Gemini's `parametersJsonSchema`, which takes JSON Schema (unlike
 * `parameters`, an OpenAPI subset that refuses most of it). Only what Google's API refuses
 * there is changed:
 * - `$schema` goes (documentation only; Google's own gemini-cli strips it before sending);
 * - a node with `$ref` keeps only `$`-keys, `description` and `default` (the API refuses other
 *   keys beside a `$ref`: "If `$ref` is set on a sub-schema, no other properties, except for
 *   those starting as a `$`, may be set", https://ai.google.dev/api/generate-content#FIELDS).
 * Property names under `properties` are data and are kept as they are.
 */
function forGemini(schema: unknown, root = true): unknown {
	if (Array.isArray(schema)) return schema.map((entry) => forGemini(entry, false));
	if (!isPlainObject(schema)) return schema;
	const isRef = typeof schema.$ref === 'string';
	const kept = Object.entries(schema).filter(
		([key]) =>
			!(root && key === '$schema') &&
			(!isRef || key.startsWith('$') || key === 'description' || key === 'default'),
	);
	return Object.fromEntries(
		kept.map(([key, value]) => [
			key,
			(key === 'properties' || key === '$defs' || key === 'definitions') && isPlainObject(value)
				? Object.fromEntries(
						Object.entries(value).map(([name, inner]) => [name, forGemini(inner, false)]),
					)
				: forGemini(value, false),
		]),
	);
}

/** A schema that takes no arguments: Gemini wants no parameters at all then. */
function takesNoArguments(schema: Record<string, unknown>): boolean {
	const { properties } = schema;
	return (
		(properties === undefined ||
			(isPlainObject(properties) && Object.keys(properties).length === 0)) &&
		(schema.additionalProperties === undefined || schema.additionalProperties === false) &&
		schema.anyOf === undefined &&
		schema.oneOf === undefined &&
		schema.$ref === undefined
	);
}

/** The JSON Schema of a tool's input; the SDK's tools may hold a Zod schema instead. */
export type SchemaOf = (tool: Tool) => Record<string, unknown>;

/** SDK function tools -> `functionDeclarations` entries, each schema as `parametersJsonSchema`. */
export function toFunctionDeclarations(tools: Tool[], schemaOf: SchemaOf): IDataObject[] {
	return tools
		.filter((tool) => tool.type === 'function')
		.map((tool) => {
			const schema = schemaOf(tool);
			return {
				name: tool.name,
				...(tool.description ? { description: tool.description } : {}),
				...(takesNoArguments(schema)
					? {}
					: { parametersJsonSchema: forGemini(schema) as IDataObject }),
			};
		});
}
