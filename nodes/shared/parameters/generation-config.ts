/**
 * The Generation Config collection of one item -> the request's `generationConfig`, each
 * setting checked against the range of Google's API reference
 * (https://ai.google.dev/api/generate-content#generationconfig) before anything is sent: an
 * expression can return anything, and a wrong value must name its item and field, not become
 * `null` or a 400 from the API.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isPlainObject } from '../gemini/json';
import type { NodeContext } from '../runtime/context';
import { parameterError } from '../runtime/errors';
import { checkedChoice, checkedNumber, type NumberRule, shown } from './checks';
import { IMAGE_ASPECT_RATIOS, VOICES } from './descriptions';
import { parseJsonParameterOf } from './json-parameter';

interface ChoiceSetting {
	field: string;
	choices: readonly string[];
}

/** Numbers, sent as they are once checked. */
const NUMBERS: Record<string, NumberRule> = {
	// "Values can range from [0.0, 2.0]."
	temperature: { field: 'Temperature', min: 0, max: 2 },
	// A cumulative probability.
	topP: { field: 'Top P', min: 0, max: 1 },
	topK: { field: 'Top K', min: 1, integer: true },
	maxOutputTokens: { field: 'Max Output Tokens', min: 1, integer: true },
	candidateCount: { field: 'Candidate Count', min: 1, integer: true },
	// An int32.
	seed: { field: 'Seed', min: -(2 ** 31), max: 2 ** 31 - 1, integer: true },
	// No range is documented for the Gemini API: any finite number.
	presencePenalty: { field: 'Presence Penalty' },
	frequencyPenalty: { field: 'Frequency Penalty' },
};

/** Texts from a fixed list (the API's enums and MIME types). */
const CHOICES: Record<string, ChoiceSetting> = {
	responseMimeType: {
		field: 'Response MIME Type',
		choices: ['text/plain', 'application/json', 'text/x.enum'],
	},
};

/** Modality: TEXT, IMAGE, AUDIO (https://ai.google.dev/api/generate-content#Modality). */
const MODALITIES = ['TEXT', 'IMAGE', 'AUDIO'];

/**
 * The image models' sizes ("You must use an uppercase 'K'"; 512 is Gemini 3.1 Flash Image's,
 * https://ai.google.dev/gemini-api/docs/image-generation) and the aspect ratios Gemini 3.1
 * Flash Image adds to the usual ones.
 */
const IMAGE_SIZES = ['512', '1K', '2K', '4K'];
const MORE_ASPECT_RATIOS = ['1:4', '4:1', '1:8', '8:1'];

/** -1 lets the model decide, 0 turns thinking off (https://ai.google.dev/gemini-api/docs/thinking). */
const THINKING_BUDGET: NumberRule = { field: 'Thinking Budget', min: -1, integer: true };

const THINKING_LEVELS = ['minimal', 'low', 'medium', 'high'];

/** Google's documented maximum of stop sequences ("up to 5"). */
const MAX_STOP_SEQUENCES = 5;

/** One sequence per line, or an expression's list of texts; at most five, none empty. */
function stopSequences(ctx: NodeContext, itemIndex: number, value: unknown): string[] {
	const fail = (problem: string) =>
		parameterError(
			ctx.getNode(),
			itemIndex,
			'Stop Sequences',
			problem,
			'Write one sequence per line, or let an expression return a list of texts.',
		);
	let sequences: string[];
	if (typeof value === 'string') sequences = value.split(/\r?\n/).filter((line) => line !== '');
	else if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) {
		sequences = value as string[];
	} else throw fail(`must be text or a list of texts, not ${shown(value)}`);
	if (sequences.some((sequence) => sequence === '')) throw fail('holds an empty sequence');
	if (sequences.length > MAX_STOP_SEQUENCES) {
		throw fail(`has ${sequences.length} sequences; the API takes at most ${MAX_STOP_SEQUENCES}`);
	}
	return sequences;
}

function deepMerge(target: IDataObject, source: IDataObject): IDataObject {
	for (const [key, value] of Object.entries(source)) {
		const current = target[key];
		target[key] =
			isPlainObject(current) && isPlainObject(value) ? deepMerge({ ...current }, value) : value;
	}
	return target;
}

/**
 * The API refuses a thinking budget and a thinking level together ("You can only set only one
 * of thinking budget and thinking level", seen from gemini-flash-latest); which one a model
 * takes depends on its family (https://ai.google.dev/gemini-api/docs/thinking).
 */
function checkThinking(ctx: NodeContext, itemIndex: number, thinking: unknown): void {
	if (!isPlainObject(thinking)) return;
	if (thinking.thinkingBudget === undefined || thinking.thinkingLevel === undefined) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`"Thinking Budget" and "Thinking Level" of item ${itemIndex} are both set; the API takes only one`,
		{
			itemIndex,
			description:
				'Gemini 3 models take a Thinking Level (minimal, low, medium or high); Gemini 2.5 models take a Thinking Budget in tokens. Remove the one your model does not take (check Extra Generation Config too).',
		},
	);
}

/** The settings of the collection, checked, under their API names. */
function settingsOf(ctx: NodeContext, itemIndex: number, input: IDataObject): IDataObject {
	const config: IDataObject = {};
	for (const [key, value] of Object.entries(input)) {
		if (value === undefined || key === 'extraJson') continue;
		if (key in NUMBERS) config[key] = checkedNumber(ctx, itemIndex, value, NUMBERS[key], 'setting');
		else if (key in CHOICES) {
			config[key] = checkedChoice(ctx, itemIndex, value, CHOICES[key].field, CHOICES[key].choices);
		} else if (key === 'stopSequences') config[key] = stopSequences(ctx, itemIndex, value);
		else if (key === 'responseSchema') {
			config[key] = parseJsonParameterOf(ctx, itemIndex, 'Response Schema', value, 'object');
		}
	}
	const thinking: IDataObject = {};
	if (input.includeThoughts !== undefined)
		thinking.includeThoughts = input.includeThoughts === true;
	if (input.thinkingBudget !== undefined) {
		thinking.thinkingBudget = checkedNumber(
			ctx,
			itemIndex,
			input.thinkingBudget,
			THINKING_BUDGET,
			'setting',
		);
	}
	if (input.thinkingLevel !== undefined) {
		thinking.thinkingLevel = checkedChoice(
			ctx,
			itemIndex,
			input.thinkingLevel,
			'Thinking Level',
			THINKING_LEVELS,
		);
	}
	if (Object.keys(thinking).length > 0) config.thinkingConfig = thinking;
	Object.assign(config, mediaSettingsOf(ctx, itemIndex, input));
	return config;
}

/** Response Modalities, the image settings and the voice, under the API's own names. */
function mediaSettingsOf(ctx: NodeContext, itemIndex: number, input: IDataObject): IDataObject {
	const config: IDataObject = {};
	const { responseModalities, aspectRatio, imageSize, voiceName } = input;
	if (responseModalities !== undefined) {
		const list = Array.isArray(responseModalities) ? responseModalities : [responseModalities];
		const modalities = list.map((modality) =>
			checkedChoice(ctx, itemIndex, modality, 'Response Modalities', MODALITIES),
		);
		if (modalities.length > 0) config.responseModalities = modalities;
	}
	const imageConfig: IDataObject = {};
	if (aspectRatio !== undefined) {
		imageConfig.aspectRatio = checkedChoice(ctx, itemIndex, aspectRatio, 'Image Aspect Ratio', [
			...IMAGE_ASPECT_RATIOS,
			...MORE_ASPECT_RATIOS,
		]);
	}
	if (imageSize !== undefined) {
		imageConfig.imageSize = checkedChoice(ctx, itemIndex, imageSize, 'Image Size', IMAGE_SIZES);
	}
	if (Object.keys(imageConfig).length > 0) config.imageConfig = imageConfig;
	if (voiceName !== undefined) {
		const voice = checkedChoice(ctx, itemIndex, voiceName, 'Voice', VOICES);
		config.speechConfig = { voiceConfig: { prebuiltVoiceConfig: { voiceName: voice } } };
	}
	return config;
}

/** The Generation Config collection -> `generationConfig`, or undefined when nothing is set. */
export function generationConfig(ctx: NodeContext, itemIndex: number): IDataObject | undefined {
	const input = ctx.getNodeParameter('generationConfig', itemIndex, {}) as IDataObject;
	const config = settingsOf(ctx, itemIndex, input);
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
	checkThinking(ctx, itemIndex, config.thinkingConfig);
	return Object.keys(config).length > 0 ? config : undefined;
}
