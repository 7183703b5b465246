/**
 * The generation settings, each declared once: one entry gives the editor's field (label,
 * default, description), its check (type, range, choices), the `generationConfig` field it
 * fills and whether the chat model shows it. The Generation Config collection of both nodes
 * is made from this table, and the same table reads and checks an item's settings into
 * `generationConfig`, so a setting cannot be shown without being checked and sent.
 *
 * Ranges and choices are those of Google's API reference
 * (https://ai.google.dev/api/generate-content#generationconfig), checked per item before
 * anything is sent: an expression can return anything, and a wrong value must name its item
 * and field, not become `null` or a 400 from the API.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isPlainObject } from '../gemini/json';
import type { NodeContext } from '../runtime/context';
import { parameterError } from '../runtime/errors';
import { checkedChoice, checkedNumber, shown } from './checks';
import { parseJsonParameterOf } from './json-parameter';
import { nodeParameter } from './node-parameter';

interface Choice {
	value: string;
	/** The editor's label; the value itself when not given. */
	name?: string;
	description?: string;
}

interface SettingBase {
	/** The parameter's name: saved workflows store it. */
	name: string;
	/** The editor's label; errors name the field by it. */
	displayName: string;
	description: string;
	/** The `generationConfig` field the setting fills, dotted when nested. */
	api: string;
	/** Whether the chat model shows it too. */
	chat?: true;
}

export type GenerationSetting = SettingBase &
	(
		| {
				type: 'number';
				default: number;
				/** The range the API takes; the editor's field is bounded to it as well. */
				min?: number;
				max?: number;
				integer?: true;
				/** The API's field is an int32: checked, not shown as a bound in the editor. */
				int32?: true;
		  }
		| {
				type: 'oneOf';
				default: string;
				/** In the API's order, as an error lists them; the editor sorts them by name. */
				choices: Choice[];
				/** The editor lists them as written here instead. */
				keepOrder?: true;
		  }
		| { type: 'listOf'; default: string[]; choices: Choice[] }
		| { type: 'boolean'; default: boolean }
		/** Texts, one per line or an expression's list, at most `max`, none empty (messages call them sequences). */
		| { type: 'lines'; default: string; max: number }
		/** A JSON object, typed or from an expression. */
		| { type: 'jsonObject'; default: string }
	);

const choices = (values: string[]): Choice[] => values.map((value) => ({ value }));

/** Choices the editor names in title case: `minimal` is Minimal, `TEXT` is Text. */
const titled = (values: string[]): Choice[] =>
	values.map((value) => ({ value, name: value[0].toUpperCase() + value.slice(1).toLowerCase() }));

/**
 * The aspect ratios image models take, in the order the API's own check lists them
 * (`aspect_ratio must be one of '1:1', '1:4', '1:8', …`, quoted in test/standin/contract.ts).
 * The four extreme ones came with Gemini 3.1 Flash Image (googleapis/python-genai 8b2a4e04,
 * "Support more image sizes and resolutions"; https://ai.google.dev/gemini-api/docs/image-generation);
 * the other ten are every image model's (https://ai.google.dev/api/generate-content#ImageConfig).
 */
const EXTREME_ASPECT_RATIOS = ['1:4', '4:1', '1:8', '8:1'];
const IMAGE_ASPECT_RATIOS: Choice[] = [
	'1:1',
	'1:4',
	'1:8',
	'2:3',
	'3:2',
	'3:4',
	'4:1',
	'4:3',
	'4:5',
	'5:4',
	'8:1',
	'9:16',
	'16:9',
	'21:9',
].map((value) => ({
	value,
	description: EXTREME_ASPECT_RATIOS.includes(value)
		? 'Gemini 3.1 Flash Image only'
		: 'Every Gemini image model',
}));

/**
 * The image sizes, smallest first. "You must use an uppercase 'K'"; 512 (0.5K) is Gemini 3.1
 * Flash Image's; Gemini 3 Pro Image takes 1K, 2K and 4K; Gemini 2.5 Flash Image makes about
 * 1024 px only (https://ai.google.dev/gemini-api/docs/image-generation). Output tokens per
 * image of 3.1 Flash Image: 747, 1120, 1680, 2520 (its Vertex AI model page).
 */
const IMAGE_SIZES: Choice[] = [
	{ value: '512', description: 'About 512 px (0.5K); Gemini 3.1 Flash Image only' },
	{
		value: '1K',
		description: 'About 1024 px, the default; Gemini 3 image models (3 Pro Image, 3.1 Flash Image)',
	},
	{
		value: '2K',
		description: 'About 2048 px; Gemini 3 image models (3 Pro Image, 3.1 Flash Image)',
	},
	{
		value: '4K',
		description: 'About 4096 px; Gemini 3 image models (3 Pro Image, 3.1 Flash Image)',
	},
];

/** The prebuilt voices of Gemini's speech models (https://ai.google.dev/gemini-api/docs/speech-generation). */
const VOICES = [
	'Achernar',
	'Achird',
	'Algenib',
	'Algieba',
	'Alnilam',
	'Aoede',
	'Autonoe',
	'Callirrhoe',
	'Charon',
	'Despina',
	'Enceladus',
	'Erinome',
	'Fenrir',
	'Gacrux',
	'Iapetus',
	'Kore',
	'Laomedeia',
	'Leda',
	'Orus',
	'Puck',
	'Pulcherrima',
	'Rasalgethi',
	'Sadachbia',
	'Sadaltager',
	'Schedar',
	'Sulafat',
	'Umbriel',
	'Vindemiatrix',
	'Zephyr',
	'Zubenelgenubi',
];

/**
 * Every generation setting, in the order the request carries them: the top-level fields by
 * label (the order n8n hands a collection's values over in), then the thinking settings, then
 * what the answer may hold (modalities, images, voice). The editor lists them by label.
 */
export const GENERATION_SETTINGS: GenerationSetting[] = [
	{
		displayName: 'Candidate Count',
		name: 'candidateCount',
		type: 'number',
		api: 'candidateCount',
		default: 1,
		min: 1,
		integer: true,
		description: 'How many alternative answers to generate; the first is the main output',
	},
	{
		displayName: 'Frequency Penalty',
		name: 'frequencyPenalty',
		type: 'number',
		api: 'frequencyPenalty',
		default: 0,
		// No range is documented for the Gemini API: any finite number.
		description: 'Penalizes tokens in proportion to how often they already appeared',
	},
	{
		displayName: 'Max Output Tokens',
		name: 'maxOutputTokens',
		type: 'number',
		api: 'maxOutputTokens',
		chat: true,
		default: 8192,
		min: 1,
		integer: true,
		description: 'The most tokens the answer may have',
	},
	{
		displayName: 'Media Resolution',
		name: 'mediaResolution',
		type: 'oneOf',
		// GenerationConfig.mediaResolution, every multimodal model; the request-wide enum has no
		// ULTRA_HIGH, a part's own level does (js-genai MediaResolution; levers.md §4). Tokens per
		// level: https://ai.google.dev/gemini-api/docs/generate-content/media-resolution
		api: 'mediaResolution',
		chat: true,
		// "A balance of detail, cost and latency"; Google's pick for PDFs (same page).
		default: 'MEDIA_RESOLUTION_MEDIUM',
		description:
			"Tokens spent on each image, PDF page or video frame of the request (mediaResolution): fewer is cheaper and faster, more sees finer detail. Not set: the model's default.",
		choices: [
			{
				value: 'MEDIA_RESOLUTION_LOW',
				name: 'Low',
				description:
					'Fewest tokens: Gemini 3 about 280 per image or PDF page, 70 per video frame; Gemini 2.5 about 64',
			},
			{
				value: 'MEDIA_RESOLUTION_MEDIUM',
				name: 'Medium',
				description:
					'Gemini 3 about 560 per image or PDF page, 70 per video frame; Gemini 2.5 about 256',
			},
			{
				value: 'MEDIA_RESOLUTION_HIGH',
				name: 'High',
				description:
					'Most detail: Gemini 3 about 1120 per image or PDF page, 280 per video frame; Gemini 2.5 about 256 with pan and scan',
			},
		],
		keepOrder: true,
	},
	{
		displayName: 'Presence Penalty',
		name: 'presencePenalty',
		type: 'number',
		api: 'presencePenalty',
		default: 0,
		description: 'Penalizes tokens that already appeared, encouraging new topics',
	},
	{
		displayName: 'Response JSON Schema',
		name: 'responseJsonSchema',
		type: 'jsonObject',
		// Field 28 of GenerationConfig, the JSON name Google's SDK sends (js-genai
		// _models_converters.ts); its doc comment (types.ts): "If set, `response_schema` must be
		// omitted, but `response_mime_type` is required." Checked below with Response Schema.
		api: 'responseJsonSchema',
		default: '{\n  "type": "object",\n  "properties": {}\n}',
		description:
			'A JSON Schema the answer must follow ($ref, $defs, anyOf, additionalProperties, …); use with the JSON MIME type, instead of Response Schema',
	},
	{
		displayName: 'Response MIME Type',
		name: 'responseMimeType',
		type: 'oneOf',
		api: 'responseMimeType',
		default: 'text/plain',
		description: 'The format of the answer',
		choices: [
			{ value: 'text/plain', name: 'Text', description: 'The answer is plain text (text/plain)' },
			{
				value: 'application/json',
				name: 'JSON',
				description:
					'The answer is JSON, shaped by Response Schema or Response JSON Schema when set',
			},
			{
				value: 'text/x.enum',
				name: 'Enum',
				description: 'The answer is one value of the enum in Response Schema (text/x.enum)',
			},
		],
	},
	{
		displayName: 'Response Schema',
		name: 'responseSchema',
		type: 'jsonObject',
		api: 'responseSchema',
		default: '{\n  "type": "object",\n  "properties": {}\n}',
		description:
			'An OpenAPI schema object the answer must follow; use with the JSON MIME type. For full JSON Schema use Response JSON Schema instead.',
	},
	{
		displayName: 'Seed',
		name: 'seed',
		type: 'number',
		api: 'seed',
		default: 0,
		integer: true,
		int32: true,
		description: 'A fixed seed makes sampling repeatable as far as the model allows',
	},
	{
		displayName: 'Stop Sequences',
		name: 'stopSequences',
		type: 'lines',
		api: 'stopSequences',
		chat: true,
		default: '',
		// Google's documented maximum ("up to 5").
		max: 5,
		description:
			'Text that ends the answer when generated, one sequence per line (up to 5). An expression may return an array.',
	},
	{
		displayName: 'Temperature',
		name: 'temperature',
		type: 'number',
		api: 'temperature',
		chat: true,
		default: 1,
		// "Values can range from [0.0, 2.0]."
		min: 0,
		max: 2,
		description: 'Randomness of the answer: lower is more focused, higher more varied',
	},
	{
		displayName: 'Top K',
		name: 'topK',
		type: 'number',
		api: 'topK',
		chat: true,
		default: 64,
		min: 1,
		integer: true,
		description: 'Samples only from the K most likely tokens',
	},
	{
		displayName: 'Top P',
		name: 'topP',
		type: 'number',
		api: 'topP',
		chat: true,
		default: 0.95,
		// A cumulative probability.
		min: 0,
		max: 1,
		description: 'Samples only from the most likely tokens whose probabilities add up to P',
	},
	{
		displayName: 'Include Thoughts',
		name: 'includeThoughts',
		type: 'boolean',
		api: 'thinkingConfig.includeThoughts',
		chat: true,
		default: false,
		description:
			'Whether to return thought summaries; they come out in `thoughts`, apart from `text`',
	},
	{
		displayName: 'Thinking Budget',
		name: 'thinkingBudget',
		type: 'number',
		api: 'thinkingConfig.thinkingBudget',
		chat: true,
		default: -1,
		// -1 lets the model decide, 0 turns thinking off (https://ai.google.dev/gemini-api/docs/thinking).
		min: -1,
		integer: true,
		description:
			'Gemini 2.5 models: tokens the model may spend thinking; -1 lets it decide, 0 turns thinking off where the model allows. Gemini 3 models take Thinking Level instead; set only one of the two.',
	},
	{
		displayName: 'Thinking Level',
		name: 'thinkingLevel',
		type: 'oneOf',
		api: 'thinkingConfig.thinkingLevel',
		chat: true,
		default: 'high',
		description:
			'Gemini 3 models: how much the model thinks before answering. Gemini 2.5 models refuse it and take Thinking Budget instead; set only one of the two.',
		choices: titled(['minimal', 'low', 'medium', 'high']),
	},
	{
		displayName: 'Response Modalities',
		name: 'responseModalities',
		type: 'listOf',
		api: 'responseModalities',
		default: [],
		description:
			'What the answer may hold (responseModalities): images from image models, speech (Audio) from speech models such as gemini-2.5-flash-preview-tts. None chosen: the model’s default.',
		// Modality (https://ai.google.dev/api/generate-content#Modality).
		choices: titled(['TEXT', 'IMAGE', 'AUDIO']),
	},
	{
		displayName: 'Image Aspect Ratio',
		name: 'aspectRatio',
		type: 'oneOf',
		api: 'imageConfig.aspectRatio',
		default: '1:1',
		description:
			'Shape of the images an image model makes (imageConfig.aspectRatio). 1:4, 4:1, 1:8 and 8:1 are Gemini 3.1 Flash Image’s only.',
		choices: IMAGE_ASPECT_RATIOS,
		keepOrder: true,
	},
	{
		displayName: 'Image Size',
		name: 'imageSize',
		type: 'oneOf',
		api: 'imageConfig.imageSize',
		default: '1K',
		description:
			'Size of the images Gemini 3 image models make (imageConfig.imageSize). 512 is Gemini 3.1 Flash Image’s only.',
		choices: IMAGE_SIZES,
		keepOrder: true,
	},
	{
		displayName: 'Voice',
		name: 'voiceName',
		type: 'oneOf',
		api: 'speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName',
		default: 'Kore',
		description:
			'The voice of a speech model (speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName); for two speakers use Extra Generation Config',
		choices: choices(VOICES),
	},
];

/** The escape hatch beside the table: a JSON object merged into `generationConfig` last. */
const extraJsonProperty: INodeProperties = {
	displayName: 'Extra Generation Config (JSON)',
	name: 'extraJson',
	type: 'json',
	default: '{}',
	description:
		'A JSON object merged into `generationConfig` last, for fields not listed here (e.g. `{"speechConfig": {"multiSpeakerVoiceConfig": …}}`)',
};

/** The editor's field of a setting. */
function propertyOf(setting: GenerationSetting): INodeProperties {
	const { name, displayName, description } = setting;
	const field = { displayName, name, default: setting.default, description };
	switch (setting.type) {
		case 'number':
			return {
				...field,
				type: 'number',
				typeOptions: {
					...(setting.min !== undefined ? { minValue: setting.min } : {}),
					...(setting.max !== undefined ? { maxValue: setting.max } : {}),
					numberPrecision: setting.integer ? 0 : 2,
				},
			};
		case 'oneOf':
		case 'listOf': {
			const options = setting.choices.map(({ value, name: label = value, description: about }) => ({
				name: label,
				value,
				...(about !== undefined ? { description: about } : {}),
			}));
			// n8n lists a field's options by name.
			if (setting.type === 'listOf' || !setting.keepOrder) {
				options.sort((a, b) => a.name.localeCompare(b.name));
			}
			return { ...field, type: setting.type === 'oneOf' ? 'options' : 'multiOptions', options };
		}
		case 'boolean':
			return { ...field, type: 'boolean' };
		case 'lines':
			return { ...field, type: 'string', typeOptions: { rows: 2 } };
		case 'jsonObject':
			return { ...field, type: 'json' };
	}
}

function collectionOf(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Generation Config',
		name: 'generationConfig',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		description: "Settings sent as `generationConfig`; each keeps the API's own name",
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** The main node's Generation Config: every setting, and Extra Generation Config (JSON). */
export const generationConfigProperty = collectionOf([
	...GENERATION_SETTINGS.map(propertyOf),
	extraJsonProperty,
]);

/** The chat model's Generation Config: the settings marked for it. */
export const chatGenerationConfigProperty = collectionOf(
	GENERATION_SETTINGS.filter((setting) => setting.chat).map(propertyOf),
);

/** One text per line, or an expression's list of texts; at most `max`, none empty. */
function lines(
	ctx: NodeContext,
	itemIndex: number,
	field: string,
	value: unknown,
	max: number,
): string[] {
	const texts =
		typeof value === 'string'
			? value.split(/\r?\n/).filter((line) => line !== '')
			: Array.isArray(value) && value.every((entry) => typeof entry === 'string')
				? (value as string[])
				: undefined;
	const problem =
		texts === undefined
			? `must be text or a list of texts, not ${shown(value)}`
			: texts.some((text) => text === '')
				? 'holds an empty sequence'
				: texts.length > max
					? `has ${texts.length} sequences; the API takes at most ${max}`
					: undefined;
	if (problem !== undefined) {
		throw parameterError(
			ctx.getNode(),
			itemIndex,
			field,
			problem,
			'Write one sequence per line, or let an expression return a list of texts.',
		);
	}
	return texts as string[];
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** A setting's value, checked, as the API takes it; undefined when nothing is to be sent. */
function checkedSetting(
	ctx: NodeContext,
	itemIndex: number,
	setting: GenerationSetting,
	value: unknown,
): unknown {
	const field = setting.displayName;
	const values = (entries: Choice[]) => entries.map((choice) => choice.value);
	switch (setting.type) {
		case 'number': {
			const { min, max, integer } = setting.int32 ? { ...setting, ...INT32 } : setting;
			return checkedNumber(ctx, itemIndex, value, { field, min, max, integer }, 'setting');
		}
		case 'oneOf':
			return checkedChoice(ctx, itemIndex, value, field, values(setting.choices));
		case 'listOf': {
			const list = Array.isArray(value) ? value : [value];
			const checked = list.map((entry) =>
				checkedChoice(ctx, itemIndex, entry, field, values(setting.choices)),
			);
			return checked.length > 0 ? checked : undefined;
		}
		case 'boolean':
			return value === true;
		case 'lines':
			return lines(ctx, itemIndex, field, value, setting.max);
		case 'jsonObject':
			return parseJsonParameterOf(ctx, itemIndex, field, value, 'object');
	}
}

/** Sets `value` at a dotted path of `target`, making the objects on the way. */
function setAt(target: IDataObject, path: string, value: unknown): void {
	const keys = path.split('.');
	const last = keys.pop() as string;
	let current = target;
	for (const key of keys) {
		if (!isPlainObject(current[key])) current[key] = {};
		current = current[key] as IDataObject;
	}
	current[last] = value as IDataObject[keyof IDataObject];
}

function deepMerge(target: IDataObject, source: IDataObject): IDataObject {
	for (const [key, value] of Object.entries(source)) {
		const current = target[key];
		target[key] =
			isPlainObject(current) && isPlainObject(value) ? deepMerge({ ...current }, value) : value;
	}
	return target;
}

const isSet = (value: unknown) => value !== undefined && value !== null;

/** Two settings the API refuses together: found in the merged config, Extra Generation Config too. */
interface ExclusivePair {
	fields: [string, string];
	bothSet: (config: IDataObject) => boolean;
	/** What each takes, so the user knows which to keep. */
	advice: string;
}

const EXCLUSIVE_PAIRS: ExclusivePair[] = [
	{
		// "You can only set only one of thinking budget and thinking level", seen from
		// gemini-flash-latest; which one a model takes depends on its family
		// (https://ai.google.dev/gemini-api/docs/thinking).
		fields: ['Thinking Budget', 'Thinking Level'],
		bothSet: ({ thinkingConfig: thinking }) =>
			isPlainObject(thinking) &&
			thinking.thinkingBudget !== undefined &&
			thinking.thinkingLevel !== undefined,
		advice:
			'Gemini 3 models take a Thinking Level (minimal, low, medium or high); Gemini 2.5 models take a Thinking Budget in tokens. Remove the one your model does not take',
	},
	{
		// responseJsonSchema: "If set, `response_schema` must be omitted" (js-genai types.ts). The
		// proto's field 24 has the JSON name `_responseJsonSchema`, taken too (levers.md §3).
		fields: ['Response Schema', 'Response JSON Schema'],
		bothSet: (config) =>
			isSet(config.responseSchema) &&
			(isSet(config.responseJsonSchema) || isSet(config._responseJsonSchema)),
		advice:
			'Response Schema takes an OpenAPI schema subset, Response JSON Schema takes JSON Schema (anyOf, $ref, additionalProperties, …). Keep the one your schema is written in',
	},
];

function checkExclusive(ctx: NodeContext, itemIndex: number, config: IDataObject): void {
	for (const { fields, bothSet, advice } of EXCLUSIVE_PAIRS) {
		if (!bothSet(config)) continue;
		throw new NodeOperationError(
			ctx.getNode(),
			`"${fields[0]}" and "${fields[1]}" of item ${itemIndex} are both set; the API takes only one`,
			{ itemIndex, description: `${advice} (check Extra Generation Config too).` },
		);
	}
}

/** The Generation Config collection -> `generationConfig`, or undefined when nothing is set. */
export function generationConfig(ctx: NodeContext, itemIndex: number): IDataObject | undefined {
	const input = nodeParameter(ctx, 'generationConfig', itemIndex, {}) as IDataObject;
	const config: IDataObject = {};
	for (const setting of GENERATION_SETTINGS) {
		if (input[setting.name] === undefined) continue;
		const value = checkedSetting(ctx, itemIndex, setting, input[setting.name]);
		if (value !== undefined) setAt(config, setting.api, value);
	}
	if (input.extraJson !== undefined && input.extraJson !== '') {
		const extra = parseJsonParameterOf(
			ctx,
			itemIndex,
			extraJsonProperty.displayName,
			input.extraJson,
			'object',
		) as IDataObject;
		deepMerge(config, extra);
	}
	checkExclusive(ctx, itemIndex, config);
	return Object.keys(config).length > 0 ? config : undefined;
}
