import { getParametersJsonSchema, type Message, type Tool } from '@n8n/ai-node-sdk';
import { z } from 'zod';

import {
	signatureOfToolCallId,
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
	const signed = toolCallIdFor('c2lnLTE=');
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
	const paris = toolCallIdFor('<Signature_A>');
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
	const check = toolCallIdFor('<Signature_A>');
	const book = toolCallIdFor('<Signature_B>');
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

test('calls of a model that signs nothing stay in the order they were made', () => {
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

test('a Zod tool schema, as n8n hands tools over, loses the keywords Gemini rejects', () => {
	const tool: Tool = {
		type: 'function',
		name: 'calculator',
		description: 'Evaluates arithmetic',
		inputSchema: z.object({ input: z.string(), nested: z.object({ x: z.number() }) }),
	};
	// The SDK's own conversion adds what Gemini rejects.
	expect(schemaOf(tool)).toMatchObject({
		$schema: expect.any(String),
		additionalProperties: false,
	});
	const [declaration] = toFunctionDeclarations([tool], schemaOf);
	expect(JSON.stringify(declaration)).not.toMatch(/\$schema|additionalProperties/);
	expect(declaration.parameters).toEqual({
		type: 'object',
		properties: {
			input: { type: 'string' },
			nested: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
		},
		required: ['input', 'nested'],
	});
});

test('a JSON tool schema keeps property names that look like keywords', () => {
	const tool: Tool = {
		type: 'function',
		name: 'calculator',
		description: 'Evaluates arithmetic',
		inputSchema: {
			type: 'object',
			properties: {
				input: { type: 'object', properties: { x: { type: 'number' } } },
				// A property may be named like a keyword; it is data and stays.
				additionalProperties: { type: 'string' },
			},
			required: ['input'],
		},
	};
	expect(toFunctionDeclarations([tool], schemaOf)).toEqual([
		{
			name: 'calculator',
			description: 'Evaluates arithmetic',
			parameters: {
				type: 'object',
				properties: {
					input: { type: 'object', properties: { x: { type: 'number' } } },
					additionalProperties: { type: 'string' },
				},
				required: ['input'],
			},
		},
	]);
});
