import { getParametersJsonSchema, type Message, type Tool } from '@n8n/ai-node-sdk';
import { z } from 'zod';

import {
	refOfToolCallId,
	signatureOfToolCallId,
	SKIP_SIGNATURE_CHECK,
	toFunctionDeclarations,
	toGeminiConversation,
	toolCallIdFor,
} from '../../nodes/LmChatQuickrouterGemini/chat-messages';

const schemaOf = (tool: Tool) =>
	getParametersJsonSchema(tool as Parameters<typeof getParametersJsonSchema>[0]) as Record<
		string,
		unknown
	>;

/** An assistant message holding one tool call, as n8n's agent replays each call it ran. */
const call = (toolCallId: string, toolName: string, args: object): Message => ({
	role: 'assistant',
	content: [{ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(args) }],
});

const result = (toolCallId: string, value: unknown): Message => ({
	role: 'tool',
	content: [{ type: 'tool-result', toolCallId, result: JSON.stringify(value) }],
});

test('system messages become the system instruction; user and assistant become user and model turns', () => {
	const messages: Message[] = [
		{ role: 'system', content: [{ type: 'text', text: 'You are Neko.' }] },
		{ role: 'user', content: [{ type: 'text', text: 'Hi' }] },
		{ role: 'assistant', content: [{ type: 'text', text: 'Meow' }] },
		{
			role: 'user',
			content: [
				{ type: 'text', text: 'Again' },
				{ type: 'file', mediaType: 'image/png', data: new Uint8Array([1, 2, 3]) },
			],
		},
	];
	expect(toGeminiConversation(messages)).toEqual({
		systemInstruction: { parts: [{ text: 'You are Neko.' }] },
		contents: [
			{ role: 'user', parts: [{ text: 'Hi' }] },
			{ role: 'model', parts: [{ text: 'Meow' }] },
			{
				role: 'user',
				parts: [{ text: 'Again' }, { inlineData: { mimeType: 'image/png', data: 'AQID' } }],
			},
		],
	});
});

test('a file n8n hands over by URL only becomes a fileData part; one with neither is left out', () => {
	const { contents } = toGeminiConversation([
		{
			role: 'user',
			content: [
				{ type: 'text', text: 'Summarize' },
				{
					type: 'file',
					mediaType: 'application/pdf',
					data: undefined as unknown as string,
					providerMetadata: { url: 'https://generativelanguage.googleapis.com/v1beta/files/abc' },
				},
				{ type: 'file', data: '' },
			],
		},
	]);
	expect(contents).toEqual([
		{
			role: 'user',
			parts: [
				{ text: 'Summarize' },
				{
					fileData: {
						mimeType: 'application/pdf',
						fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc',
					},
				},
			],
		},
	]);
});

test('no system message, no system instruction; reasoning goes back as a thought part', () => {
	expect(
		toGeminiConversation([
			{ role: 'user', content: [{ type: 'text', text: 'Hi' }] },
			{
				role: 'assistant',
				content: [
					{ type: 'reasoning', text: 'A greeting.' },
					{ type: 'text', text: 'Hello' },
				],
			},
		]),
	).toEqual({
		contents: [
			{ role: 'user', parts: [{ text: 'Hi' }] },
			{ role: 'model', parts: [{ text: 'A greeting.', thought: true }, { text: 'Hello' }] },
		],
	});
});

test('a tool-call id carries its thought signature, and ids are unique', () => {
	const signed = toolCallIdFor({ signature: 'c2lnLTE=' });
	const unsigned = toolCallIdFor();
	expect(signed).toMatch(/^qr_[0-9a-f]{12}~c2lnLTE=$/);
	expect(signatureOfToolCallId(signed)).toBe('c2lnLTE=');
	expect(unsigned).toMatch(/^qr_[0-9a-f]{12}$/);
	expect(signatureOfToolCallId(unsigned)).toBeUndefined();
	// Ids of other models (memory from another chat model) carry nothing.
	expect(signatureOfToolCallId('call_abc~def')).toBeUndefined();
	expect(toolCallIdFor()).not.toBe(unsigned);
});

// The parallel call of Google's thought-signature guide: "weather in Paris and London", where
// only the first functionCall part carries a signature, then both functionResponses.
test('a parallel call replayed as call/result pairs goes back as one model turn and one user turn', () => {
	const paris = toolCallIdFor({ signature: '<Signature_A>' });
	const london = toolCallIdFor();
	const { contents } = toGeminiConversation([
		{ role: 'user', content: [{ type: 'text', text: "What's the weather in Paris and London?" }] },
		// n8n's agent replays each call on its own, with the call's id added to its arguments.
		call(paris, 'get_current_temperature', { location: 'Paris', id: paris }),
		result(paris, [{ temperature: 15, unit: 'C' }]),
		call(london, 'get_current_temperature', { location: 'London', id: london }),
		result(london, { temperature: 12, unit: 'C' }),
	]);
	expect(contents).toEqual([
		{ role: 'user', parts: [{ text: "What's the weather in Paris and London?" }] },
		{
			role: 'model',
			parts: [
				{
					functionCall: { name: 'get_current_temperature', args: { location: 'Paris' } },
					thoughtSignature: '<Signature_A>',
				},
				{ functionCall: { name: 'get_current_temperature', args: { location: 'London' } } },
			],
		},
		{
			role: 'user',
			parts: [
				{
					functionResponse: {
						name: 'get_current_temperature',
						response: { result: [{ temperature: 15, unit: 'C' }] },
					},
				},
				{
					functionResponse: {
						name: 'get_current_temperature',
						response: { temperature: 12, unit: 'C' },
					},
				},
			],
		},
	]);
});

test('sequential steps keep one turn each, every step with its own signature', () => {
	const check = toolCallIdFor({ signature: '<Signature_A>' });
	const book = toolCallIdFor({ signature: '<Signature_B>' });
	const { contents } = toGeminiConversation([
		{
			role: 'user',
			content: [{ type: 'text', text: 'Check flight AA100; book a taxi if delayed.' }],
		},
		call(check, 'check_flight', { flight: 'AA100' }),
		result(check, { status: 'delayed' }),
		call(book, 'book_taxi', { time: '10 AM' }),
		result(book, { booking_status: 'success' }),
	]);
	expect(contents.map((turn) => turn.role)).toEqual(['user', 'model', 'user', 'model', 'user']);
	expect(contents[1].parts?.[0].thoughtSignature).toBe('<Signature_A>');
	expect(contents[3].parts?.[0].thoughtSignature).toBe('<Signature_B>');
});

test("calls of a model that signs nothing stay in order, each step with Google's placeholder signature", () => {
	const first = toolCallIdFor();
	const second = toolCallIdFor();
	const { contents } = toGeminiConversation([
		{ role: 'user', content: [{ type: 'text', text: 'Go' }] },
		call(first, 'a', {}),
		result(first, 1),
		call(second, 'b', {}),
		result(second, 2),
	]);
	expect(contents.map((turn) => turn.role)).toEqual(['user', 'model', 'user', 'model', 'user']);
	expect(contents[1].parts?.[0].thoughtSignature).toBe(SKIP_SIGNATURE_CHECK);
	expect(contents[3].parts?.[0].thoughtSignature).toBe(SKIP_SIGNATURE_CHECK);
	expect(SKIP_SIGNATURE_CHECK).toBe('skip_thought_signature_validator');
});

test('a history from another chat model (its own call ids, no signatures) is signed with the placeholder', () => {
	const { contents } = toGeminiConversation([
		{ role: 'user', content: [{ type: 'text', text: 'What is 6*7?' }] },
		call('call_Xy12', 'calculator', { input: '6*7' }),
		result('call_Xy12', 42),
	]);
	expect(contents[1]).toEqual({
		role: 'model',
		parts: [
			{
				functionCall: { name: 'calculator', args: { input: '6*7' } },
				thoughtSignature: SKIP_SIGNATURE_CHECK,
			},
		],
	});
	expect(contents[2].parts?.[0].functionResponse).toEqual({
		name: 'calculator',
		response: { result: 42 },
	});
});

test("Gemini's call id rides in the tool-call id and goes back on the call and on its response", () => {
	const id = toolCallIdFor({ geminiId: 'fc-7b2e/9', signature: 'c2lnLTE=' });
	expect(id).toMatch(/^qr_[0-9a-f]{12}\.[A-Za-z0-9_-]+~c2lnLTE=$/);
	expect(refOfToolCallId(id)).toEqual({ geminiId: 'fc-7b2e/9', signature: 'c2lnLTE=' });
	const { contents } = toGeminiConversation([
		{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
		call(id, 'get_weather', { city: 'Paris' }),
		result(id, { celsius: 21 }),
	]);
	expect(contents.slice(1)).toEqual([
		{
			role: 'model',
			parts: [
				{
					functionCall: { id: 'fc-7b2e/9', name: 'get_weather', args: { city: 'Paris' } },
					thoughtSignature: 'c2lnLTE=',
				},
			],
		},
		{
			role: 'user',
			parts: [
				{ functionResponse: { id: 'fc-7b2e/9', name: 'get_weather', response: { celsius: 21 } } },
			],
		},
	]);
	// An id without Gemini's id (older models, or memory from before) carries the signature only.
	expect(refOfToolCallId(toolCallIdFor({ signature: 'c2lnLTE=' }))).toEqual({
		signature: 'c2lnLTE=',
	});
});

test("an argument named id that the model chose is kept; n8n's added one is not", () => {
	const id = toolCallIdFor();
	const { contents } = toGeminiConversation([call(id, 'get_order', { id: 'order-7' })]);
	expect(contents[0].parts?.[0].functionCall).toEqual({
		name: 'get_order',
		args: { id: 'order-7' },
	});
});

test("a tool result whose call is not in the history is named after its message's tool", () => {
	const { contents } = toGeminiConversation([
		{
			role: 'tool',
			name: 'Calculator',
			content: [{ type: 'tool-result', toolCallId: 'qr_0123456789ab', result: '42' }],
		},
	]);
	expect(contents[0].parts?.[0].functionResponse).toEqual({
		name: 'Calculator',
		response: { result: 42 },
	});
});

test('a failed tool result is sent as an error response', () => {
	const { contents } = toGeminiConversation([
		call('t1', 'lookup', {}),
		{
			role: 'tool',
			content: [{ type: 'tool-result', toolCallId: 't1', result: 'Not found', isError: true }],
		},
	]);
	expect(contents[1]).toEqual({
		role: 'user',
		parts: [{ functionResponse: { name: 'lookup', response: { error: 'Not found' } } }],
	});
});

const declarationOf = (inputSchema: unknown) =>
	toFunctionDeclarations(
		[{ type: 'function', name: 'tool', description: 'A tool', inputSchema } as Tool],
		schemaOf,
	)[0];

test("a Zod tool schema, as n8n hands tools over, goes as JSON Schema in Gemini's parametersJsonSchema", () => {
	const declaration = declarationOf(
		z.object({
			city: z.string().describe('City name'),
			days: z.number().int().min(1).max(10).optional(),
			unit: z.enum(['c', 'f']).nullable(),
			mode: z.literal('fast'),
			tags: z.array(z.object({ name: z.string() })),
			either: z.union([z.string(), z.number()]),
		}),
	);
	expect(declaration).not.toHaveProperty('parameters');
	expect(declaration.parametersJsonSchema).toEqual({
		type: 'object',
		properties: {
			city: { type: 'string', description: 'City name' },
			days: { type: 'integer', minimum: 1, maximum: 10 },
			unit: { anyOf: [{ type: 'string', enum: ['c', 'f'] }, { type: 'null' }] },
			mode: { type: 'string', const: 'fast' },
			tags: {
				type: 'array',
				items: {
					type: 'object',
					properties: { name: { type: 'string' } },
					required: ['name'],
					additionalProperties: false,
				},
			},
			either: { type: ['string', 'number'] },
		},
		required: ['city', 'unit', 'mode', 'tags', 'either'],
		additionalProperties: false,
	});
});

test('a tool without arguments is declared without any parameters', () => {
	expect(declarationOf(z.object({}))).toEqual({ name: 'tool', description: 'A tool' });
	expect(declarationOf({ type: 'object', properties: {} })).toEqual({
		name: 'tool',
		description: 'A tool',
	});
	expect(declarationOf({ type: 'object' })).toEqual({ name: 'tool', description: 'A tool' });
});

test('reused and recursive Zod shapes keep their $ref; only what Google refuses beside a $ref goes', () => {
	const shared = z.object({ x: z.number() });
	const node: z.ZodType = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
	const schema = declarationOf(z.object({ a: shared, b: shared, tree: node }))
		.parametersJsonSchema as Record<string, Record<string, unknown>>;
	expect(schema.properties.b).toEqual({ $ref: '#/properties/a' });
	expect(JSON.stringify(schema.properties.tree)).toContain('"$ref":"#/properties/tree"');
	const manual = declarationOf({
		type: 'object',
		$defs: { point: { type: 'object', properties: { x: { type: 'number' } } } },
		properties: { at: { $ref: '#/$defs/point', description: 'Where', type: 'object', title: 'P' } },
	}).parametersJsonSchema;
	expect(manual).toEqual({
		type: 'object',
		$defs: { point: { type: 'object', properties: { x: { type: 'number' } } } },
		properties: { at: { $ref: '#/$defs/point', description: 'Where' } },
	});
});

test("a Code Tool's manual JSON Schema goes as written, without $schema", () => {
	const declaration = declarationOf({
		$schema: 'http://json-schema.org/draft-07/schema#',
		type: 'object',
		properties: {
			amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
			currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'EUR' },
			note: { type: ['string', 'null'] },
			items: { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 1 },
		},
		required: ['amount'],
		additionalProperties: false,
	});
	expect(declaration.parametersJsonSchema).toEqual({
		type: 'object',
		properties: {
			amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
			currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'EUR' },
			note: { type: ['string', 'null'] },
			items: { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 1 },
		},
		required: ['amount'],
		additionalProperties: false,
	});
});

test('a JSON tool schema keeps property names that look like keywords', () => {
	const declaration = declarationOf({
		type: 'object',
		properties: {
			// A property may be named like a keyword; it is data and stays.
			$schema: { type: 'string' },
			$ref: { type: 'string' },
		},
	});
	expect(declaration.parametersJsonSchema).toEqual({
		type: 'object',
		properties: { $schema: { type: 'string' }, $ref: { type: 'string' } },
	});
});
