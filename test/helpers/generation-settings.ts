/**
 * One example per generation setting of the table (nodes/shared/parameters/generation-settings.ts):
 * a value as a workflow holds it, what the request then carries at the setting's API field,
 * and a value its check refuses. A setting added to the table needs its example here; the
 * tests fail until it has one.
 */
import type { IDataObject } from 'n8n-workflow';

import type { GenerationSetting } from '../../nodes/shared/parameters/generation-settings';
import type { StandinServer } from '../standin/server';

export interface SettingExample {
	/** The setting's value in the node's parameters (an expression where n8n's field takes no other). */
	value: unknown;
	/** What the request body carries at the setting's `api` field. */
	sent: unknown;
	/** A value the check refuses (the item fails naming the field, nothing is sent); none for a switch. */
	bad?: unknown;
	/** Settings the request needs beside it to be valid (the stand-in checks Google's rules). */
	with?: IDataObject;
	/** A model that takes the setting, when the default (gemini-3-pro-preview) does not. */
	model?: string;
}

export const SETTING_EXAMPLES: Record<string, SettingExample> = {
	candidateCount: { value: 2, sent: 2, bad: 0 },
	frequencyPenalty: { value: 0.25, sent: 0.25, bad: '={{ "strong" }}' },
	maxOutputTokens: { value: 256, sent: 256, bad: 2.5 },
	mediaResolution: {
		value: 'MEDIA_RESOLUTION_LOW',
		sent: 'MEDIA_RESOLUTION_LOW',
		// A part's own level, which the request-wide setting does not take.
		bad: '={{ "MEDIA_RESOLUTION_ULTRA_HIGH" }}',
	},
	presencePenalty: { value: -0.5, sent: -0.5, bad: '={{ Infinity }}' },
	responseMimeType: {
		value: 'application/json',
		sent: 'application/json',
		bad: '={{ "text/csv" }}',
	},
	responseSchema: {
		value: '{"type": "object", "properties": {"name": {"type": "string"}}}',
		sent: { type: 'object', properties: { name: { type: 'string' } } },
		bad: '["a list"]',
		with: { responseMimeType: 'application/json' },
	},
	responseJsonSchema: {
		value:
			'{"type": "object", "properties": {"tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}}, "$defs": {"tag": {"type": "string"}}, "additionalProperties": false}',
		sent: {
			type: 'object',
			properties: { tags: { type: 'array', items: { $ref: '#/$defs/tag' } } },
			$defs: { tag: { type: 'string' } },
			additionalProperties: false,
		},
		bad: '["a list"]',
		with: { responseMimeType: 'application/json' },
	},
	seed: { value: 7, sent: 7, bad: 2 ** 31 },
	stopSequences: { value: 'END\n###', sent: ['END', '###'], bad: 'a\nb\nc\nd\ne\nf' },
	temperature: { value: 0.2, sent: 0.2, bad: '={{ "hot" }}' },
	topK: { value: 40, sent: 40, bad: 0 },
	topP: { value: 0.9, sent: 0.9, bad: 1.5 },
	includeThoughts: { value: true, sent: true },
	thinkingBudget: { value: 1024, sent: 1024, bad: -2, model: 'gemini-2.5-flash' },
	thinkingLevel: { value: 'low', sent: 'low', bad: '={{ "extreme" }}' },
	responseModalities: {
		value: ['TEXT', 'IMAGE'],
		sent: ['TEXT', 'IMAGE'],
		bad: '={{ ["SMELL"] }}',
		model: 'gemini-2.5-flash-image',
	},
	aspectRatio: {
		value: '16:9',
		sent: '16:9',
		bad: '={{ "7:5" }}',
		model: 'gemini-2.5-flash-image',
	},
	imageSize: {
		value: '2K',
		sent: '2K',
		bad: '={{ "2k px" }}',
		model: 'gemini-3-pro-image-preview',
	},
	voiceName: {
		value: 'Puck',
		sent: 'Puck',
		bad: '={{ "Nobody" }}',
		with: { responseModalities: ['AUDIO'] },
		model: 'gemini-2.5-flash-preview-tts',
	},
};

/** The value at a dotted path, e.g. `thinkingConfig.thinkingBudget`. */
export function valueAt(object: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>((value, key) => (value as IDataObject | undefined)?.[key], object);
}

/** The node parameters that set `setting` to `value`, with what the example needs beside it. */
export function parametersFor(setting: GenerationSetting, value: unknown): IDataObject {
	const example = SETTING_EXAMPLES[setting.name];
	return {
		model: { __rl: true, mode: 'id', value: example.model ?? 'gemini-3-pro-preview' },
		generationConfig: { ...example.with, [setting.name]: value },
	};
}

/** What the one request the stand-in got carries at the setting's API field. */
export function sentValue(server: StandinServer, setting: GenerationSetting): unknown {
	expect(server.generateRequests).toHaveLength(1);
	const body = server.generateRequests[0].body as { generationConfig?: unknown };
	return valueAt(body.generationConfig, setting.api);
}
