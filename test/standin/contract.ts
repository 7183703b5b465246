/**
 * The Gemini API's contract for `POST /v1beta/models/{model}:streamGenerateContent` request
 * bodies, as a pure check: given the parsed body and the model from the path, it returns the
 * 400 INVALID_ARGUMENT Google would answer, or `undefined` when Google would take the request.
 * The stand-in answers with it, so a test fails where the real API would refuse the request.
 *
 * It runs Google's passes in order and stops at the first that finds something:
 * 1. JSON to proto parsing: unknown fields, JSON of the wrong type, enum names, base64. Every
 *    problem is one line of the message and one google.rpc.BadRequest field violation.
 * 2. The request validator: one `* GenerateContentRequest.<path>: <text>\n` line per problem,
 *    no details. Paths use proto names; map entries are named by key (`properties[city]`).
 * 3. Checks that answer one plain message: roles, JSON Schema references, thinking config.
 *
 * Sources, named on every rule:
 * [PROTO] googleapis/googleapis google/ai/generativelanguage/v1beta/{content,generative_service,
 *         safety}.proto @ f8291d2b (behind the live API: no thinkingLevel, no imageSize).
 * [REF]   https://ai.google.dev/api/generate-content (GenerationConfig, ThinkingConfig, ...).
 * [DOC:x] https://ai.google.dev/gemini-api/docs/x (the guides).
 * [TS]    googleapis/js-genai @ 6e9b35c4, src/types.ts and src/converters/_models_converters.ts:
 *         the fields Google's own SDK sends to the Gemini API (its `...ToMldev` converters).
 * [OBS]   a real answer of the API, quoted in the public issue named.
 * [UNVERIFIED] no source for Google's exact wording; the text is a plausible stand-in.
 * Rules without a source are not enforced: e.g. `description` on a function declaration is
 * not required, and JSON Schema keywords in `parametersJsonSchema` are not limited.
 */

export interface ContractViolation {
	status: 'INVALID_ARGUMENT';
	code: 400;
	message: string;
	/** google.rpc.BadRequest fieldViolations when Google sends them */
	details?: unknown[];
}

type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Pass 1: JSON to proto parsing, driven by a description of the request's messages.
// ---------------------------------------------------------------------------------------------

type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'float' | 'double' | 'bytes';

interface EnumSpec {
	/** The name after `google.ai.generativelanguage.v1beta.`, as the error names it. */
	readonly type: string;
	/** In proto order, so an integer is an index. */
	readonly values: readonly string[];
}

interface MessageSpec {
	readonly type: string;
	/** Keyed by JSON name (lowerCamel); the proto name is derived unless `proto` is given. */
	readonly fields: Readonly<Record<string, Field>>;
	readonly oneof?: { readonly name: string; readonly members: readonly string[] };
}

type Kind =
	| Scalar
	/** google.protobuf.Struct: any JSON object. */
	| 'struct'
	/** google.protobuf.Value, or a message this check does not look into: any JSON. */
	| 'value'
	| { readonly enumOf: EnumSpec }
	| { readonly message: () => MessageSpec }
	| { readonly mapOf: () => MessageSpec };

interface Field {
	readonly kind: Kind;
	readonly repeated?: boolean;
	readonly proto?: string;
}

interface FieldViolation {
	field?: string;
	description: string;
}

const TYPE_URL = 'type.googleapis.com/google.ai.generativelanguage.v1beta';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

const of = (kind: Kind): Field => ({ kind });
const list = (kind: Kind): Field => ({ kind, repeated: true });
const message = (spec: () => MessageSpec): Kind => ({ message: spec });
const enumOf = (spec: EnumSpec): Kind => ({ enumOf: spec });

// [PROTO content.proto enum Type]. Names match case-insensitively: Google's own REST sample
// sends `"type": "object"` [DOC:function-calling], the thinking guide `"thinkingLevel": "low"`
// [DOC:thinking], the image guide `"responseModalities": ["Image"]` [DOC:image-generation].
const TYPE: EnumSpec = {
	type: 'Type',
	values: ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'],
};
// [PROTO generative_service.proto GenerationConfig.Modality]; [REF] responseModalities.
// Enum error type name [OBS]: `Invalid value at 'generation_config.response_modalities[0]'
// (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "ZZZ"`
// (quoted in public client test code; repository not recorded).
const MODALITY: EnumSpec = {
	type: 'GenerationConfig.Modality',
	values: ['MODALITY_UNSPECIFIED', 'TEXT', 'IMAGE', 'AUDIO'],
};
// [PROTO GenerationConfig.MediaResolution]; [REF].
const MEDIA_RESOLUTION: EnumSpec = {
	type: 'GenerationConfig.MediaResolution',
	values: [
		'MEDIA_RESOLUTION_UNSPECIFIED',
		'MEDIA_RESOLUTION_LOW',
		'MEDIA_RESOLUTION_MEDIUM',
		'MEDIA_RESOLUTION_HIGH',
	],
};
// Part.mediaResolution is `{ level }` with one more level than the request-wide setting
// [TS PartMediaResolution, PartMediaResolutionLevel; DOC:media-resolution "per-part ...
// MEDIA_RESOLUTION_ULTRA_HIGH"]. The enum's type name in errors [UNVERIFIED].
const PART_MEDIA_RESOLUTION_LEVEL: EnumSpec = {
	type: 'Part.MediaResolution.Level',
	values: [...MEDIA_RESOLUTION.values, 'MEDIA_RESOLUTION_ULTRA_HIGH'],
};
// [TS enum ServiceTier, after googleapis/js-genai 9bdc2ae5 "Fix service_tier enums"]: the wire
// values are lowercase `standard`, `flex`, `priority` (Google's REST samples send
// `"service_tier": "flex"` [DOC:generate-content/flex-inference]); `unspecified` is the default.
// Names match case-insensitively, as for every enum here; the SDK's first names
// (`SERVICE_TIER_FLEX`), which that commit replaced, do not. Type name in errors [UNVERIFIED].
const SERVICE_TIER: EnumSpec = {
	type: 'ServiceTier',
	values: ['UNSPECIFIED', 'STANDARD', 'FLEX', 'PRIORITY'],
};
// [REF ThinkingConfig.thinkingLevel; TS enum ThinkingLevel]. The type name in errors [OBS]:
// `Invalid value at 'generation_config.thinking_config.thinking_level'
// (type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel),
// "BOGUS"` (a Gemini CLI probe recorded in public notes; repository not recorded).
const THINKING_LEVEL: EnumSpec = {
	type: 'ThinkingConfig.ThinkingLevel',
	values: ['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH'],
};
// [PROTO safety.proto enum HarmCategory]. The parser knows all of them; the validator then
// takes only five (see checkSafetySettings). Unknown name [OBS]: `Invalid value at
// 'safety_settings[4].category' (type.googleapis.com/google.ai.generativelanguage.v1beta.
// HarmCategory), "HARM_CATEGORY_IMAGE_HATE"` (github.com/NEKOparapa/AiNiee/issues/746).
const HARM_CATEGORY: EnumSpec = {
	type: 'HarmCategory',
	values: [
		'HARM_CATEGORY_UNSPECIFIED',
		'HARM_CATEGORY_DEROGATORY',
		'HARM_CATEGORY_TOXICITY',
		'HARM_CATEGORY_VIOLENCE',
		'HARM_CATEGORY_SEXUAL',
		'HARM_CATEGORY_MEDICAL',
		'HARM_CATEGORY_DANGEROUS',
		'HARM_CATEGORY_HARASSMENT',
		'HARM_CATEGORY_HATE_SPEECH',
		'HARM_CATEGORY_SEXUALLY_EXPLICIT',
		'HARM_CATEGORY_DANGEROUS_CONTENT',
		'HARM_CATEGORY_CIVIC_INTEGRITY',
	],
};
// [PROTO safety.proto SafetySetting.HarmBlockThreshold].
const HARM_BLOCK_THRESHOLD: EnumSpec = {
	type: 'SafetySetting.HarmBlockThreshold',
	values: [
		'HARM_BLOCK_THRESHOLD_UNSPECIFIED',
		'BLOCK_LOW_AND_ABOVE',
		'BLOCK_MEDIUM_AND_ABOVE',
		'BLOCK_ONLY_HIGH',
		'BLOCK_NONE',
		'OFF',
	],
};
// [PROTO content.proto FunctionCallingConfig.Mode].
const FUNCTION_CALLING_MODE: EnumSpec = {
	type: 'FunctionCallingConfig.Mode',
	values: ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'],
};
// [PROTO FunctionDeclaration.Behavior].
const BEHAVIOR: EnumSpec = {
	type: 'FunctionDeclaration.Behavior',
	values: ['UNSPECIFIED', 'BLOCKING', 'NON_BLOCKING'],
};
// [PROTO FunctionResponse.Scheduling].
const SCHEDULING: EnumSpec = {
	type: 'FunctionResponse.Scheduling',
	values: ['SCHEDULING_UNSPECIFIED', 'SILENT', 'WHEN_IDLE', 'INTERRUPT'],
};

// [PROTO content.proto message Schema]: exactly these fields; anything else (`$schema`,
// `additionalProperties`, `const`, `exclusiveMinimum`, ...) is an unknown name [OBS, below].
const SCHEMA: MessageSpec = {
	type: 'Schema',
	fields: {
		type: of(enumOf(TYPE)),
		format: of('string'),
		title: of('string'),
		description: of('string'),
		nullable: of('bool'),
		enum: list('string'),
		items: of(message(() => SCHEMA)),
		maxItems: of('int64'),
		minItems: of('int64'),
		properties: of({ mapOf: () => SCHEMA }),
		required: list('string'),
		minProperties: of('int64'),
		maxProperties: of('int64'),
		minimum: of('double'),
		maximum: of('double'),
		minLength: of('int64'),
		maxLength: of('int64'),
		pattern: of('string'),
		example: of('value'),
		anyOf: list(message(() => SCHEMA)),
		propertyOrdering: list('string'),
		default: of('value'),
	},
};

// [PROTO FunctionDeclaration]. `description` is marked Required there, but Google's own Live
// example declares `{'name': 'turn_on_the_lights'}` only [DOC:function-calling]: not enforced.
const FUNCTION_DECLARATION: MessageSpec = {
	type: 'FunctionDeclaration',
	fields: {
		name: of('string'),
		description: of('string'),
		parameters: of(message(() => SCHEMA)),
		parametersJsonSchema: of('value'),
		response: of(message(() => SCHEMA)),
		responseJsonSchema: of('value'),
		behavior: of(enumOf(BEHAVIOR)),
	},
};

// [PROTO content.proto message Tool] plus `mcpServers`, which Google's SDK sends to the Gemini
// API [TS toolToMldev]. The server-side tools' own settings are taken as they are.
const TOOL: MessageSpec = {
	type: 'Tool',
	fields: {
		functionDeclarations: list(message(() => FUNCTION_DECLARATION)),
		googleSearchRetrieval: of('value'),
		codeExecution: of('value'),
		googleSearch: of('value'),
		computerUse: of('value'),
		urlContext: of('value'),
		fileSearch: of('value'),
		googleMaps: of('value'),
		mcpServers: of('value'),
	},
};

// [PROTO FunctionCallingConfig]. `streamFunctionCallArguments` is Vertex-only [TS
// functionCallingConfigToMldev throws for it], so it is an unknown name here.
const FUNCTION_CALLING_CONFIG: MessageSpec = {
	type: 'FunctionCallingConfig',
	fields: {
		mode: of(enumOf(FUNCTION_CALLING_MODE)),
		allowedFunctionNames: list('string'),
	},
};

// [PROTO ToolConfig] plus `includeServerSideToolInvocations` [TS toolConfigToMldev].
const TOOL_CONFIG: MessageSpec = {
	type: 'ToolConfig',
	fields: {
		functionCallingConfig: of(message(() => FUNCTION_CALLING_CONFIG)),
		retrievalConfig: of('value'),
		includeServerSideToolInvocations: of('bool'),
	},
};

// [PROTO Blob]. `displayName` is Vertex-only [TS blobToMldev throws for it].
const BLOB: MessageSpec = {
	type: 'Blob',
	fields: { mimeType: of('string'), data: of('bytes') },
};
// [PROTO FileData]; `displayName` Vertex-only [TS fileDataToMldev].
const FILE_DATA: MessageSpec = {
	type: 'FileData',
	fields: { mimeType: of('string'), fileUri: of('string') },
};
// [PROTO FunctionCall]; `partialArgs`, `willContinue` Vertex-only [TS functionCallToMldev].
const FUNCTION_CALL: MessageSpec = {
	type: 'FunctionCall',
	fields: { id: of('string'), name: of('string'), args: of('struct') },
};
// [PROTO FunctionResponse]: `response` is a Struct, so a list is refused [OBS below].
const FUNCTION_RESPONSE: MessageSpec = {
	type: 'FunctionResponse',
	fields: {
		id: of('string'),
		name: of('string'),
		response: of('struct'),
		parts: of('value'),
		willContinue: of('bool'),
		scheduling: of(enumOf(SCHEDULING)),
	},
};

/**
 * The members of Part's `data` oneof [PROTO Part: "A `Part` can only contain one of the
 * accepted types in `Part.data`"], plus `toolCall` and `toolResponse`, which Google's SDK sends
 * to the Gemini API [TS partToMldev] (counted as data: [UNVERIFIED] how the API groups them).
 */
const PART_DATA = [
	'text',
	'inlineData',
	'functionCall',
	'functionResponse',
	'fileData',
	'executableCode',
	'codeExecutionResult',
	'toolCall',
	'toolResponse',
] as const;

// [PROTO Part]: the data oneof, then `thought`, `thoughtSignature` (bytes), `videoMetadata`,
// `partMetadata`; `mediaResolution` and `audioTranscription` [TS Part; partToMldev].
const PART: MessageSpec = {
	type: 'Part',
	fields: {
		text: of('string'),
		inlineData: of(message(() => BLOB)),
		functionCall: of(message(() => FUNCTION_CALL)),
		functionResponse: of(message(() => FUNCTION_RESPONSE)),
		fileData: of(message(() => FILE_DATA)),
		executableCode: of('value'),
		codeExecutionResult: of('value'),
		toolCall: of('value'),
		toolResponse: of('value'),
		thought: of('bool'),
		thoughtSignature: of('bytes'),
		videoMetadata: of('value'),
		partMetadata: of('struct'),
		mediaResolution: of(message(() => PART_MEDIA_RESOLUTION)),
		audioTranscription: of('value'),
	},
	oneof: { name: 'data', members: PART_DATA },
};
const PART_MEDIA_RESOLUTION: MessageSpec = {
	type: 'PartMediaResolution',
	fields: { level: of(enumOf(PART_MEDIA_RESOLUTION_LEVEL)) },
};

// [PROTO Content].
const CONTENT: MessageSpec = {
	type: 'Content',
	fields: { parts: list(message(() => PART)), role: of('string') },
};

// [PROTO SafetySetting]; `method` is Vertex-only [TS safetySettingToMldev throws for it].
const SAFETY_SETTING: MessageSpec = {
	type: 'SafetySetting',
	fields: {
		category: of(enumOf(HARM_CATEGORY)),
		threshold: of(enumOf(HARM_BLOCK_THRESHOLD)),
	},
};

// [REF ThinkingConfig]: includeThoughts, thinkingBudget, thinkingLevel.
const THINKING_CONFIG: MessageSpec = {
	type: 'ThinkingConfig',
	fields: {
		includeThoughts: of('bool'),
		thinkingBudget: of('int32'),
		thinkingLevel: of(enumOf(THINKING_LEVEL)),
	},
};

// [REF ImageConfig]: aspectRatio, imageSize. `personGeneration`, `outputMimeType`, ... are
// Vertex-only [TS imageConfigToMldev throws for them].
const IMAGE_CONFIG: MessageSpec = {
	type: 'ImageConfig',
	fields: { aspectRatio: of('string'), imageSize: of('string') },
};

// [PROTO PrebuiltVoiceConfig, VoiceConfig, SpeakerVoiceConfig, MultiSpeakerVoiceConfig,
// SpeechConfig]; `replicatedVoiceConfig` [TS VoiceConfig], passed through by the SDK.
const PREBUILT_VOICE_CONFIG: MessageSpec = {
	type: 'PrebuiltVoiceConfig',
	fields: { voiceName: of('string') },
};
const VOICE_CONFIG: MessageSpec = {
	type: 'VoiceConfig',
	fields: {
		prebuiltVoiceConfig: of(message(() => PREBUILT_VOICE_CONFIG)),
		replicatedVoiceConfig: of('value'),
	},
};
const SPEAKER_VOICE_CONFIG: MessageSpec = {
	type: 'SpeakerVoiceConfig',
	fields: { speaker: of('string'), voiceConfig: of(message(() => VOICE_CONFIG)) },
};
const MULTI_SPEAKER_VOICE_CONFIG: MessageSpec = {
	type: 'MultiSpeakerVoiceConfig',
	fields: { speakerVoiceConfigs: list(message(() => SPEAKER_VOICE_CONFIG)) },
};
const SPEECH_CONFIG: MessageSpec = {
	type: 'SpeechConfig',
	fields: {
		voiceConfig: of(message(() => VOICE_CONFIG)),
		multiSpeakerVoiceConfig: of(message(() => MULTI_SPEAKER_VOICE_CONFIG)),
		languageCode: of('string'),
	},
};

// [REF GenerationConfig] "Full JSON keys" list, plus `audioTranscriptionConfig`, which the SDK
// sends to the Gemini API [TS generationConfigToMldev]. The proto gives field 24 the JSON name
// `_responseJsonSchema` and field 28 `responseJsonSchema`; both names are taken [PROTO].
const GENERATION_CONFIG: MessageSpec = {
	type: 'GenerationConfig',
	fields: {
		stopSequences: list('string'),
		responseMimeType: of('string'),
		responseSchema: of(message(() => SCHEMA)),
		_responseJsonSchema: { kind: 'value', proto: 'response_json_schema' },
		responseJsonSchema: { kind: 'value', proto: 'response_json_schema_ordered' },
		responseModalities: list(enumOf(MODALITY)),
		candidateCount: of('int32'),
		maxOutputTokens: of('int32'),
		temperature: of('float'),
		topP: of('float'),
		topK: of('int32'),
		seed: of('int32'),
		presencePenalty: of('float'),
		frequencyPenalty: of('float'),
		responseLogprobs: of('bool'),
		logprobs: of('int32'),
		enableEnhancedCivicAnswers: of('bool'),
		speechConfig: of(message(() => SPEECH_CONFIG)),
		thinkingConfig: of(message(() => THINKING_CONFIG)),
		imageConfig: of(message(() => IMAGE_CONFIG)),
		mediaResolution: of(enumOf(MEDIA_RESOLUTION)),
		audioTranscriptionConfig: of('value'),
	},
};

// [REF generateContent request body]: contents, tools, toolConfig, safetySettings,
// systemInstruction, generationConfig, cachedContent. Also taken: `model`, a field of the
// message bound from the path [PROTO GenerateContentRequest], and `serviceTier`, which Google's
// SDK sends to the Gemini API [TS generateContentConfigToMldev].
const GENERATE_CONTENT_REQUEST: MessageSpec = {
	type: 'GenerateContentRequest',
	fields: {
		model: of('string'),
		contents: list(message(() => CONTENT)),
		tools: list(message(() => TOOL)),
		toolConfig: of(message(() => TOOL_CONFIG)),
		safetySettings: list(message(() => SAFETY_SETTING)),
		systemInstruction: of(message(() => CONTENT)),
		generationConfig: of(message(() => GENERATION_CONFIG)),
		cachedContent: of('string'),
		serviceTier: of(enumOf(SERVICE_TIER)),
	},
};

function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `inlineData` → `inline_data`. */
function snakeCase(name: string): string {
	return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function protoName(jsonName: string, field: Field): string {
	return field.proto ?? snakeCase(jsonName);
}

function join(path: string, name: string): string {
	return path === '' ? name : `${path}.${name}`;
}

/**
 * The field a JSON key names. Proto JSON takes the lowerCamel JSON name or the proto name:
 * Google's REST samples send `system_instruction`, `inline_data`, `mime_type` [DOC:text-generation].
 */
function findField(spec: MessageSpec, key: string): { json: string; field: Field } | undefined {
	const byJson = spec.fields[key];
	if (byJson !== undefined) return { json: key, field: byJson };
	const entry = Object.entries(spec.fields).find(([json, field]) => protoName(json, field) === key);
	return entry === undefined ? undefined : { json: entry[0], field: entry[1] };
}

/**
 * [OBS] `Invalid JSON payload received. Unknown name "exclusiveMinimum" at
 * 'tools[0].function_declarations[0].parameters.properties[1].value': Cannot find field.`
 * (github.com/modelcontextprotocol/servers/issues/1624), one line per field, all of them at once
 * (github.com/openswarm-ai/openswarm/issues/24, zed-industries/zed#44875); at the top level
 * without ` at '...'` and without `field` (github.com/nashsu/llm_wiki/issues/49, `temperature`).
 */
function unknownName(key: string, parent: string, reason: string): FieldViolation {
	const at = parent === '' ? '' : ` at '${parent}'`;
	const description = `Invalid JSON payload received. Unknown name "${key}"${at}: ${reason}`;
	return parent === '' ? { description } : { field: parent, description };
}

/**
 * [OBS] the parser's form for a value of the wrong kind: `Invalid value at
 * '...enum[1]' (TYPE_STRING), 2` (github.com/microsoft/azure-devops-mcp/issues/139), an enum
 * name `... (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ""`
 * (agno-agi/agno#3298), a message given a scalar `Invalid value at 'player_request'
 * (type.googleapis.com/...PlayerRequest), 10` (another API behind the same Google front end,
 * quoted in public code; repository not recorded). Strings are quoted, numbers are not.
 */
function invalidValue(path: string, type: string, value: unknown): FieldViolation {
	return { field: path, description: `Invalid value at '${path}' (${type}), ${render(value)}` };
}

function render(value: unknown): string {
	return JSON.stringify(value) ?? String(value);
}

/**
 * [OBS] an object where a scalar belongs: `Invalid value at 'aggregate_by[0]'
 * (data_type_name), Starting an object on a scalar field` (Google Fit, same front end, quoted in
 * public code; repository not recorded). The path is the enclosing message, then the field's
 * proto name.
 */
function startingObject(parent: string, proto: string): FieldViolation {
	return {
		field: parent,
		description: `Invalid value at '${parent}' (${proto}), Starting an object on a scalar field`,
	};
}

const SCALAR_TYPE: Readonly<Record<Scalar, string>> = {
	string: 'TYPE_STRING',
	bool: 'TYPE_BOOL',
	int32: 'TYPE_INT32',
	int64: 'TYPE_INT64',
	float: 'TYPE_FLOAT',
	double: 'TYPE_DOUBLE',
	bytes: 'TYPE_BYTES',
};

/**
 * Proto JSON bytes: "Either standard or URL-safe base64 encoding with/without paddings are
 * accepted" (protobuf.dev/programming-guides/json). So the documented dummy signatures
 * `skip_thought_signature_validator` and `context_engineering_is_the_way_to_go`
 * [DOC:thought-signatures FAQ] pass as they are.
 */
function isBase64(text: string): boolean {
	if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return false;
	const bare = text.replace(/=+$/, '');
	if (bare.length % 4 === 1) return false;
	return bare.length === text.length || text.length % 4 === 0;
}

function isNumeric(value: unknown): boolean {
	if (typeof value === 'number') return Number.isFinite(value);
	if (typeof value !== 'string') return false;
	return ['NaN', 'Infinity', '-Infinity'].includes(value) || Number.isFinite(Number(value));
}

function isInteger(value: unknown): boolean {
	if (typeof value === 'number') return Number.isInteger(value);
	return typeof value === 'string' && /^-?\d+$/.test(value);
}

function scalarFits(value: unknown, kind: Scalar): boolean {
	if (kind === 'string') return typeof value === 'string';
	if (kind === 'bool') return typeof value === 'boolean';
	if (kind === 'int32' || kind === 'int64') return isInteger(value);
	if (kind === 'float' || kind === 'double') return isNumeric(value);
	return typeof value === 'string' && isBase64(value);
}

function parseScalar(
	value: unknown,
	kind: Scalar,
	path: string,
	owner: { parent: string; proto: string },
	out: FieldViolation[],
): void {
	if (isObject(value)) out.push(startingObject(owner.parent, owner.proto));
	else if (scalarFits(value, kind)) return;
	// [OBS] `Invalid value at 'contents[2].parts[0].thought_signature' (TYPE_BYTES), Base64
	// decoding failed for "Es4D..."` (github.com/crmne/ruby_llm/issues/521; gemini-cli#8003).
	else if (kind === 'bytes' && typeof value === 'string')
		out.push({
			field: path,
			description: `Invalid value at '${path}' (TYPE_BYTES), Base64 decoding failed for ${render(value)}`,
		});
	else out.push(invalidValue(path, SCALAR_TYPE[kind], value));
}

/** The enum value's name in upper case, or undefined when it names none of them. */
function enumName(value: unknown, spec: EnumSpec): string | undefined {
	if (typeof value === 'number') return Number.isInteger(value) ? spec.values[value] : undefined;
	if (typeof value !== 'string') return undefined;
	const upper = value.toUpperCase();
	return spec.values.includes(upper) ? upper : undefined;
}

function parseEnum(
	value: unknown,
	spec: EnumSpec,
	path: string,
	owner: { parent: string; proto: string },
	out: FieldViolation[],
): void {
	if (isObject(value)) out.push(startingObject(owner.parent, owner.proto));
	else if (enumName(value, spec) === undefined)
		out.push(invalidValue(path, `${TYPE_URL}.${spec.type}`, value));
}

function parseNested(value: unknown, spec: MessageSpec, path: string, out: FieldViolation[]) {
	if (isObject(value)) parseMessage(value, spec, path, out);
	else out.push(invalidValue(path, `${TYPE_URL}.${spec.type}`, value));
}

/** A proto map's entries are addressed by position: `properties[1].value` [OBS above]. */
function parseMap(value: unknown, spec: MessageSpec, path: string, out: FieldViolation[]) {
	if (!isObject(value)) {
		out.push(invalidValue(path, `${TYPE_URL}.${spec.type}`, value));
		return;
	}
	Object.values(value).forEach((entry, index) => {
		if (entry !== null) parseNested(entry, spec, `${path}[${index}].value`, out);
	});
}

function parseValue(
	value: unknown,
	kind: Kind,
	path: string,
	owner: { parent: string; proto: string },
	out: FieldViolation[],
): void {
	if (kind === 'value') return;
	if (kind === 'struct') {
		if (!isObject(value))
			out.push(invalidValue(path, 'type.googleapis.com/google.protobuf.Struct', value));
		return;
	}
	if (typeof kind === 'string') parseScalar(value, kind, path, owner, out);
	else if ('enumOf' in kind) parseEnum(value, kind.enumOf, path, owner, out);
	else if ('message' in kind) parseNested(value, kind.message(), path, out);
	else parseMap(value, kind.mapOf(), path, out);
}

function parseField(
	key: string,
	value: unknown,
	found: { json: string; field: Field },
	parent: string,
	out: FieldViolation[],
): void {
	if (value === null) return; // proto JSON: null leaves the field unset
	const { field } = found;
	const proto = protoName(found.json, field);
	const path = join(parent, proto);
	const owner = { parent, proto };
	if (field.repeated) {
		// A single value where a list belongs is taken as a list of one, as Google's front end
		// does (Google's Vertex REST samples send `"contents": {"role": ..., "parts": {...}}`).
		// [UNVERIFIED] on the Gemini API itself.
		const items = Array.isArray(value) ? value : [value];
		items.forEach((item, index) => parseValue(item, field.kind, `${path}[${index}]`, owner, out));
		return;
	}
	// [OBS] `Invalid JSON payload received. Unknown name "type" at
	// 'tools[0].function_declarations[1].parameters.properties[0].value': Proto field is not
	// repeating, cannot start list.` (github.com/brightwave-inc/tidebreak/issues/1516,
	// zed-industries/zed#53919); for `response` given a list: vercel/ai#3589.
	if (Array.isArray(value) && field.kind !== 'value') {
		out.push(unknownName(key, parent, 'Proto field is not repeating, cannot start list.'));
		return;
	}
	parseValue(value, field.kind, path, owner, out);
}

/**
 * Part's `data` oneof set twice. [UNVERIFIED] for Gemini: Google's parser wording for a oneof
 * conflict, `Invalid value at '<path>' (oneof), oneof field '<name>' is already set. Cannot set
 * '<field>'` (a Vertex 400 quoted in the research notes; protobuf's own test text reads
 * `oneof field 'data' is already set. Cannot set 'intData'`).
 */
function checkOneof(body: JsonObject, spec: MessageSpec, path: string, out: FieldViolation[]) {
	const oneof = spec.oneof;
	if (oneof === undefined) return;
	const set = Object.keys(body).filter(
		(key) => body[key] !== null && oneof.members.includes(findField(spec, key)?.json ?? ''),
	);
	if (set.length < 2) return;
	out.push({
		field: path,
		description: `Invalid value at '${path}' (oneof), oneof field '${oneof.name}' is already set. Cannot set '${set[1]}'`,
	});
}

function parseMessage(body: JsonObject, spec: MessageSpec, path: string, out: FieldViolation[]) {
	for (const [key, value] of Object.entries(body)) {
		const found = findField(spec, key);
		if (found === undefined) out.push(unknownName(key, path, 'Cannot find field.'));
		else parseField(key, value, found, path, out);
	}
	checkOneof(body, spec, path, out);
}

function parseViolation(problems: FieldViolation[]): ContractViolation {
	return {
		status: 'INVALID_ARGUMENT',
		code: 400,
		message: problems.map((problem) => problem.description).join('\n'),
		details: [{ '@type': BAD_REQUEST, fieldViolations: problems }],
	};
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the request validator. Each check returns its lines.
// ---------------------------------------------------------------------------------------------

/** [OBS] `* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n`. */
function line(path: string, text: string): string {
	return `* GenerateContentRequest.${path}: ${text}\n`;
}

/** A field by JSON or proto name; undefined for null, a missing field or a non-object. */
function get(object: unknown, jsonName: string): unknown {
	if (!isObject(object)) return undefined;
	return object[jsonName] ?? object[snakeCase(jsonName)] ?? undefined;
}

/** A repeated field's values (a single value is a list of one, as in pass 1). */
function asList(value: unknown): unknown[] {
	if (value === undefined || value === null) return [];
	return Array.isArray(value) ? value : [value];
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function isSet(value: unknown): boolean {
	return value !== undefined && value !== null;
}

function dataFields(part: unknown): string[] {
	return PART_DATA.filter((name) => isSet(get(part, name)));
}

// [OBS] `* GenerateContentRequest.contents[2].parts[1].data: required oneof field 'data' must
// have one initialized field\n` (54xzh/FLIT#69; router-for-me/CLIProxyAPI#1292 for a part `{}`).
// A part with `text: ""` has its field set and passes ([UNVERIFIED]: Google streams signatures
// in parts with empty text [DOC:thought-signatures], and clients send them back).
const NO_DATA = "required oneof field 'data' must have one initialized field";
// [UNVERIFIED] wording for a missing required field; the validator's `missing field` form is
// [OBS] for `items` (NousResearch/hermes-agent#71804).
const MISSING = 'missing field';

function checkInlineData(part: unknown, path: string): string[] {
	const blob = get(part, 'inlineData');
	if (!isObject(blob)) return [];
	// [PROTO Blob] mime_type and data; [REF] "If an unsupported MIME type is provided, an error
	// will be returned." Wording [UNVERIFIED].
	const problems: string[] = [];
	if (text(get(blob, 'mimeType')) === '')
		problems.push(line(`${path}.inline_data.mime_type`, MISSING));
	if (text(get(blob, 'data')) === '') problems.push(line(`${path}.inline_data.data`, MISSING));
	return problems;
}

function checkFileData(part: unknown, path: string): string[] {
	const file = get(part, 'fileData');
	if (!isObject(file)) return [];
	// [PROTO FileData] file_uri "Required. URI." Wording [UNVERIFIED].
	if (text(get(file, 'fileUri')) === '') return [line(`${path}.file_data.file_uri`, MISSING)];
	return [];
}

function checkFunctionCall(part: unknown, path: string): string[] {
	const call = get(part, 'functionCall');
	if (!isObject(call)) return [];
	// [PROTO FunctionCall] name Required. Wording [UNVERIFIED], as for function_response below.
	if (text(get(call, 'name')) === '')
		return [line(`${path}.function_call.name`, 'Name cannot be empty.')];
	return [];
}

function checkFunctionResponse(part: unknown, path: string): string[] {
	const response = get(part, 'functionResponse');
	if (!isObject(response)) return [];
	const problems: string[] = [];
	// [OBS] `* GenerateContentRequest.contents[2].parts[0].function_response.name: Name cannot
	// be empty.` (openclaw/openclaw#17397, gemini-3.0-pro-preview; langflow-ai/langflow#9437).
	if (text(get(response, 'name')) === '')
		problems.push(line(`${path}.function_response.name`, 'Name cannot be empty.'));
	// [PROTO FunctionResponse] response "Required." Wording [UNVERIFIED].
	if (!isSet(get(response, 'response')))
		problems.push(line(`${path}.function_response.response`, MISSING));
	return problems;
}

function checkPart(part: unknown, path: string): string[] {
	if (dataFields(part).length === 0) return [line(`${path}.data`, NO_DATA)];
	return [
		...checkInlineData(part, path),
		...checkFileData(part, path),
		...checkFunctionCall(part, path),
		...checkFunctionResponse(part, path),
	];
}

// [OBS] `* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n`
// (egoist/chatwise-releases#250; vercel/ai#3775).
const EMPTY_PARTS = 'contents.parts must not be empty.';

function checkContents(body: JsonObject): string[] {
	const contents = asList(get(body, 'contents'));
	// [OBS] `* GenerateContentRequest.contents: contents is not specified\n`
	// (ikechan8370/chatgpt-plugin#733).
	if (contents.length === 0) return [line('contents', 'contents is not specified')];
	return contents.flatMap((content, index) => {
		const path = `contents[${index}]`;
		const parts = asList(get(content, 'parts'));
		if (parts.length === 0) return [line(`${path}.parts`, EMPTY_PARTS)];
		return parts.flatMap((part, at) => checkPart(part, `${path}.parts[${at}]`));
	});
}

function checkSystemInstruction(body: JsonObject): string[] {
	const instruction = get(body, 'systemInstruction');
	if (!isObject(instruction)) return [];
	const parts = asList(get(instruction, 'parts'));
	// [UNVERIFIED] that an empty system instruction gets the contents wording.
	if (parts.length === 0) return [line('system_instruction.parts', EMPTY_PARTS)];
	return parts.flatMap((part, index) => {
		const path = `system_instruction.parts[${index}]`;
		const data = dataFields(part);
		// [OBS] `* GenerateContentRequest.system_instruction.parts[0].data: required oneof field
		// 'data' must have one initialized field` (songquanpeng/one-api#2243).
		if (data.length === 0) return [line(`${path}.data`, NO_DATA)];
		// [REF] systemInstruction: "Currently, text only." Wording [UNVERIFIED].
		if (data[0] !== 'text')
			return [line(`${path}.data`, 'system_instruction supports text parts only')];
		return [];
	});
}

/** The Type of a Schema in upper case; undefined when missing or TYPE_UNSPECIFIED. */
function schemaType(schema: unknown): string | undefined {
	const type = enumName(get(schema, 'type'), TYPE);
	return type === 'TYPE_UNSPECIFIED' ? undefined : type;
}

function schemaProperties(schema: unknown): JsonObject {
	const properties = get(schema, 'properties');
	return isObject(properties) ? properties : {};
}

/** The rules on one Schema node [OBS, each quoted below]; children are checked by the caller. */
function checkSchemaNode(schema: unknown, path: string): string[] {
	const type = schemaType(schema);
	const names = Object.keys(schemaProperties(schema));
	const problems: string[] = [];
	// [OBS] `...parameters.properties[description].type: must be specified when not using one_of,
	// any_of or all_of fields` (github.com/danny-avila/LibreChat/issues/6971). TYPE_UNSPECIFIED
	// is refused by Gemini 3 (UKGovernmentBEIS/inspect_ai#3097) and counts as missing.
	if (type === undefined && asList(get(schema, 'anyOf')).length === 0)
		problems.push(
			line(`${path}.type`, 'must be specified when not using one_of, any_of or all_of fields'),
		);
	// [OBS] `* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties:
	// should be non-empty for OBJECT type` (langchain-ai/langchainjs#7935; agno-agi/agno#2113;
	// nested through `items.any_of[3]` in browser-use/browser-use#3786, which quotes the keys as
	// `properties["action"]` where older and later answers write `properties[action]`).
	if (type === 'OBJECT' && names.length === 0)
		problems.push(line(`${path}.properties`, 'should be non-empty for OBJECT type'));
	// [OBS] `* GenerateContentRequest.tools[0].function_declarations[80].parameters.
	// properties[data].properties: only allowed for OBJECT type`, the same for `.required`
	// (anomalyco/opencode#11889, 2026-02; prism-php/prism#334 for response_schema).
	const required = asList(get(schema, 'required'));
	const notObject = type !== undefined && type !== 'OBJECT';
	if (notObject && names.length > 0)
		problems.push(line(`${path}.properties`, 'only allowed for OBJECT type'));
	if (notObject && required.length > 0)
		problems.push(line(`${path}.required`, 'only allowed for OBJECT type'));
	// [OBS] `...properties[formulas].items: field predicate failed: $type == Type.ARRAY`
	// (aovestdipaperino/tokensave#440; sbroenne/mcp-server-excel#672).
	if (type !== undefined && type !== 'ARRAY' && isSet(get(schema, 'items')))
		problems.push(line(`${path}.items`, 'field predicate failed: $type == Type.ARRAY'));
	// [OBS] `...properties[command].items: missing field` (NousResearch/hermes-agent#71804).
	if (type === 'ARRAY' && !isSet(get(schema, 'items')))
		problems.push(line(`${path}.items`, MISSING));
	// [OBS] `...parameters.required[0]: property is not defined` (iBUHub/AIStudioToAPI#154).
	required.forEach((name, index) => {
		if (!notObject && !names.includes(text(name)))
			problems.push(line(`${path}.required[${index}]`, 'property is not defined'));
	});
	// [OBS] `...items.properties[media_mode].enum[2]: cannot be empty` (a project note quoting
	// the API's 400, 2026-08; repository not recorded).
	asList(get(schema, 'enum')).forEach((value, index) => {
		if (value === '') problems.push(line(`${path}.enum[${index}]`, 'cannot be empty'));
	});
	return problems;
}

/**
 * Google's `Schema` [PROTO], recursively. In these paths map entries are named by key and
 * `anyOf` is `any_of[i]` [OBS: the quotes in checkSchemaNode].
 */
function checkSchema(schema: unknown, path: string): string[] {
	const properties = Object.entries(schemaProperties(schema)).flatMap(([name, child]) =>
		checkSchema(child, `${path}.properties[${name}]`),
	);
	const item = get(schema, 'items');
	const itemProblems = isObject(item) ? checkSchema(item, `${path}.items`) : [];
	const anyOf = asList(get(schema, 'anyOf')).flatMap((child, index) =>
		checkSchema(child, `${path}.any_of[${index}]`),
	);
	return [...checkSchemaNode(schema, path), ...properties, ...itemProblems, ...anyOf];
}

/**
 * [PROTO FunctionDeclaration.name] "Must be a-z, A-Z, 0-9, or contain underscores, colons,
 * dots, and dashes, with a maximum length of 64." Message [OBS]: `* GenerateContentRequest.
 * tools[0].function_declarations[53].name: Invalid function name. Must start with a letter or
 * an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or
 * dashes (-), with a maximum length of 64.` (github.com/maximhq/bifrost/issues/1979, 2026-03).
 */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const INVALID_FUNCTION_NAME =
	'Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.';

function checkDeclaration(declaration: unknown, path: string): string[] {
	const problems: string[] = [];
	if (!FUNCTION_NAME.test(text(get(declaration, 'name'))))
		problems.push(line(`${path}.name`, INVALID_FUNCTION_NAME));
	const parameters = get(declaration, 'parameters');
	const parametersJsonSchema = get(declaration, 'parametersJsonSchema');
	// [PROTO] parametersJsonSchema: "This field is mutually exclusive with `parameters`."
	// Wording [UNVERIFIED].
	if (isSet(parameters) && isSet(parametersJsonSchema))
		problems.push(line(path, 'parameters and parameters_json_schema are mutually exclusive'));
	if (isSet(parameters)) problems.push(...checkSchema(parameters, `${path}.parameters`));
	// [PROTO] "The schema must describe an object where the properties are the parameters to
	// the function." Wording [UNVERIFIED].
	if (isSet(parametersJsonSchema) && !describesObject(parametersJsonSchema))
		problems.push(line(`${path}.parameters_json_schema`, 'the schema must describe an object'));
	const response = get(declaration, 'response');
	// [PROTO] responseJsonSchema: "This field is mutually exclusive with `response`."
	// Wording [UNVERIFIED].
	if (isSet(response) && isSet(get(declaration, 'responseJsonSchema')))
		problems.push(line(path, 'response and response_json_schema are mutually exclusive'));
	if (isSet(response)) problems.push(...checkSchema(response, `${path}.response`));
	return problems;
}

function declarationsOf(body: JsonObject): Array<{ declaration: unknown; path: string }> {
	return asList(get(body, 'tools')).flatMap((tool, index) =>
		asList(get(tool, 'functionDeclarations')).map((declaration, at) => ({
			declaration,
			path: `tools[${index}].function_declarations[${at}]`,
		})),
	);
}

function checkTools(body: JsonObject): string[] {
	return declarationsOf(body).flatMap(({ declaration, path }) =>
		checkDeclaration(declaration, path),
	);
}

function checkToolConfig(body: JsonObject): string[] {
	const calling = get(get(body, 'toolConfig'), 'functionCallingConfig');
	if (asList(get(calling, 'allowedFunctionNames')).length === 0) return [];
	// [PROTO FunctionCallingConfig.allowed_function_names] "This should only be set when the
	// Mode is ANY or VALIDATED." Mode "If unspecified, the default value will be set to AUTO."
	// Refused in practice with AUTO (tensorzero/tensorzero#4872). Wording [UNVERIFIED].
	const mode = enumName(get(calling, 'mode'), FUNCTION_CALLING_MODE);
	if (mode === 'ANY' || mode === 'VALIDATED') return [];
	return [
		line(
			'tool_config.function_calling_config.allowed_function_names',
			'allowed_function_names may only be set when mode is ANY or VALIDATED',
		),
	];
}

/**
 * [OBS] `* GenerateContentRequest.safety_settings[4]: element predicate failed: $.category in
 * (HarmCategory.HARM_CATEGORY_HATE_SPEECH, HarmCategory.HARM_CATEGORY_SEXUALLY_EXPLICIT,
 * HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT, HarmCategory.HARM_CATEGORY_HARASSMENT,
 * HarmCategory.HARM_CATEGORY_CIVIC_INTEGRITY)` (SillyTavern/SillyTavern#2728,
 * googleapis/js-genai#810, Visionatrix/ComfyUI-Gemini#8, 2025-06). A missing category is
 * HARM_CATEGORY_UNSPECIFIED, not in the list. The threshold's names are checked in pass 1.
 */
const GEMINI_HARM_CATEGORIES = [
	'HARM_CATEGORY_HATE_SPEECH',
	'HARM_CATEGORY_SEXUALLY_EXPLICIT',
	'HARM_CATEGORY_DANGEROUS_CONTENT',
	'HARM_CATEGORY_HARASSMENT',
	'HARM_CATEGORY_CIVIC_INTEGRITY',
];

function checkSafetySettings(body: JsonObject): string[] {
	const allowed = GEMINI_HARM_CATEGORIES.map((category) => `HarmCategory.${category}`).join(', ');
	return asList(get(body, 'safetySettings')).flatMap((setting, index) => {
		const category = enumName(get(setting, 'category'), HARM_CATEGORY) ?? '';
		if (GEMINI_HARM_CATEGORIES.includes(category)) return [];
		return [
			line(`safety_settings[${index}]`, `element predicate failed: $.category in (${allowed})`),
		];
	});
}

function numberOf(value: unknown): number | undefined {
	return isNumeric(value) ? Number(value) : undefined;
}

function checkSampling(config: unknown): string[] {
	const problems: string[] = [];
	// [REF] temperature "Values can range from [0.0, 2.0]." Wording: `temperature must be in
	// the range [0.0, 2.0]`, measured live by a third party on Google's Cloud Code backend
	// (public test code; repository not recorded) [OBS, path prefix UNVERIFIED].
	const temperature = numberOf(get(config, 'temperature'));
	if (temperature !== undefined && (temperature < 0 || temperature > 2))
		problems.push(
			line('generation_config.temperature', 'temperature must be in the range [0.0, 2.0]'),
		);
	// [REF] stopSequences "(up to 5)". Wording [OBS]: "the number of stop_sequences must not
	// exceed 5" (continuedev/continue#2702, generativelanguage.googleapis.com; path prefix
	// UNVERIFIED).
	if (asList(get(config, 'stopSequences')).length > 5)
		problems.push(
			line('generation_config.stop_sequences', 'the number of stop_sequences must not exceed 5'),
		);
	return problems;
}

/** `responseJsonSchema` under any of its names (JSON names of fields 28 and 24, proto names). */
function responseJsonSchemaOf(config: unknown): unknown {
	if (!isObject(config)) return undefined;
	return (
		config.responseJsonSchema ??
		config.response_json_schema_ordered ??
		config._responseJsonSchema ??
		config.response_json_schema ??
		undefined
	);
}

// [REF] responseSchema: "If set, a compatible responseMimeType must also be set. Compatible
// mimetypes: application/json: Schema for JSON response."; text/x.enum takes a schema too
// [DOC:structured-output, enums].
const SCHEMA_MIME_TYPES = ['application/json', 'text/x.enum'];

function checkStructuredOutput(config: unknown): string[] {
	const schema = get(config, 'responseSchema');
	const jsonSchema = responseJsonSchemaOf(config);
	const mimeType = text(get(config, 'responseMimeType'));
	const problems: string[] = [];
	// [REF] responseJsonSchema: "If set, `responseSchema` must be omitted". Wording [UNVERIFIED].
	if (isSet(schema) && isSet(jsonSchema))
		problems.push(
			line('generation_config', 'response_schema and response_json_schema are mutually exclusive'),
		);
	// Wording [UNVERIFIED].
	if (isSet(schema) && !SCHEMA_MIME_TYPES.includes(mimeType))
		problems.push(
			line(
				'generation_config.response_mime_type',
				'response_mime_type must be application/json or text/x.enum when response_schema is set',
			),
		);
	// [REF] responseJsonSchema: "... but `responseMimeType` is required." Wording [UNVERIFIED].
	if (isSet(jsonSchema) && mimeType === '')
		problems.push(
			line(
				'generation_config.response_mime_type',
				'response_mime_type must be set when response_json_schema is set',
			),
		);
	if (isSet(schema)) problems.push(...checkSchema(schema, 'generation_config.response_schema'));
	return problems;
}

/** 'a', 'b', or 'c'. */
function oneOfList(values: readonly string[]): string {
	const quoted = values.map((value) => `'${value}'`);
	return `${quoted.slice(0, -1).join(', ')}, or ${quoted[quoted.length - 1]}`;
}

// [REF] ImageConfig.aspectRatio lists ten; [DOC:image-generation] adds 1:4, 4:1, 1:8, 8:1. The
// validator's own list and wording [OBS]: `* GenerateContentRequest.generation_config.
// image_config.aspect_ratio: aspect_ratio must be one of '1:1', '1:4', '1:8', '2:3', '3:2',
// '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', or '21:9'.\n`
// (muyouzhi6/astrbot_plugin_gitee_aiimg#37, 2026-08, gemini-3.1-flash-image).
const ASPECT_RATIOS = [
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
];
// [REF] imageSize "Supported values are `1K`, `2K`, `4K`." [DOC:image-generation] "512 (0.5K)
// ... You must use an uppercase 'K' ... Lowercase parameters (e.g., 1k) will be rejected."
const IMAGE_SIZES = ['512', '1K', '2K', '4K'];

function checkImageConfig(config: unknown): string[] {
	const image = get(config, 'imageConfig');
	const aspectRatio = get(image, 'aspectRatio');
	const imageSize = get(image, 'imageSize');
	const problems: string[] = [];
	if (isSet(aspectRatio) && !ASPECT_RATIOS.includes(text(aspectRatio)))
		problems.push(
			line(
				'generation_config.image_config.aspect_ratio',
				`aspect_ratio must be one of ${oneOfList(ASPECT_RATIOS)}.`,
			),
		);
	// Wording [UNVERIFIED], modelled on the aspect_ratio answer above.
	if (isSet(imageSize) && !IMAGE_SIZES.includes(text(imageSize)))
		problems.push(
			line(
				'generation_config.image_config.image_size',
				`image_size must be one of ${oneOfList(IMAGE_SIZES)}.`,
			),
		);
	return problems;
}

// [DOC:speech-generation] "TTS models support the following 30 voice options in the
// `voice_name` field". Matched case-insensitively ([UNVERIFIED] whether Google does).
const VOICES = [
	'Zephyr',
	'Puck',
	'Charon',
	'Kore',
	'Fenrir',
	'Leda',
	'Orus',
	'Aoede',
	'Callirrhoe',
	'Autonoe',
	'Enceladus',
	'Iapetus',
	'Umbriel',
	'Algieba',
	'Despina',
	'Erinome',
	'Algenib',
	'Rasalgethi',
	'Laomedeia',
	'Achernar',
	'Alnilam',
	'Schedar',
	'Gacrux',
	'Pulcherrima',
	'Achird',
	'Zubenelgenubi',
	'Vindemiatrix',
	'Sadachbia',
	'Sadaltager',
	'Sulafat',
];

function checkVoice(voiceConfig: unknown, path: string): string[] {
	const name = get(get(voiceConfig, 'prebuiltVoiceConfig'), 'voiceName');
	if (typeof name !== 'string') return [];
	if (VOICES.some((voice) => voice.toLowerCase() === name.toLowerCase())) return [];
	// Wording [UNVERIFIED].
	return [
		line(
			`${path}.prebuilt_voice_config.voice_name`,
			`voice_name ${render(name)} is not one of the prebuilt voices`,
		),
	];
}

function checkSpeechConfig(config: unknown): string[] {
	const speech = get(config, 'speechConfig');
	const voiceConfig = get(speech, 'voiceConfig');
	const multiSpeaker = get(speech, 'multiSpeakerVoiceConfig');
	const path = 'generation_config.speech_config';
	const problems: string[] = [];
	// [REF] multiSpeakerVoiceConfig: "mutually exclusive with the voiceConfig field".
	// Wording [UNVERIFIED].
	if (isSet(voiceConfig) && isSet(multiSpeaker))
		problems.push(line(path, 'voice_config and multi_speaker_voice_config are mutually exclusive'));
	problems.push(...checkVoice(voiceConfig, `${path}.voice_config`));
	asList(get(multiSpeaker, 'speakerVoiceConfigs')).forEach((speaker, index) => {
		const at = `${path}.multi_speaker_voice_config.speaker_voice_configs[${index}].voice_config`;
		problems.push(...checkVoice(get(speaker, 'voiceConfig'), at));
	});
	return problems;
}

function checkGenerationConfig(body: JsonObject): string[] {
	const config = get(body, 'generationConfig');
	return [
		...checkSampling(config),
		...checkStructuredOutput(config),
		...checkImageConfig(config),
		...checkSpeechConfig(config),
	];
}

// ---------------------------------------------------------------------------------------------
// Pass 3: checks that answer one plain message, no `* ` line, no details.
// ---------------------------------------------------------------------------------------------

/**
 * [PROTO Content.role] "Must be either 'user' or 'model'. ... can be left blank or unset."
 * Matched case-insensitively. Wording adapted from [OBS] `Role 'function' is not supported.
 * Please use a valid role: SYSTEM, USER, ASSISTANT, DEVELOPER, CONTEXT, USER_CONTEXT, MODEL...`
 * (sashiko-dev/sashiko#500, 2026-09; the list there is longer than the documented two and cut
 * off, so the live API may take more roles than this check does).
 */
function checkRoles(body: JsonObject): string | undefined {
	for (const content of asList(get(body, 'contents'))) {
		const role = text(get(content, 'role'));
		if (role !== '' && !['user', 'model'].includes(role.toLowerCase()))
			return `Role '${role}' is not supported. Please use a valid role: user, model.`;
	}
	return undefined;
}

interface SchemaNode {
	node: JsonObject;
	/** Dotted, as Google writes it: `properties.target_object.anyOf.1`. */
	path: string;
}

// JSON Schema keywords whose values are schemas, maps of schemas, or lists of schemas.
const SUBSCHEMA = [
	'items',
	'additionalProperties',
	'not',
	'if',
	'then',
	'else',
	'contains',
	'propertyNames',
	'additionalItems',
	'unevaluatedItems',
	'unevaluatedProperties',
];
const SUBSCHEMA_MAPS = [
	'properties',
	'patternProperties',
	'$defs',
	'definitions',
	'dependentSchemas',
];
const SUBSCHEMA_LISTS = ['prefixItems', 'anyOf', 'oneOf', 'allOf', 'items'];

function dotted(path: string, key: string): string {
	return path === '' ? key : `${path}.${key}`;
}

/** Every schema object in a JSON Schema, in document order, with its dotted path. */
function schemaNodes(schema: unknown, path: string): SchemaNode[] {
	if (!isObject(schema)) return [];
	const children = Object.entries(schema).flatMap(([key, value]) => {
		const at = dotted(path, key);
		if (SUBSCHEMA_MAPS.includes(key) && isObject(value))
			return Object.entries(value).flatMap(([name, child]) => schemaNodes(child, dotted(at, name)));
		if (SUBSCHEMA_LISTS.includes(key) && Array.isArray(value))
			return value.flatMap((child, index) => schemaNodes(child, dotted(at, String(index))));
		if (SUBSCHEMA.includes(key)) return schemaNodes(value, at);
		return [];
	});
	return [{ node: schema, path }, ...children];
}

function decodePointerSegment(segment: string): string {
	let decoded = segment;
	try {
		decoded = decodeURIComponent(segment);
	} catch {
		// not percent-encoded: taken as it is
	}
	return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointerTarget(root: unknown, pointer: string): unknown {
	let node = root;
	for (const segment of pointer.split('/').slice(1)) {
		const key = decodePointerSegment(segment);
		if (Array.isArray(node)) node = node[Number(key)];
		else if (isObject(node)) node = node[key];
		else return undefined;
	}
	return node;
}

/** What a `$ref` names within the document: `#`, `#/json/pointer`, `#anchor` or an `$id`. */
function resolveRef(ref: string, root: unknown): unknown {
	if (ref === '#') return root;
	if (ref.startsWith('#/')) return pointerTarget(root, ref.slice(1));
	const nodes = schemaNodes(root, '');
	const named = ref.startsWith('#')
		? nodes.find(({ node }) => node.$anchor === ref.slice(1))
		: nodes.find(({ node }) => node.$id === ref);
	return named?.node;
}

/**
 * `$ref` in a JSON Schema field (parametersJsonSchema, responseJsonSchema).
 * [OBS] an undefined target: `{"code":400,"message":"reference to undefined schema at
 * properties.target_object.anyOf.1","status":"INVALID_ARGUMENT"}`
 * (github.com/google-gemini/gemini-cli/issues/13326).
 * [OBS] siblings: `$ref 'QuestionOption' was set alongside unsupported fields. If a schema node
 * has $ref set, then only description and default can be set alongside it`
 * (anomalyco/opencode#12295; su-kaka/gcli2api#374). The quoted name is taken to be the ref's
 * last segment (`#/$defs/QuestionOption`) [UNVERIFIED]. [REF] responseJsonSchema: "If `$ref` is
 * set on a sub-schema, no other properties, except for than those starting as a `$`, may be set."
 */
function checkReferences(schema: unknown): string | undefined {
	for (const { node, path } of schemaNodes(schema, '')) {
		const ref = node.$ref;
		if (typeof ref !== 'string') continue;
		const extra = Object.keys(node).filter(
			(key) => !key.startsWith('$') && key !== 'description' && key !== 'default',
		);
		if (extra.length > 0)
			return `$ref '${ref.split('/').pop() ?? ref}' was set alongside unsupported fields. If a schema node has $ref set, then only description and default can be set alongside it`;
		if (resolveRef(ref, schema) === undefined) return `reference to undefined schema at ${path}`;
	}
	return undefined;
}

/** A root `{"type": "object", ...}` (or a `$ref` to one, or a type list with "object"). */
function describesObject(schema: unknown): boolean {
	if (!isObject(schema)) return false;
	const ref = schema.$ref;
	const target = typeof ref === 'string' ? resolveRef(ref, schema) : schema;
	if (target === undefined) return true; // an undefined reference is answered in pass 3
	const type = get(target, 'type');
	const types = Array.isArray(type) ? type : [type];
	return types.some((name) => text(name).toLowerCase() === 'object');
}

function checkJsonSchemas(body: JsonObject): string | undefined {
	const schemas = [
		...declarationsOf(body).flatMap(({ declaration }) => [
			get(declaration, 'parametersJsonSchema'),
			get(declaration, 'responseJsonSchema'),
		]),
		responseJsonSchemaOf(get(body, 'generationConfig')),
	];
	for (const schema of schemas) {
		const problem = isSet(schema) ? checkReferences(schema) : undefined;
		if (problem !== undefined) return problem;
	}
	return undefined;
}

// [REF] thinkingLevel: "Recommended for Gemini 3 or later models. Use with earlier models
// results in an error." [DOC:thinking] "Gemini 2.5 series models don't support thinkingLevel".
const EARLIER_THAN_GEMINI_3 = /^gemini-[12]\./;

function checkThinking(body: JsonObject, model: string): string | undefined {
	const thinking = get(get(body, 'generationConfig'), 'thinkingConfig');
	const level = get(thinking, 'thinkingLevel');
	// [OBS] `{"error":{"code":400,"message":"You can only set only one of thinking budget and
	// thinking level.","status":"INVALID_ARGUMENT"}}` (sterlp/eclipse-peon-ai#115, 2026-08).
	if (isSet(level) && isSet(get(thinking, 'thinkingBudget')))
		return 'You can only set only one of thinking budget and thinking level.';
	// [OBS] "Every request to a Gemini 2.5 model fails with `400 thinking_level is not supported
	// by this model`" (QwenLM/qwen-code#9094).
	if (isSet(level) && EARLIER_THAN_GEMINI_3.test(model.replace(/^models\//, '')))
		return 'thinking_level is not supported by this model';
	return undefined;
}

function plainViolation(message: string): ContractViolation {
	return { status: 'INVALID_ARGUMENT', code: 400, message };
}

// [OBS] `CachedContent can not be used with GenerateContent request setting system_instruction,
// tools or tool_config.` (400; langchain-ai/langchain-google#978, vercel/ai#3333, the latter
// adding " Proposed fix: move those values to CachedContent from GenerateContent request.").
// Other reports quote `Tool config, tools and system instruction should not be set in the
// request when using cached content.` (googleapis/python-genai#348, 567-labs/instructor#2580).
// [REF] cachedContent: "Format: `cachedContents/{cachedContent}`".
const CACHE_WITH_SETTINGS =
	'CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.';

function checkCachedContent(body: JsonObject): string | undefined {
	if (!isSet(get(body, 'cachedContent'))) return undefined;
	const withSettings = ['systemInstruction', 'tools', 'toolConfig'].some((name) =>
		isSet(get(body, name)),
	);
	return withSettings ? CACHE_WITH_SETTINGS : undefined;
}

/** The Tool fields that are Google's own tools, run on Google's side [PROTO Tool; TS Tool]. */
const BUILT_IN_TOOLS = [
	'googleSearch',
	'googleSearchRetrieval',
	'codeExecution',
	'urlContext',
	'googleMaps',
	'fileSearch',
	'computerUse',
];

// [OBS] `Please enable tool_config.include_server_side_tool_invocations to use Built-in tools
// with Function calling.` (400 INVALID_ARGUMENT; ag2ai/ag2#3145, tidyverse/ellmer#1055,
// cloudwego/eino-ext#761; gemini-3.1-pro-preview, 3.5-flash-lite). [DOC:generate-content/
// tool-combination]: the flag lets Gemini 3 models combine built-in tools and functions.
const MIXED_TOOLS =
	'Please enable tool_config.include_server_side_tool_invocations to use Built-in tools with Function calling.';

function checkToolCombination(body: JsonObject): string | undefined {
	const tools = asList(get(body, 'tools'));
	const builtIn = tools.some((tool) => BUILT_IN_TOOLS.some((name) => isSet(get(tool, name))));
	const functions = declarationsOf(body).length > 0;
	const enabled = get(get(body, 'toolConfig'), 'includeServerSideToolInvocations') === true;
	return builtIn && functions && !enabled ? MIXED_TOOLS : undefined;
}

// [OBS] `contents[1].parts[0]: Tool call part is missing thought_signature` (400; router-for-me/
// CLIProxyAPI#5652, a Gemini 3 history whose toolCall part lost its signature). Google's
// placeholder `skip_thought_signature_validator` is refused there too (same report, and #5731).
// [DOC:generate-content/tool-combination]: return every part "as they appear in the response".
function checkToolCallSignatures(body: JsonObject): string | undefined {
	for (const [turn, content] of asList(get(body, 'contents')).entries()) {
		for (const [index, part] of asList(get(content, 'parts')).entries()) {
			if (!isSet(get(part, 'toolCall')) && !isSet(get(part, 'toolResponse'))) continue;
			const signature = text(get(part, 'thoughtSignature'));
			if (signature === '' || signature === 'skip_thought_signature_validator')
				return `contents[${turn}].parts[${index}]: Tool call part is missing thought_signature`;
		}
	}
	return undefined;
}

export function checkGenerateRequest(body: unknown, model: string): ContractViolation | undefined {
	const request = body ?? {};
	// [UNVERIFIED] Google's parser wording for a JSON body that is not an object.
	if (!isObject(request))
		return parseViolation([
			{
				description:
					'Invalid JSON payload received. Unknown name "": Root element must be a message.',
			},
		]);
	const parseProblems: FieldViolation[] = [];
	parseMessage(request, GENERATE_CONTENT_REQUEST, '', parseProblems);
	if (parseProblems.length > 0) return parseViolation(parseProblems);
	const lines = [
		...checkContents(request),
		...checkSystemInstruction(request),
		...checkTools(request),
		...checkToolConfig(request),
		...checkSafetySettings(request),
		...checkGenerationConfig(request),
	];
	if (lines.length > 0) return plainViolation(lines.join(''));
	const message =
		checkRoles(request) ??
		checkJsonSchemas(request) ??
		checkThinking(request, model) ??
		checkCachedContent(request) ??
		checkToolCombination(request) ??
		checkToolCallSignatures(request);
	return message === undefined ? undefined : plainViolation(message);
}
