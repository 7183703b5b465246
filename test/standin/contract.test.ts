import { getParametersJsonSchema, type Tool } from '@n8n/ai-node-sdk';
import { z } from 'zod';

import { checkGenerateRequest, type ContractViolation } from './contract';

const MODEL = 'gemini-3-pro-preview';

type Body = Record<string, unknown>;

const userText = (text: string) => ({ role: 'user', parts: [{ text }] });

/** A one-turn request with these other top-level fields. */
const ask = (extra: Body = {}): Body => ({ contents: [userText('Hello')], ...extra });

const withConfig = (generationConfig: Body): Body => ask({ generationConfig });

const withDeclaration = (declaration: Body): Body =>
	ask({ tools: [{ functionDeclarations: [declaration] }] });

const withParameters = (parameters: unknown): Body =>
	withDeclaration({ name: 'lookup', description: 'Looks it up.', parameters });

const withJsonSchema = (parametersJsonSchema: unknown): Body =>
	withDeclaration({ name: 'lookup', description: 'Looks it up.', parametersJsonSchema });

const withPart = (part: Body): Body => ({ contents: [{ role: 'user', parts: [part] }] });

const check = (body: unknown, model = MODEL) => checkGenerateRequest(body, model);

const messageOf = (body: unknown, model = MODEL) => check(body, model)?.message;

/** The parser's answer: one line per problem and one field violation each. */
function parseError(...violations: Array<{ field?: string; description: string }>) {
	const expected: ContractViolation = {
		status: 'INVALID_ARGUMENT',
		code: 400,
		message: violations.map((violation) => violation.description).join('\n'),
		details: [
			{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations },
		],
	};
	return expected;
}

function unknownName(name: string, at: string, reason = 'Cannot find field.') {
	return {
		field: at,
		description: `Invalid JSON payload received. Unknown name "${name}" at '${at}': ${reason}`,
	};
}

/** The validator's answer: `* GenerateContentRequest.<path>: <text>\n` lines, no details. */
function validatorError(...lines: Array<[string, string]>): ContractViolation {
	return {
		status: 'INVALID_ARGUMENT',
		code: 400,
		message: lines.map(([path, text]) => `* GenerateContentRequest.${path}: ${text}\n`).join(''),
	};
}

function plainError(message: string): ContractViolation {
	return { status: 'INVALID_ARGUMENT', code: 400, message };
}

describe('realistic requests that Google takes', () => {
	test('a plain text request', () => {
		expect(check({ contents: [{ parts: [{ text: 'Why is the sky blue?' }] }] })).toBeUndefined();
	});

	test('a multi-turn request with a signed function call and its response', () => {
		const body = {
			systemInstruction: { parts: [{ text: 'You are a weather bot.' }] },
			contents: [
				userText('Weather in Paris and Rome?'),
				{
					role: 'model',
					parts: [
						{ thought: true, text: 'Two cities, two calls.' },
						{
							functionCall: { id: 'call-1', name: 'get_weather', args: { city: 'Paris' } },
							thoughtSignature: 'CiQB0e2KbwT0b61TcAOcqVb3XjcevLDTQWxQkB5NYbtFVMZQFZI=',
						},
						{ functionCall: { id: 'call-2', name: 'get_weather', args: { city: 'Rome' } } },
					],
				},
				{
					role: 'user',
					parts: [
						{ functionResponse: { id: 'call-1', name: 'get_weather', response: { tempC: 18 } } },
						{ functionResponse: { id: 'call-2', name: 'get_weather', response: { tempC: 24 } } },
					],
				},
			],
			tools: [
				{
					functionDeclarations: [
						{
							name: 'get_weather',
							description: 'Current weather in a city.',
							parameters: {
								type: 'OBJECT',
								properties: { city: { type: 'STRING', description: 'City name' } },
								required: ['city'],
							},
						},
					],
				},
			],
			toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
			generationConfig: { temperature: 1, thinkingConfig: { includeThoughts: true } },
		};
		expect(check(body)).toBeUndefined();
	});

	test("Google's REST function-calling sample, with lower-case types", () => {
		// ai.google.dev/gemini-api/docs/function-calling, REST tab.
		const body = {
			contents: [
				{
					role: 'user',
					parts: [
						{
							text: 'Schedule a meeting with Bob and Alice for 03/27/2025 at 10:00 AM about the Q3 planning.',
						},
					],
				},
			],
			tools: [
				{
					functionDeclarations: [
						{
							name: 'schedule_meeting',
							description: 'Schedules a meeting with specified attendees at a given time and date.',
							parameters: {
								type: 'object',
								properties: {
									attendees: {
										type: 'array',
										items: { type: 'string' },
										description: 'List of people attending the meeting.',
									},
									date: { type: 'string', description: "Date of the meeting (e.g., '2024-07-29')" },
									time: { type: 'string', description: "Time of the meeting (e.g., '15:00')" },
									topic: { type: 'string', description: 'The subject or topic of the meeting.' },
								},
								required: ['attendees', 'date', 'time', 'topic'],
							},
						},
					],
				},
			],
		};
		expect(check(body)).toBeUndefined();
	});

	test('snake_case field names, as in the REST samples', () => {
		const body = {
			system_instruction: { parts: [{ text: 'You are a cat. Your name is Neko.' }] },
			contents: [
				{
					parts: [
						{ text: 'Hello there' },
						{ inline_data: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } },
					],
				},
			],
			generation_config: { max_output_tokens: 100, thinking_config: { thinking_budget: 0 } },
		};
		expect(check(body, 'gemini-2.5-flash')).toBeUndefined();
	});

	test('parametersJsonSchema with type lists, anyOf, additionalProperties, $defs/$ref and const', () => {
		const body = withJsonSchema({
			$schema: 'https://json-schema.org/draft/2020-12/schema',
			type: 'object',
			properties: {
				note: { type: ['string', 'null'] },
				target: { anyOf: [{ $ref: '#/$defs/Point' }, { type: 'string', const: 'origin' }] },
				points: { type: 'array', items: { $ref: '#/$defs/Point', description: 'A point' } },
			},
			required: ['target'],
			additionalProperties: false,
			$defs: {
				Point: {
					type: 'object',
					properties: { x: { type: 'number' }, y: { type: 'number' } },
					additionalProperties: false,
				},
			},
		});
		expect(check(body)).toBeUndefined();
	});

	test('an image request as the image guide sends it', () => {
		const body = withConfig({
			responseModalities: ['Image', 'text'],
			imageConfig: { aspectRatio: '16:9', imageSize: '2K' },
			thinkingConfig: { thinkingLevel: 'High', includeThoughts: true },
		});
		expect(check(body, 'gemini-3-pro-image-preview')).toBeUndefined();
	});

	test('a speech request as the speech guide sends it', () => {
		const body = withConfig({
			responseModalities: ['AUDIO'],
			speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
		});
		expect(check(body, 'gemini-2.5-flash-preview-tts')).toBeUndefined();
	});

	test('the schema n8n makes from a zod object is taken as parametersJsonSchema', () => {
		expect(check(withJsonSchema(zodToolSchema()))).toBeUndefined();
	});
});

/** What `@n8n/ai-node-sdk` sends for a zod tool: a draft-07 JSON Schema. */
function zodToolSchema() {
	const tool: Extract<Tool, { type: 'function' }> = {
		type: 'function',
		name: 'lookup',
		description: 'Looks up the weather.',
		inputSchema: z.object({
			city: z.string().describe('City'),
			days: z.number().int().optional(),
			note: z.string().nullable(),
			unit: z.enum(['c', 'f']),
			kind: z.literal('weather'),
			tags: z.array(z.string()),
		}),
	};
	return getParametersJsonSchema(tool);
}

describe('the top level', () => {
	test('only GenerateContentRequest fields', () => {
		expect(
			check(ask({ model: 'models/gemini-3-pro-preview', cachedContent: 'cachedContents/x' })),
		).toBeUndefined();
		expect(check({ ...ask(), temperature: 0.2 })).toEqual(
			parseError({
				description:
					'Invalid JSON payload received. Unknown name "temperature": Cannot find field.',
			}),
		);
	});

	test('contents is required and not empty', () => {
		const missing = validatorError(['contents', 'contents is not specified']);
		expect(check({ generationConfig: {} })).toEqual(missing);
		expect(check({ contents: [] })).toEqual(missing);
		expect(check(undefined)).toEqual(missing);
	});

	test('a message given a list, or a scalar', () => {
		expect(check(ask({ generationConfig: [] }))).toEqual(
			parseError({
				description:
					'Invalid JSON payload received. Unknown name "generationConfig": Proto field is not repeating, cannot start list.',
			}),
		);
		expect(check(ask({ generationConfig: 'hot' }))).toEqual(
			parseError({
				field: 'generation_config',
				description:
					'Invalid value at \'generation_config\' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig), "hot"',
			}),
		);
	});
});

describe('contents', () => {
	test('a role is user or model, or left out', () => {
		const roles = {
			contents: [
				userText('a'),
				{ role: 'model', parts: [{ text: 'b' }] },
				{ parts: [{ text: 'c' }] },
			],
		};
		expect(check(roles)).toBeUndefined();
		expect(check({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).toEqual(
			plainError("Role 'assistant' is not supported. Please use a valid role: user, model."),
		);
	});

	test('parts must not be empty', () => {
		expect(check({ contents: [userText('a'), { role: 'model', parts: [] }] })).toEqual(
			validatorError(['contents[1].parts', 'contents.parts must not be empty.']),
		);
	});

	test('a part has one data field', () => {
		expect(check(withPart({ thoughtSignature: 'c2lnLTE=' }))).toEqual(
			validatorError([
				'contents[0].parts[0].data',
				"required oneof field 'data' must have one initialized field",
			]),
		);
		expect(
			check(withPart({ text: 'x', inlineData: { mimeType: 'image/png', data: 'AAAA' } })),
		).toEqual(
			parseError({
				field: 'contents[0].parts[0]',
				description:
					"Invalid value at 'contents[0].parts[0]' (oneof), oneof field 'data' is already set. Cannot set 'inlineData'",
			}),
		);
	});

	test('a part takes its documented extras and nothing else', () => {
		const extras = {
			text: 'x',
			thought: false,
			thoughtSignature: 'c2lnLTE=',
			partMetadata: { source: 'n8n' },
			mediaResolution: { level: 'MEDIA_RESOLUTION_HIGH' },
		};
		expect(check(withPart(extras))).toBeUndefined();
		const body = { contents: [userText('a'), { role: 'model', parts: [{ text: 'b', id: 'x' }] }] };
		expect(check(body)).toEqual(parseError(unknownName('id', 'contents[1].parts[0]')));
	});

	test('inlineData needs a MIME type and base64 data', () => {
		expect(
			check(withPart({ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0x' } })),
		).toBeUndefined();
		expect(check(withPart({ inlineData: { data: 'JVBERi0x' } }))).toEqual(
			validatorError(['contents[0].parts[0].inline_data.mime_type', 'missing field']),
		);
		expect(check(withPart({ inlineData: { mimeType: 'image/png', data: 'not base64!' } }))).toEqual(
			parseError({
				field: 'contents[0].parts[0].inline_data.data',
				description:
					'Invalid value at \'contents[0].parts[0].inline_data.data\' (TYPE_BYTES), Base64 decoding failed for "not base64!"',
			}),
		);
	});

	test('fileData needs a fileUri', () => {
		expect(
			check(
				withPart({ fileData: { mimeType: 'application/pdf', fileUri: 'https://x.test/a.pdf' } }),
			),
		).toBeUndefined();
		expect(check(withPart({ fileData: { mimeType: 'application/pdf' } }))).toEqual(
			validatorError(['contents[0].parts[0].file_data.file_uri', 'missing field']),
		);
	});

	test('a function call needs a name', () => {
		expect(check(withPart({ functionCall: { args: {} } }))).toEqual(
			validatorError(['contents[0].parts[0].function_call.name', 'Name cannot be empty.']),
		);
	});

	test('a function response needs a name and an object response', () => {
		expect(check(withPart({ functionResponse: { response: { ok: true } } }))).toEqual(
			validatorError(['contents[0].parts[0].function_response.name', 'Name cannot be empty.']),
		);
		expect(check(withPart({ functionResponse: { name: 'f' } }))).toEqual(
			validatorError(['contents[0].parts[0].function_response.response', 'missing field']),
		);
		expect(check(withPart({ functionResponse: { name: 'f', response: [1, 2] } }))).toEqual(
			parseError(
				unknownName(
					'response',
					'contents[0].parts[0].function_response',
					'Proto field is not repeating, cannot start list.',
				),
			),
		);
	});

	test('a thought signature is base64; the documented dummy values pass as they are', () => {
		const signed = (thoughtSignature: string) =>
			withPart({ functionCall: { name: 'f', args: {} }, thoughtSignature });
		expect(check(signed('skip_thought_signature_validator'))).toBeUndefined();
		expect(check(signed('context_engineering_is_the_way_to_go'))).toBeUndefined();
		expect(check(signed('c2lnLTE'))).toBeUndefined();
		expect(check(signed('sig-1'))).toEqual(
			parseError({
				field: 'contents[0].parts[0].thought_signature',
				description:
					'Invalid value at \'contents[0].parts[0].thought_signature\' (TYPE_BYTES), Base64 decoding failed for "sig-1"',
			}),
		);
	});

	test('text must be a string', () => {
		expect(check(withPart({ text: 5 }))).toEqual(
			parseError({
				field: 'contents[0].parts[0].text',
				description: "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 5",
			}),
		);
		expect(check(withPart({ text: { value: 'x' } }))).toEqual(
			parseError({
				field: 'contents[0].parts[0]',
				description:
					"Invalid value at 'contents[0].parts[0]' (text), Starting an object on a scalar field",
			}),
		);
	});
});

describe('systemInstruction', () => {
	test('parts are text, and there is at least one', () => {
		expect(check(ask({ systemInstruction: { parts: [{ text: 'Be brief.' }] } }))).toBeUndefined();
		expect(check(ask({ systemInstruction: { parts: [] } }))).toEqual(
			validatorError(['system_instruction.parts', 'contents.parts must not be empty.']),
		);
		expect(check(ask({ systemInstruction: { parts: [{}] } }))).toEqual(
			validatorError([
				'system_instruction.parts[0].data',
				"required oneof field 'data' must have one initialized field",
			]),
		);
		const image = { inlineData: { mimeType: 'image/png', data: 'AAAA' } };
		expect(check(ask({ systemInstruction: { parts: [{ text: 'x' }, image] } }))).toEqual(
			validatorError([
				'system_instruction.parts[1].data',
				'system_instruction supports text parts only',
			]),
		);
	});
});

describe('generationConfig', () => {
	test('only documented keys', () => {
		const documented = {
			stopSequences: ['END'],
			responseMimeType: 'application/json',
			candidateCount: 1,
			maxOutputTokens: 1024,
			temperature: 0.7,
			topP: 0.95,
			topK: 40,
			seed: 7,
			presencePenalty: 0.1,
			frequencyPenalty: -0.1,
			responseLogprobs: true,
			logprobs: 3,
			enableEnhancedCivicAnswers: false,
			mediaResolution: 'MEDIA_RESOLUTION_LOW',
			thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
		};
		expect(check(withConfig(documented))).toBeUndefined();
		expect(check(withConfig({ maxTokens: 10, thinkingConfig: { effort: 'high' } }))).toEqual(
			parseError(
				unknownName('maxTokens', 'generation_config'),
				unknownName('effort', 'generation_config.thinking_config'),
			),
		);
	});

	test('thinking budget and thinking level are not set together', () => {
		expect(
			check(withConfig({ thinkingConfig: { thinkingBudget: 128, thinkingLevel: 'LOW' } })),
		).toEqual(plainError('You can only set only one of thinking budget and thinking level.'));
	});

	test('thinking level is for Gemini 3 and later', () => {
		const body = withConfig({ thinkingConfig: { thinkingLevel: 'low' } });
		expect(check(body)).toBeUndefined();
		const refused = plainError('thinking_level is not supported by this model');
		expect(check(body, 'gemini-2.5-flash')).toEqual(refused);
		expect(check(body, 'models/gemini-2.5-pro')).toEqual(refused);
	});

	test('thinking level names MINIMAL, LOW, MEDIUM, HIGH in any case', () => {
		for (const level of ['minimal', 'Low', 'MEDIUM', 'high'])
			expect(check(withConfig({ thinkingConfig: { thinkingLevel: level } }))).toBeUndefined();
		expect(check(withConfig({ thinkingConfig: { thinkingLevel: 'ULTRA' } }))).toEqual(
			parseError({
				field: 'generation_config.thinking_config.thinking_level',
				description:
					'Invalid value at \'generation_config.thinking_config.thinking_level\' (type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), "ULTRA"',
			}),
		);
	});

	test('temperature is within [0, 2]', () => {
		expect(check(withConfig({ temperature: 0 }))).toBeUndefined();
		expect(check(withConfig({ temperature: 2 }))).toBeUndefined();
		const refused = validatorError([
			'generation_config.temperature',
			'temperature must be in the range [0.0, 2.0]',
		]);
		expect(check(withConfig({ temperature: 2.5 }))).toEqual(refused);
		expect(check(withConfig({ temperature: -0.1 }))).toEqual(refused);
	});

	test('at most five stop sequences', () => {
		expect(check(withConfig({ stopSequences: ['a', 'b', 'c', 'd', 'e'] }))).toBeUndefined();
		expect(check(withConfig({ stopSequences: ['a', 'b', 'c', 'd', 'e', 'f'] }))).toEqual(
			validatorError([
				'generation_config.stop_sequences',
				'the number of stop_sequences must not exceed 5',
			]),
		);
	});

	test('responseSchema needs a compatible responseMimeType', () => {
		const responseSchema = { type: 'OBJECT', properties: { name: { type: 'STRING' } } };
		expect(
			check(withConfig({ responseMimeType: 'application/json', responseSchema })),
		).toBeUndefined();
		expect(check(withConfig({ responseSchema }))).toEqual(
			validatorError([
				'generation_config.response_mime_type',
				'response_mime_type must be application/json or text/x.enum when response_schema is set',
			]),
		);
	});

	test('responseSchema is a Schema, checked like parameters', () => {
		const responseSchema = { type: 'OBJECT', properties: { occupation: { description: 'Job' } } };
		expect(check(withConfig({ responseMimeType: 'application/json', responseSchema }))).toEqual(
			validatorError([
				'generation_config.response_schema.properties[occupation].type',
				'must be specified when not using one_of, any_of or all_of fields',
			]),
		);
	});

	test('responseSchema and responseJsonSchema are mutually exclusive; the JSON one needs a MIME type', () => {
		const jsonSchema = { type: 'object', properties: { name: { type: 'string' } } };
		expect(
			check(withConfig({ responseMimeType: 'application/json', responseJsonSchema: jsonSchema })),
		).toBeUndefined();
		expect(
			check(withConfig({ responseMimeType: 'application/json', _responseJsonSchema: jsonSchema })),
		).toBeUndefined();
		expect(
			check(
				withConfig({
					responseMimeType: 'application/json',
					responseSchema: { type: 'STRING' },
					responseJsonSchema: jsonSchema,
				}),
			),
		).toEqual(
			validatorError([
				'generation_config',
				'response_schema and response_json_schema are mutually exclusive',
			]),
		);
		expect(check(withConfig({ responseJsonSchema: jsonSchema }))).toEqual(
			validatorError([
				'generation_config.response_mime_type',
				'response_mime_type must be set when response_json_schema is set',
			]),
		);
	});

	test('responseModalities are TEXT, IMAGE or AUDIO', () => {
		expect(check(withConfig({ responseModalities: ['TEXT', 'image'] }))).toBeUndefined();
		expect(check(withConfig({ responseModalities: ['VIDEO'] }))).toEqual(
			parseError({
				field: 'generation_config.response_modalities[0]',
				description:
					'Invalid value at \'generation_config.response_modalities[0]\' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "VIDEO"',
			}),
		);
	});

	test('imageConfig: a documented aspect ratio, an image size with an upper-case K', () => {
		for (const imageConfig of [
			{ aspectRatio: '21:9' },
			{ aspectRatio: '1:8', imageSize: '512' },
			{ imageSize: '4K' },
		])
			expect(check(withConfig({ imageConfig }))).toBeUndefined();
		expect(check(withConfig({ imageConfig: { aspectRatio: '7:3' } }))).toEqual(
			validatorError([
				'generation_config.image_config.aspect_ratio',
				"aspect_ratio must be one of '1:1', '1:4', '1:8', '2:3', '3:2', '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', or '21:9'.",
			]),
		);
		expect(check(withConfig({ imageConfig: { imageSize: '1k' } }))).toEqual(
			validatorError([
				'generation_config.image_config.image_size',
				"image_size must be one of '512', '1K', '2K', or '4K'.",
			]),
		);
		expect(check(withConfig({ imageConfig: { personGeneration: 'ALLOW_ALL' } }))).toEqual(
			parseError(unknownName('personGeneration', 'generation_config.image_config')),
		);
	});

	test('speechConfig: a documented voice, and one voice setting or the other', () => {
		const voice = (voiceName: string) => ({ prebuiltVoiceConfig: { voiceName } });
		expect(check(withConfig({ speechConfig: { voiceConfig: voice('sulafat') } }))).toBeUndefined();
		expect(check(withConfig({ speechConfig: { voiceConfig: voice('Nova') } }))).toEqual(
			validatorError([
				'generation_config.speech_config.voice_config.prebuilt_voice_config.voice_name',
				'voice_name "Nova" is not one of the prebuilt voices',
			]),
		);
		const multiSpeakerVoiceConfig = {
			speakerVoiceConfigs: [
				{ speaker: 'Joe', voiceConfig: voice('Kore') },
				{ speaker: 'Jane', voiceConfig: voice('Puck') },
			],
		};
		expect(check(withConfig({ speechConfig: { multiSpeakerVoiceConfig } }))).toBeUndefined();
		expect(
			check(withConfig({ speechConfig: { voiceConfig: voice('Kore'), multiSpeakerVoiceConfig } })),
		).toEqual(
			validatorError([
				'generation_config.speech_config',
				'voice_config and multi_speaker_voice_config are mutually exclusive',
			]),
		);
	});
});

describe('tools', () => {
	test('tool entries of the documented kinds', () => {
		const tools = [
			{ googleSearch: {} },
			{ codeExecution: {} },
			{ urlContext: {} },
			{ googleMaps: {} },
			{ fileSearch: { fileSearchStoreNames: ['fileSearchStores/x'] } },
		];
		expect(check(ask({ tools }))).toBeUndefined();
		expect(check(ask({ tools: [{ googleSearch: {} }, { retrieval: {} }] }))).toEqual(
			parseError(unknownName('retrieval', 'tools[1]')),
		);
	});

	test('a function name starts with a letter or _, has a-z, 0-9, _ . : -, and at most 64 characters', () => {
		for (const name of ['get_weather', '_private', 'ns:tool.v1-beta', 'a'.repeat(64)])
			expect(check(withDeclaration({ name, description: 'x' }))).toBeUndefined();
		const refused = validatorError([
			'tools[0].function_declarations[0].name',
			'Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.',
		]);
		for (const name of ['1st', 'has space', 'a'.repeat(65), ''])
			expect(check(withDeclaration({ name, description: 'x' }))).toEqual(refused);
	});

	test('a declaration needs no description and no parameters', () => {
		expect(check(withDeclaration({ name: 'turn_on_the_lights' }))).toBeUndefined();
	});

	test('parameters and parametersJsonSchema are mutually exclusive', () => {
		const body = withDeclaration({
			name: 'f',
			parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } } },
			parametersJsonSchema: { type: 'object', properties: { a: { type: 'string' } } },
		});
		expect(check(body)).toEqual(
			validatorError([
				'tools[0].function_declarations[0]',
				'parameters and parameters_json_schema are mutually exclusive',
			]),
		);
	});
});

describe('parameters is a Schema', () => {
	const at = 'tools[0].function_declarations[0].parameters';

	test("only the Schema fields, named in Google's path form", () => {
		const parameters = {
			type: 'object',
			properties: { name: { type: 'string' }, age: { type: 'integer', exclusiveMinimum: 0 } },
		};
		expect(check(withParameters(parameters))).toEqual(
			parseError(unknownName('exclusiveMinimum', `${at}.properties[1].value`)),
		);
		const every = {
			type: 'OBJECT',
			format: 'x',
			title: 'T',
			description: 'D',
			nullable: true,
			properties: {
				list: {
					type: 'ARRAY',
					items: { type: 'STRING', enum: ['a', 'b'] },
					minItems: 1,
					maxItems: '3',
				},
				text: {
					type: 'STRING',
					minLength: 1,
					maxLength: 9,
					pattern: '^a',
					example: 'a',
					default: 'a',
				},
				number: { type: 'NUMBER', minimum: 0, maximum: 1.5 },
				either: { anyOf: [{ type: 'STRING' }, { type: 'NULL' }] },
				object: {
					type: 'OBJECT',
					properties: { a: { type: 'BOOLEAN' } },
					minProperties: 1,
					maxProperties: 2,
				},
			},
			required: ['list'],
			propertyOrdering: ['list', 'text'],
		};
		expect(check(withParameters(every))).toBeUndefined();
	});

	test('type is one Type value, not a list', () => {
		const parameters = { type: 'object', properties: { note: { type: ['string', 'null'] } } };
		expect(check(withParameters(parameters))).toEqual(
			parseError(
				unknownName(
					'type',
					`${at}.properties[0].value`,
					'Proto field is not repeating, cannot start list.',
				),
			),
		);
		expect(check(withParameters({ type: 'object', properties: { a: { type: '' } } }))).toEqual(
			parseError({
				field: `${at}.properties[0].value.type`,
				description: `Invalid value at '${at}.properties[0].value.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ""`,
			}),
		);
	});

	test('enum values are strings', () => {
		const parameters = {
			type: 'OBJECT',
			properties: { level: { type: 'INTEGER', enum: ['1', 2] } },
		};
		expect(check(withParameters(parameters))).toEqual(
			parseError({
				field: `${at}.properties[0].value.enum[1]`,
				description: `Invalid value at '${at}.properties[0].value.enum[1]' (TYPE_STRING), 2`,
			}),
		);
	});

	test('an OBJECT has properties', () => {
		const refused = validatorError([`${at}.properties`, 'should be non-empty for OBJECT type']);
		expect(check(withParameters({ type: 'OBJECT', properties: {} }))).toEqual(refused);
		expect(check(withParameters({ type: 'object' }))).toEqual(refused);
		const nested = {
			type: 'OBJECT',
			properties: { action: { type: 'OBJECT', properties: { done: { type: 'OBJECT' } } } },
		};
		expect(check(withParameters(nested))).toEqual(
			validatorError([
				`${at}.properties[action].properties[done].properties`,
				'should be non-empty for OBJECT type',
			]),
		);
	});

	test('required names defined properties', () => {
		const parameters = { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['b'] };
		expect(check(withParameters(parameters))).toEqual(
			validatorError([`${at}.required[0]`, 'property is not defined']),
		);
	});

	test('properties and required only on an OBJECT', () => {
		const parameters = {
			type: 'OBJECT',
			properties: {
				data: { type: 'STRING', properties: { a: { type: 'STRING' } }, required: ['a'] },
			},
		};
		expect(check(withParameters(parameters))).toEqual(
			validatorError(
				[`${at}.properties[data].properties`, 'only allowed for OBJECT type'],
				[`${at}.properties[data].required`, 'only allowed for OBJECT type'],
			),
		);
	});

	test('items only on an ARRAY, and every ARRAY has items', () => {
		const onString = {
			type: 'OBJECT',
			properties: { formulas: { type: 'STRING', items: { type: 'STRING' } } },
		};
		expect(check(withParameters(onString))).toEqual(
			validatorError([
				`${at}.properties[formulas].items`,
				'field predicate failed: $type == Type.ARRAY',
			]),
		);
		const bare = { type: 'OBJECT', properties: { command: { type: 'ARRAY' } } };
		expect(check(withParameters(bare))).toEqual(
			validatorError([`${at}.properties[command].items`, 'missing field']),
		);
	});

	test('a type is given unless anyOf is', () => {
		const parameters = { type: 'OBJECT', properties: { description: { description: 'x' } } };
		expect(check(withParameters(parameters))).toEqual(
			validatorError([
				`${at}.properties[description].type`,
				'must be specified when not using one_of, any_of or all_of fields',
			]),
		);
	});

	test("the schema n8n's SDK makes from a zod object is refused as parameters", () => {
		expect(check(withParameters(zodToolSchema()))).toEqual(
			parseError(
				unknownName(
					'type',
					`${at}.properties[2].value`,
					'Proto field is not repeating, cannot start list.',
				),
				unknownName('const', `${at}.properties[4].value`),
				unknownName('additionalProperties', at),
				unknownName('$schema', at),
			),
		);
	});
});

describe('parametersJsonSchema', () => {
	test('the root describes an object', () => {
		expect(check(withJsonSchema({ type: 'string' }))).toEqual(
			validatorError([
				'tools[0].function_declarations[0].parameters_json_schema',
				'the schema must describe an object',
			]),
		);
		const viaRef = { $ref: '#/$defs/Args', $defs: { Args: { type: 'object', properties: {} } } };
		expect(check(withJsonSchema(viaRef))).toBeUndefined();
	});

	test('every $ref resolves within the document', () => {
		const schema = (defs: Body) => ({
			type: 'object',
			properties: {
				target_object: { anyOf: [{ type: 'string' }, { $ref: '#/$defs/Missing' }] },
				anchored: { $ref: '#point' },
			},
			$defs: { Point: { $anchor: 'point', type: 'object', properties: {} }, ...defs },
		});
		expect(check(withJsonSchema(schema({})))).toEqual(
			plainError('reference to undefined schema at properties.target_object.anyOf.1'),
		);
		expect(check(withJsonSchema(schema({ Missing: { type: 'string' } })))).toBeUndefined();
	});

	test('a $ref node carries only description and default besides $ keys', () => {
		const schema = (option: Body) => ({
			type: 'object',
			properties: { option },
			$defs: { QuestionOption: { type: 'string' } },
		});
		const fine = { $ref: '#/$defs/QuestionOption', description: 'x', default: 'a', $comment: 'c' };
		expect(check(withJsonSchema(schema(fine)))).toBeUndefined();
		expect(
			check(withJsonSchema(schema({ $ref: '#/$defs/QuestionOption', type: 'string' }))),
		).toEqual(
			plainError(
				"$ref 'QuestionOption' was set alongside unsupported fields. If a schema node has $ref set, then only description and default can be set alongside it",
			),
		);
	});

	test('responseJsonSchema follows the same $ref rules', () => {
		const responseJsonSchema = { type: 'object', properties: { a: { $ref: '#/$defs/Nope' } } };
		expect(check(withConfig({ responseMimeType: 'application/json', responseJsonSchema }))).toEqual(
			plainError('reference to undefined schema at properties.a'),
		);
	});
});

describe('toolConfig', () => {
	const config = (functionCallingConfig: Body) => ask({ toolConfig: { functionCallingConfig } });

	test('mode is AUTO, ANY, NONE or VALIDATED', () => {
		for (const mode of ['AUTO', 'any', 'NONE', 'VALIDATED'])
			expect(check(config({ mode }))).toBeUndefined();
		expect(check(config({ mode: 'SOMETIMES' }))).toEqual(
			parseError({
				field: 'tool_config.function_calling_config.mode',
				description:
					'Invalid value at \'tool_config.function_calling_config.mode\' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "SOMETIMES"',
			}),
		);
	});

	test('allowedFunctionNames only with ANY or VALIDATED', () => {
		expect(check(config({ mode: 'ANY', allowedFunctionNames: ['f'] }))).toBeUndefined();
		expect(check(config({ mode: 'VALIDATED', allowedFunctionNames: ['f'] }))).toBeUndefined();
		const refused = validatorError([
			'tool_config.function_calling_config.allowed_function_names',
			'allowed_function_names may only be set when mode is ANY or VALIDATED',
		]);
		expect(check(config({ mode: 'AUTO', allowedFunctionNames: ['f'] }))).toEqual(refused);
		expect(check(config({ allowedFunctionNames: ['f'] }))).toEqual(refused);
	});
});

describe('safetySettings', () => {
	const settings = (...safetySettings: Body[]) => ask({ safetySettings });

	test('the Gemini categories with documented thresholds', () => {
		const body = settings(
			{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_ONLY_HIGH' },
			{ category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', threshold: 'BLOCK_NONE' },
			{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_LOW_AND_ABOVE' },
			{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'OFF' },
			{ category: 'HARM_CATEGORY_CIVIC_INTEGRITY', threshold: 'BLOCK_MEDIUM_AND_ABOVE' },
		);
		expect(check(body)).toBeUndefined();
	});

	test('a category the API does not know', () => {
		expect(
			check(settings({ category: 'HARM_CATEGORY_IMAGE_HATE', threshold: 'BLOCK_NONE' })),
		).toEqual(
			parseError({
				field: 'safety_settings[0].category',
				description:
					'Invalid value at \'safety_settings[0].category\' (type.googleapis.com/google.ai.generativelanguage.v1beta.HarmCategory), "HARM_CATEGORY_IMAGE_HATE"',
			}),
		);
	});

	test('a PaLM category the Gemini API does not take', () => {
		expect(
			check(
				settings(
					{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' },
					{ category: 'HARM_CATEGORY_TOXICITY', threshold: 'BLOCK_NONE' },
				),
			),
		).toEqual(
			validatorError([
				'safety_settings[1]',
				'element predicate failed: $.category in (HarmCategory.HARM_CATEGORY_HATE_SPEECH, HarmCategory.HARM_CATEGORY_SEXUALLY_EXPLICIT, HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT, HarmCategory.HARM_CATEGORY_HARASSMENT, HarmCategory.HARM_CATEGORY_CIVIC_INTEGRITY)',
			]),
		);
	});

	test('a threshold the API does not know', () => {
		expect(
			check(settings({ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ALL' })),
		).toEqual(
			parseError({
				field: 'safety_settings[0].threshold',
				description:
					'Invalid value at \'safety_settings[0].threshold\' (type.googleapis.com/google.ai.generativelanguage.v1beta.SafetySetting.HarmBlockThreshold), "BLOCK_ALL"',
			}),
		);
	});
});

describe('passes', () => {
	test('every parse problem is listed at once, before any validator line', () => {
		const body = {
			contents: [{ role: 'model', parts: [] }],
			generationConfig: { temprature: 1 },
			tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', const: 1 } }] }],
		};
		expect(messageOf(body)).toBe(
			[
				'Invalid JSON payload received. Unknown name "temprature" at \'generation_config\': Cannot find field.',
				'Invalid JSON payload received. Unknown name "const" at \'tools[0].function_declarations[0].parameters\': Cannot find field.',
			].join('\n'),
		);
	});

	test('validator lines come all together', () => {
		const body = {
			contents: [{ role: 'user', parts: [] }],
			tools: [{ functionDeclarations: [{ name: 'bad name', parameters: { type: 'OBJECT' } }] }],
		};
		expect(check(body)?.message.split('\n').filter(Boolean)).toEqual([
			'* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.',
			expect.stringContaining(
				'* GenerateContentRequest.tools[0].function_declarations[0].name: Invalid function name.',
			),
			'* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties: should be non-empty for OBJECT type',
		]);
	});
});

describe('the cost levers: service tier, cached content, media resolution per part', () => {
	test('serviceTier takes the lowercase tiers, top level only', () => {
		for (const serviceTier of ['standard', 'flex', 'priority', 'FLEX'])
			expect(check(ask({ serviceTier }))).toBeUndefined();
		expect(messageOf(ask({ serviceTier: 'SERVICE_TIER_FLEX' }))).toBe(
			'Invalid value at \'service_tier\' (type.googleapis.com/google.ai.generativelanguage.v1beta.ServiceTier), "SERVICE_TIER_FLEX"',
		);
		expect(messageOf(withConfig({ serviceTier: 'flex' }))).toBe(
			'Invalid JSON payload received. Unknown name "serviceTier" at \'generation_config\': Cannot find field.',
		);
	});

	test('cachedContent goes without systemInstruction, tools and toolConfig, which live in the cache', () => {
		const cached = { cachedContent: 'cachedContents/abc123' };
		expect(check(ask(cached))).toBeUndefined();
		expect(check(ask({ ...cached, generationConfig: { temperature: 0.2 } }))).toBeUndefined();
		const refused = plainError(
			'CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.',
		);
		expect(
			check(ask({ ...cached, systemInstruction: { parts: [{ text: 'Be brief.' }] } })),
		).toEqual(refused);
		expect(check(ask({ ...cached, tools: [{ googleSearch: {} }] }))).toEqual(refused);
		expect(
			check(ask({ ...cached, toolConfig: { functionCallingConfig: { mode: 'ANY' } } })),
		).toEqual(refused);
	});

	test('a part takes its own media resolution, ULTRA_HIGH included; the request-wide one does not', () => {
		const image = { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } };
		expect(
			check(withPart({ ...image, mediaResolution: { level: 'MEDIA_RESOLUTION_ULTRA_HIGH' } })),
		).toBeUndefined();
		expect(messageOf(withPart({ ...image, mediaResolution: 'MEDIA_RESOLUTION_HIGH' }))).toContain(
			"Invalid value at 'contents[0].parts[0].media_resolution'",
		);
		expect(messageOf(withConfig({ mediaResolution: 'MEDIA_RESOLUTION_ULTRA_HIGH' }))).toBe(
			'Invalid value at \'generation_config.media_resolution\' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.MediaResolution), "MEDIA_RESOLUTION_ULTRA_HIGH"',
		);
	});
});

describe('built-in tools next to function declarations', () => {
	const lookup = { name: 'lookup', description: 'Looks it up.' };
	const mixed = { tools: [{ googleSearch: {} }, { functionDeclarations: [lookup] }] };

	test('need toolConfig.includeServerSideToolInvocations', () => {
		expect(check(ask(mixed))).toEqual(
			plainError(
				'Please enable tool_config.include_server_side_tool_invocations to use Built-in tools with Function calling.',
			),
		);
		expect(
			check(ask({ ...mixed, toolConfig: { includeServerSideToolInvocations: true } })),
		).toBeUndefined();
		expect(check(ask({ tools: [{ googleSearch: {}, urlContext: {} }] }))).toBeUndefined();
	});

	test('the server-side tool parts of the history keep their signatures', () => {
		const call = {
			toolCall: { toolType: 'GOOGLE_SEARCH_WEB', args: { queries: ['x'] }, id: 'a1' },
		};
		const history = (part: Body) => ({
			...mixed,
			toolConfig: { includeServerSideToolInvocations: true },
			contents: [userText('Find x'), { role: 'model', parts: [part] }, userText('And?')],
		});
		expect(check(history({ ...call, thoughtSignature: 'c2lnbmVk' }))).toBeUndefined();
		const refused = plainError('contents[1].parts[0]: Tool call part is missing thought_signature');
		expect(check(history(call))).toEqual(refused);
		expect(
			check(history({ ...call, thoughtSignature: 'skip_thought_signature_validator' })),
		).toEqual(refused);
	});
});
