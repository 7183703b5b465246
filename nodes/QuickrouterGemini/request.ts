/**
 * Node parameters of one item -> the `streamGenerateContent` request body, validated before
 * anything is sent. Every error names the item and the field the user has to fix.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { isPlainObject } from '../shared/gemini/json';
import type { GeminiContent, GenerateContentRequest } from '../shared/gemini/types';
import { parameterError } from '../shared/runtime/errors';
import { readJsonParameter } from '../shared/parameters/json-parameter';
import { generationConfig } from '../shared/parameters/generation-settings';
import { readModel, requestFieldsOf, safetySettingsOf } from '../shared/parameters/readers';
import { type ItemOptions, readItemOptions } from './options';
import { toolFields } from './tools';
import { nodeParameter } from '../shared/parameters/node-parameter';

export type ContentsMode = 'prompt' | 'messages' | 'json';

export type OutputMode = 'collect' | 'perChunk';

export interface ItemRequest {
	model: string;
	body: GenerateContentRequest;
	outputMode: OutputMode;
	options: ItemOptions;
}

const ROLES = ['user', 'model'];

/**
 * A text parameter's value as text. An expression may return anything: nothing (a column the
 * row does not have) is empty, never the two characters `""`; a number is its digits; an object
 * or a list is its JSON.
 */
function asText(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function promptContents(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const text = asText(nodeParameter(ctx, 'prompt', itemIndex, ''));
	if (text.trim() === '') {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Prompt',
			'is empty',
			'The prompt, or the value its expression takes from this item, is empty or missing; nothing was sent for this item.',
		);
	}
	return [{ role: 'user', parts: [{ text }] }];
}

function messageContents(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const messages = nodeParameter(ctx, 'messages.values', itemIndex, []) as Array<{
		role?: string;
		text?: unknown;
	}>;
	if (messages.length === 0) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Messages',
			'has no message',
			'Add at least one message.',
		);
	}
	return messages.map(({ role = 'user', text }, index) => {
		if (!ROLES.includes(role)) {
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				'Messages',
				`has the unknown role "${role}" in message ${index + 1}`,
				'Use "user" or "model".',
			);
		}
		const value = asText(text);
		if (value.trim() === '') {
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				'Messages',
				`has no text in message ${index + 1}`,
				'The text, or the value its expression takes from this item, is empty or missing; nothing was sent for this item.',
			);
		}
		return { role, parts: [{ text: value }] };
	});
}

function jsonContents(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const field = 'Contents (JSON)';
	const contents = readJsonParameter(ctx, itemIndex, 'contentsJson', field, '[]');
	const fail = (problem: string) =>
		parameterError(
			ctx.getNode(),
			itemIndex,
			field,
			problem,
			'Expected an array of turns such as [{"role": "user", "parts": [{"text": "Hello"}]}].',
		);
	if (!Array.isArray(contents)) throw fail('is not an array');
	if (contents.length === 0) throw fail('is an empty array');
	contents.forEach((turn: unknown, index) => {
		const turnName = `turn ${index + 1}`;
		if (!isPlainObject(turn)) throw fail(`has ${turnName} that is not an object`);
		if (turn.role !== undefined && !ROLES.includes(turn.role as string)) {
			throw fail(
				`has the unknown role ${JSON.stringify(turn.role)} in ${turnName}; use "user" or "model"`,
			);
		}
		if (!Array.isArray(turn.parts) || turn.parts.length === 0) {
			throw fail(`has no "parts" array in ${turnName}`);
		}
		turn.parts.forEach((part: unknown, partIndex) => {
			const problem = partProblem(part);
			if (problem) throw fail(`has part ${partIndex + 1} of ${turnName} ${problem}`);
		});
	});
	return contents as GeminiContent[];
}

/**
 * The kinds of content a part holds; it needs one ("required oneof field 'data' must have one
 * initialized field", the API's answer to an empty part).
 */
const PART_DATA = [
	'text',
	'inlineData',
	'fileData',
	'functionCall',
	'functionResponse',
	'executableCode',
	'codeExecutionResult',
];

/** What is wrong with a part of Contents (JSON), or undefined when it can be sent. */
function partProblem(part: unknown): string | undefined {
	if (part === null) return 'that is null';
	if (!isPlainObject(part)) return 'that is not an object';
	if (!PART_DATA.some((key) => part[key] !== undefined)) {
		return Object.keys(part).length === 0
			? 'that is empty'
			: `with no content (one of ${PART_DATA.join(', ')})`;
	}
	if (part.text !== undefined && typeof part.text !== 'string') return 'whose "text" is not text';
	return undefined;
}

function contentsFor(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const mode = nodeParameter(ctx, 'contentsMode', itemIndex, 'prompt') as ContentsMode;
	if (mode === 'messages') return messageContents(ctx, itemIndex);
	if (mode === 'json') return jsonContents(ctx, itemIndex);
	return promptContents(ctx, itemIndex);
}

/** Reads and checks every parameter of one item; throws before any request is made. */
export function buildItemRequest(ctx: IExecuteFunctions, itemIndex: number): ItemRequest {
	const model = readModel(ctx, itemIndex);
	const instruction = asText(nodeParameter(ctx, 'systemInstruction', itemIndex, ''));
	const contents = contentsFor(ctx, itemIndex);
	const config = generationConfig(ctx, itemIndex);
	const safetySettings = safetySettingsOf(ctx, itemIndex);
	// Key order follows the API reference, so the JSON sent reads like the documented example;
	// Service Tier and Cached Content (Options) are top-level fields, sent only when set.
	const body: GenerateContentRequest = {
		...(instruction.trim() !== '' ? { systemInstruction: { parts: [{ text: instruction }] } } : {}),
		contents,
		...toolFields(ctx, itemIndex),
		...(safetySettings ? { safetySettings } : {}),
		...(config ? { generationConfig: config } : {}),
		...requestFieldsOf(ctx, itemIndex),
	};

	return {
		model,
		body,
		outputMode: nodeParameter(ctx, 'outputMode', itemIndex, 'collect') as OutputMode,
		options: readItemOptions(ctx, itemIndex),
	};
}
