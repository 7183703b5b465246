/**
 * The node's parameters. Their `name`s are a public contract: saved workflows store them.
 */
import type { INodeProperties } from 'n8n-workflow';

import {
	modelProperty,
	optionsCollection,
	requestOptions,
	safetySettingsProperty,
	toolsProperty,
} from '../shared/parameters/descriptions';
import { generationConfigProperty } from '../shared/parameters/generation-settings';

const contentsProperties: INodeProperties[] = [
	{
		displayName: 'Contents',
		name: 'contentsMode',
		type: 'options',
		noDataExpression: true,
		default: 'prompt',
		description: 'How the conversation sent to the model is given',
		options: [
			{
				name: 'JSON',
				value: 'json',
				description: 'The raw `contents` array of the API: several turns, any kind of parts',
			},
			{
				name: 'Messages',
				value: 'messages',
				description: 'A list of user and model messages, for a multi-turn conversation',
			},
			{
				name: 'Prompt',
				value: 'prompt',
				description: 'One user message',
			},
		],
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. Summarize this review in one sentence: {{ $json.review }}',
		description: 'The user message sent to the model',
		displayOptions: { show: { contentsMode: ['prompt'] } },
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: { values: [{ role: 'user', text: '' }] },
		placeholder: 'Add Message',
		description: 'The conversation so far, oldest first; the last message is usually from the user',
		displayOptions: { show: { contentsMode: ['messages'] } },
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						default: 'user',
						description: 'Who says the message',
						options: [
							{ name: 'Model', value: 'model' },
							{ name: 'User', value: 'user' },
						],
					},
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						typeOptions: { rows: 2 },
						default: '',
						description: 'The text of the message',
					},
				],
			},
		],
	},
	{
		displayName: 'Contents (JSON)',
		name: 'contentsJson',
		type: 'json',
		default: '[\n  {\n    "role": "user",\n    "parts": [{ "text": "Hello there" }]\n  }\n]',
		required: true,
		description:
			"The `contents` array exactly as the API takes it: turns with a role (`user` or `model`) and parts. A previous answer's `content` can be appended as a turn.",
		displayOptions: { show: { contentsMode: ['json'] } },
	},
];

/**
 * The levels a part's own `mediaResolution: { level }` takes: the request-wide three and
 * ULTRA_HIGH, "per part only" (js-genai PartMediaResolutionLevel). Gemini 3 models only; token
 * counts of Gemini 3 (https://ai.google.dev/gemini-api/docs/generate-content/media-resolution).
 */
export const PART_MEDIA_RESOLUTIONS = [
	{
		name: 'Low',
		value: 'MEDIA_RESOLUTION_LOW',
		description: 'About 280 tokens per image or PDF page, 70 per video frame',
	},
	{
		name: 'Medium',
		value: 'MEDIA_RESOLUTION_MEDIUM',
		description: 'About 560 tokens per image or PDF page, 70 per video frame',
	},
	{
		name: 'High',
		value: 'MEDIA_RESOLUTION_HIGH',
		description: 'About 1120 tokens per image or PDF page, 280 per video frame',
	},
	{
		name: 'Ultra High',
		value: 'MEDIA_RESOLUTION_ULTRA_HIGH',
		description: 'About 2240 tokens per image; for fine detail such as screenshots (computer use)',
	},
];

/** The main node's own options; the request options come from the shared descriptions. */
export const ownOptions: INodeProperties[] = [
	{
		displayName: 'Attachment Media Resolution',
		name: 'attachmentMediaResolution',
		type: 'options',
		options: PART_MEDIA_RESOLUTIONS,
		default: 'MEDIA_RESOLUTION_MEDIUM',
		description:
			"Gemini 3 models: the resolution of every file Attachments and File URIs send, as the part's own mediaResolution; it takes precedence over Generation Config > Media Resolution. Ultra High is only available here.",
	},
	{
		displayName: 'Attachments',
		name: 'attachments',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, invoice',
		description:
			"Names of the input item's binary properties (images, PDF, audio, video) to send with the last user message, comma-separated. Up to Max Inline Data per request.",
	},
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 4,
		description:
			'How many items are sent at once. Output order and item pairing stay those of the input. Read from the first item.',
	},
	{
		displayName: 'File URIs (JSON)',
		name: 'fileData',
		type: 'json',
		default: '[]',
		description:
			'Files by URI, sent as `fileData` parts with the last user message: files uploaded to the File API, or public (or pre-signed) HTTPS URLs the API fetches itself. An array of {"fileUri": "…", "mimeType": "…"}.',
	},
	{
		displayName: 'Include Raw Chunks',
		name: 'includeRawChunks',
		type: 'boolean',
		default: false,
		description:
			'Whether to add every streamed event as received, in `chunks` (Whole Answer output only)',
	},
	{
		displayName: 'Max Inline Data (MB)',
		name: 'maxInlineSize',
		type: 'number',
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		default: 100,
		description:
			'Most inline data one request may carry: Attachments and images sent back, base64-encoded. The API takes up to 100 MB since January 2026 (less for some file types, e.g. 50 MB of PDF); larger files go by URL in File URIs.',
	},
	{
		displayName: 'Stream Thoughts',
		name: 'streamThoughts',
		type: 'boolean',
		default: false,
		description:
			'Whether thought summaries (with Include Thoughts) are streamed to the caller too, not just the answer',
	},
	{
		displayName: 'Stream to Response',
		name: 'streamToResponse',
		type: 'boolean',
		default: true,
		description:
			'Whether to send the answer to the HTTP caller as it is written, when the trigger (Webhook or Chat Trigger) responds by streaming',
	},
];

export const properties: INodeProperties[] = [
	modelProperty,
	...contentsProperties,
	{
		displayName: 'System Instruction',
		name: 'systemInstruction',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. You are a cat. Your name is Neko.',
		description: "Sets the model's role and behavior; left empty, none is sent",
	},
	{
		displayName: 'Output',
		name: 'outputMode',
		type: 'options',
		default: 'collect',
		options: [
			{
				name: 'Whole Answer',
				value: 'collect',
				description: 'One item per input item, holding the complete answer',
			},
			{
				name: 'One Item per Chunk',
				value: 'perChunk',
				description: 'One item per streamed event, in order, with its text delta',
			},
		],
	},
	generationConfigProperty,
	toolsProperty,
	safetySettingsProperty,
	optionsCollection([...ownOptions, ...requestOptions]),
];
