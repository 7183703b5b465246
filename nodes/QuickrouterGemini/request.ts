/**
 * Node parameters of one item -> the `streamGenerateContent` request body, validated before
 * anything is sent. Every error names the item and the field the user has to fix.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_MODEL } from './description';
import { parameterError } from './errors';
import { parseJsonParameter, parseJsonParameterOf } from './json-parameter';
import { isPlainObject } from './plain-object';
import { toolFields } from './tools';
import { type ItemOptions, readItemOptions } from './options';
import type { GeminiContent, GenerateContentRequest, NodeContext } from './types';

export type ContentsMode = 'prompt' | 'messages' | 'json';

export type OutputMode = 'collect' | 'perChunk';

export interface ItemRequest {
	model: string;
	body: GenerateContentRequest;
	outputMode: OutputMode;
	options: ItemOptions;
}

const ROLES = ['user', 'model'];

/** Keys of the `generationConfig` collection sent as they are. */
const PLAIN_CONFIG_KEYS = [
	'temperature',
	'topP',
	'topK',
	'maxOutputTokens',
	'candidateCount',
	'stopSequences',
	'seed',
	'presencePenalty',
	'frequencyPenalty',
	'responseMimeType',
	'responseSchema',
] as const;

const THINKING_KEYS = ['includeThoughts', 'thinkingBudget', 'thinkingLevel'] as const;

function deepMerge(target: IDataObject, source: IDataObject): IDataObject {
	for (const [key, value] of Object.entries(source)) {
		const current = target[key];
		target[key] =
			isPlainObject(current) && isPlainObject(value) ? deepMerge({ ...current }, value) : value;
	}
	return target;
}

export function normalizeModel(ctx: NodeContext, itemIndex: number, value: unknown): string {
	const model = String(value ?? '')
		.trim()
		.replace(/^models\//, '');
	if (model === '') throw parameterError(ctx.getNode(), itemIndex, 'Model', 'is empty');
	if (!/^[\w.-]+$/.test(model)) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Model',
			`is not a model ID: "${model}"`,
			'Use an ID such as gemini-3-pro-preview or models/gemini-3-pro-preview.',
		);
	}
	return model;
}

function promptContents(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const prompt = ctx.getNodeParameter('prompt', itemIndex, '') as unknown;
	const text = typeof prompt === 'string' ? prompt : JSON.stringify(prompt ?? '');
	if (text.trim() === '') throw parameterError(ctx.getNode(), itemIndex, 'Prompt', 'is empty');
	return [{ role: 'user', parts: [{ text }] }];
}

function messageContents(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const messages = ctx.getNodeParameter('messages.values', itemIndex, []) as Array<{
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
		const value = typeof text === 'string' ? text : JSON.stringify(text ?? '');
		if (value.trim() === '') {
			throw parameterError(
				ctx.getNode(),
				itemIndex,
				'Messages',
				`has no text in message ${index + 1}`,
			);
		}
		return { role, parts: [{ text: value }] };
	});
}

function jsonContents(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const field = 'Contents (JSON)';
	const contents = parseJsonParameter(
		ctx,
		itemIndex,
		field,
		ctx.getNodeParameter('contentsJson', itemIndex, '[]'),
	);
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
	});
	return contents as GeminiContent[];
}

function stopSequences(ctx: NodeContext, itemIndex: number, value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	if (typeof value !== 'string') {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			'Stop Sequences',
			'must be text or an array of text',
		);
	}
	return value.split(/\r?\n/).filter((line) => line !== '');
}

/** The Generation Config collection -> `generationConfig`, or undefined when nothing is set. */
export function generationConfig(ctx: NodeContext, itemIndex: number): IDataObject | undefined {
	const input = ctx.getNodeParameter('generationConfig', itemIndex, {}) as IDataObject;
	const config: IDataObject = {};
	for (const key of PLAIN_CONFIG_KEYS) {
		if (input[key] === undefined) continue;
		if (key === 'stopSequences') config[key] = stopSequences(ctx, itemIndex, input[key]);
		else if (key === 'responseSchema') {
			config[key] = parseJsonParameterOf(ctx, itemIndex, 'Response Schema', input[key], 'object');
		} else config[key] = input[key];
	}
	const thinkingConfig: IDataObject = {};
	for (const key of THINKING_KEYS) {
		if (input[key] !== undefined) thinkingConfig[key] = input[key];
	}
	if (Object.keys(thinkingConfig).length > 0) config.thinkingConfig = thinkingConfig;
	if (input.extraJson !== undefined && input.extraJson !== '') {
		const extra = parseJsonParameterOf(
			ctx,
			itemIndex,
			'Extra Generation Config (JSON)',
			input.extraJson,
			'object',
		) as IDataObject;
		deepMerge(config, extra);
	}
	return Object.keys(config).length > 0 ? config : undefined;
}

function contentsFor(ctx: IExecuteFunctions, itemIndex: number): GeminiContent[] {
	const mode = ctx.getNodeParameter('contentsMode', itemIndex, 'prompt') as ContentsMode;
	if (mode === 'messages') return messageContents(ctx, itemIndex);
	if (mode === 'json') return jsonContents(ctx, itemIndex);
	return promptContents(ctx, itemIndex);
}

/** Reads and checks every parameter of one item; throws before any request is made. */
export function buildItemRequest(ctx: IExecuteFunctions, itemIndex: number): ItemRequest {
	const model = normalizeModel(
		ctx,
		itemIndex,
		ctx.getNodeParameter('model', itemIndex, DEFAULT_MODEL, { extractValue: true }),
	);
	const instruction = ctx.getNodeParameter('systemInstruction', itemIndex, '') as unknown;
	const contents = contentsFor(ctx, itemIndex);
	const config = generationConfig(ctx, itemIndex);
	// Key order follows the API reference, so the JSON sent reads like the documented example.
	const body: GenerateContentRequest = {
		...(typeof instruction === 'string' && instruction.trim() !== ''
			? { systemInstruction: { parts: [{ text: instruction }] } }
			: {}),
		contents,
		...toolFields(ctx, itemIndex),
		...(config ? { generationConfig: config } : {}),
	};

	return {
		model,
		body,
		outputMode: ctx.getNodeParameter('outputMode', itemIndex, 'collect') as OutputMode,
		options: readItemOptions(ctx, itemIndex),
	};
}
