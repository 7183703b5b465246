/**
 * The parameters both nodes show: the model, the safety settings and how one request is sent,
 * waited for, retried and bounded; the generation settings have their own table
 * (generation-settings.ts). Their `name`s are a public contract: saved workflows store them.
 */
import type { INodeProperties } from 'n8n-workflow';

export const DEFAULT_MODEL = 'gemini-3-pro-preview';

export const modelProperty: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: DEFAULT_MODEL, cachedResultName: DEFAULT_MODEL },
	required: true,
	description: 'The Gemini model that answers',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchModels', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. gemini-3-pro-preview',
		},
	],
};

/** The categories offered, named in words in the editor: HARM_CATEGORY_HATE_SPEECH is Hate Speech. */
const HARM_CATEGORIES = [
	'HARM_CATEGORY_CIVIC_INTEGRITY',
	'HARM_CATEGORY_DANGEROUS_CONTENT',
	'HARM_CATEGORY_HARASSMENT',
	'HARM_CATEGORY_HATE_SPEECH',
	'HARM_CATEGORY_SEXUALLY_EXPLICIT',
].map((value) => ({
	name: value
		.replace(/^HARM_CATEGORY_/, '')
		.split('_')
		.map((word) => word[0] + word.slice(1).toLowerCase())
		.join(' '),
	value,
}));

const HARM_THRESHOLDS = [
	{ name: 'Block Low and Above', value: 'BLOCK_LOW_AND_ABOVE' },
	{ name: 'Block Medium and Above', value: 'BLOCK_MEDIUM_AND_ABOVE' },
	{ name: 'Block None', value: 'BLOCK_NONE' },
	{ name: 'Block Only High', value: 'BLOCK_ONLY_HIGH' },
	{ name: 'Off', value: 'OFF' },
];

/** The values the API takes (its HarmCategory and HarmBlockThreshold enums, as offered here). */
export const HARM_CATEGORY_VALUES = HARM_CATEGORIES.map(({ value }) => value);
export const HARM_THRESHOLD_VALUES = HARM_THRESHOLDS.map(({ value }) => value);

export const safetySettingsProperty: INodeProperties = {
	displayName: 'Safety Settings',
	name: 'safetySettings',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add Safety Setting',
	description: 'How strictly each kind of harmful content is blocked, sent as `safetySettings`',
	options: [
		{
			displayName: 'Setting',
			name: 'values',
			values: [
				{
					displayName: 'Category',
					name: 'category',
					type: 'options',
					default: 'HARM_CATEGORY_HARASSMENT',
					options: HARM_CATEGORIES,
				},
				{
					displayName: 'Threshold',
					name: 'threshold',
					type: 'options',
					default: 'BLOCK_MEDIUM_AND_ABOVE',
					options: HARM_THRESHOLDS,
				},
			],
		},
	],
};

/**
 * The service tiers a request may ask for, as the API spells them (lowercase on the wire:
 * `@google/genai` 3.1.0's enum ServiceTier, after googleapis/js-genai 9bdc2ae5 "Fix service_tier
 * enums"; Google's REST samples send `"service_tier": "flex"`,
 * https://ai.google.dev/gemini-api/docs/generate-content/flex-inference).
 */
export const SERVICE_TIERS = [
	{
		name: 'Flex',
		value: 'flex',
		description:
			'Half the standard price; answers may take 1 to 15 minutes to start, and may be shed when Google is busy (Preview)',
	},
	{
		name: 'Priority',
		value: 'priority',
		description:
			'75–100 % more than standard, served first; past its limit served (and billed) as standard, never refused',
	},
	{ name: 'Standard', value: 'standard', description: 'The default tier, at the standard price' },
];

/** The values, in the reference's order, as an error lists them. */
export const SERVICE_TIER_VALUES = ['standard', 'flex', 'priority'];

/**
 * Options of one request, in the Options collection of both nodes: how it is waited for,
 * bounded and retried, and the two request fields that change what it costs (`serviceTier`,
 * `cachedContent`, sent at the top level of the request only when set).
 */
export const requestOptions: INodeProperties[] = [
	{
		displayName: 'Service Tier',
		name: 'serviceTier',
		type: 'options',
		options: SERVICE_TIERS,
		default: 'standard',
		description:
			'Sent as `serviceTier` when added. Flex and Priority need a model and a plan that offer them; the tier that served each answer is `usageMetadata.serviceTier`. With Flex and Idle Timeout not set, an answer may take up to 15 minutes to start.',
	},
	{
		displayName: 'Cached Content',
		name: 'cachedContent',
		type: 'string',
		default: '',
		placeholder: 'e.g. cachedContents/abc123',
		description:
			'The name of a context cache created beforehand with the API, sent as `cachedContent`: its tokens are billed at the cached price. A bare ID gets the `cachedContents/` prefix; empty sends none. The cache holds the system instruction and tools, so the request must set neither.',
	},
	{
		displayName: 'Max Rate Limit Wait',
		name: 'maxRateLimitWait',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 600000,
		description:
			'Longest time in milliseconds one request may spend waiting out rate limits, from its first 429, before it fails with the API’s message. 0 means a rate limit fails at once.',
	},
	{
		displayName: 'Requests per Minute',
		name: 'requestsPerMinute',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description:
			'Your key’s quota, if you know it: requests are paced so that no more start per minute, and none gets a 429. 0 means no cap (the node still adapts to the 429s it gets).',
	},
	{
		displayName: 'Idle Timeout',
		name: 'idleTimeout',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 120000,
		description:
			'Longest silence in milliseconds: before the answer starts (raise it for models that think long) or between two pieces of it (a stalled stream fails with the text received so far). 0 means no limit.',
	},
	{
		displayName: 'Max Event Size (MB)',
		name: 'maxEventSize',
		type: 'number',
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		default: 64,
		description:
			'Largest single streamed event accepted; a larger one fails the item instead of filling memory',
	},
	{
		displayName: 'Max Response Size (MB)',
		name: 'maxResponseSize',
		type: 'number',
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		default: 256,
		description:
			'Most the node holds of one answer: its bytes, or in One Item per Chunk mode its chunk items (about twice each event, plus 512 bytes). A larger answer fails its item instead of filling memory; n8n must still be able to save the run.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 2,
		description:
			'How often to resend a request that failed with 429, 500, 502, 503, 504 or a broken connection before any answer arrived. A 429 or 503 whose wait the API names does not count: it waits within Max Rate Limit Wait.',
	},
	{
		displayName: 'Max Retry Delay',
		name: 'maxRetryDelay',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 60000,
		description:
			'Longest single wait before a retry, in milliseconds. When the API asks for a longer wait, the item fails at once with its message.',
	},
	{
		displayName: 'Timeout',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description:
			'Longest time in milliseconds one request may take, from sending it to the last streamed byte. 0 means no limit: a healthy long answer is not cut off; Idle Timeout still catches a stalled one.',
	},
];

/**
 * Google's own tools, run on Google's side, as switches of the Tools collection; both nodes
 * show them. Each name is the `tools` entry it sends (`{ googleSearch: {} }`), in this order.
 */
export const BUILT_IN_TOOL_NAMES = ['googleSearch', 'codeExecution', 'urlContext'];

/** The Tools collection: the built-in switches, and in the main node the JSON fields. */
export const toolsProperty: INodeProperties = {
	displayName: 'Tools',
	name: 'tools',
	type: 'collection',
	placeholder: 'Add Tool',
	default: {},
	description: 'Tools the model may use, sent as `tools` (and `toolConfig`)',
	options: [
		{
			displayName: 'Code Execution',
			name: 'codeExecution',
			type: 'boolean',
			default: false,
			description:
				'Whether the model may write and run Python code; its code and results come out in `content`',
		},
		{
			displayName: 'Function Declarations (JSON)',
			name: 'functionDeclarationsJson',
			type: 'json',
			default:
				'[\n  {\n    "name": "get_weather",\n    "description": "Current weather in a city",\n    "parameters": {\n      "type": "object",\n      "properties": { "city": { "type": "string" } },\n      "required": ["city"]\n    }\n  }\n]',
			description:
				"Functions the model may call, as the API's `functionDeclarations` array. Calls come out in `functionCalls`; send the result back as a `functionResponse` part.",
		},
		{
			displayName: 'Google Search',
			name: 'googleSearch',
			type: 'boolean',
			default: false,
			description:
				'Whether the model may ground its answer with Google Search; sources come out in `groundingMetadata`',
		},
		{
			displayName: 'Tool Config (JSON)',
			name: 'toolConfig',
			type: 'json',
			default: '{\n  "functionCallingConfig": { "mode": "AUTO" }\n}',
			description: "The API's `toolConfig` object, e.g. to force or forbid function calls",
		},
		{
			displayName: 'Tools (JSON)',
			name: 'toolsJson',
			type: 'json',
			default: '[]',
			description: 'More entries for the `tools` array, exactly as the API takes them',
		},
		{
			displayName: 'URL Context',
			name: 'urlContext',
			type: 'boolean',
			default: false,
			description: 'Whether the model may read the web pages whose URLs are in the prompt',
		},
	],
};

/** An Options collection of the given entries, sorted by display name as n8n lists them. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** The collection with only the named entries, in its own order. */
export function narrowed(property: INodeProperties, names: string[]): INodeProperties {
	const options = (property.options as INodeProperties[]).filter((option) =>
		names.includes(option.name),
	);
	return { ...property, options };
}

/** The defaults shown in the editor, which are the ones applied when an option is not added. */
export function defaultsOf(options: INodeProperties[]): Record<string, unknown> {
	return Object.fromEntries(options.map((option) => [option.name, option.default]));
}
