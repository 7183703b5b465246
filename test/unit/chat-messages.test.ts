import {
	type ChatMessage,
	fromGeminiParts,
	toFunctionDeclarations,
	toGeminiConversation,
} from '../../nodes/shared/chat-messages';

const gemini = (thoughtSignature: string) => ({
	providerMetadata: { gemini: { thoughtSignature } },
});

test('system messages become the system instruction; user and assistant become user and model turns', () => {
	const messages: ChatMessage[] = [
		{ role: 'system', content: [{ type: 'text', text: 'You are Neko.' }] },
		{ role: 'user', content: [{ type: 'text', text: 'Hi' }] },
		{ role: 'assistant', content: [{ type: 'text', text: 'Meow', ...gemini('c2ln') }] },
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
			{ role: 'model', parts: [{ text: 'Meow', thoughtSignature: 'c2ln' }] },
			{
				role: 'user',
				parts: [{ text: 'Again' }, { inlineData: { mimeType: 'image/png', data: 'AQID' } }],
			},
		],
	});
});

test('a parallel tool call where only the first part carries a signature goes back as it came', () => {
	const answer = [
		{ functionCall: { name: 'add', args: { a: 1, b: 2 } }, thoughtSignature: 'c2lnLTE=' },
		{ functionCall: { name: 'multiply', args: { a: 3, b: 4 } } },
	];
	const content = fromGeminiParts(answer);
	expect(content).toEqual([
		{
			type: 'tool-call',
			toolCallId: 'call_0',
			toolName: 'add',
			input: '{"a":1,"b":2}',
			...gemini('c2lnLTE='),
		},
		{ type: 'tool-call', toolCallId: 'call_1', toolName: 'multiply', input: '{"a":3,"b":4}' },
	]);
	const { contents } = toGeminiConversation([
		{ role: 'user', content: [{ type: 'text', text: 'Compute' }] },
		// n8n adds an "id" key to replayed tool-call arguments; it is not the function's.
		{
			role: 'assistant',
			content: content.map((part) =>
				part.type === 'tool-call'
					? { ...part, input: part.input.replace('{', '{"id":"x",') }
					: part,
			),
		},
		{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_0', result: '3' }] },
		{
			role: 'tool',
			content: [{ type: 'tool-result', toolCallId: 'call_1', result: '{"value": 12}' }],
		},
	]);
	expect(contents).toEqual([
		{ role: 'user', parts: [{ text: 'Compute' }] },
		{ role: 'model', parts: answer },
		{
			role: 'user',
			parts: [
				{ functionResponse: { name: 'add', response: { result: 3 } } },
				{ functionResponse: { name: 'multiply', response: { value: 12 } } },
			],
		},
	]);
});

test('thought summaries come back as reasoning and go out as thought parts, signatures kept', () => {
	const content = fromGeminiParts([
		{ text: 'Let me think', thought: true },
		{ text: 'Four.', thoughtSignature: 'c2ln' },
	]);
	expect(content).toEqual([
		{ type: 'reasoning', text: 'Let me think' },
		{ type: 'text', text: 'Four.', ...gemini('c2ln') },
	]);
	expect(toGeminiConversation([{ role: 'assistant', content }]).contents).toEqual([
		{
			role: 'model',
			parts: [
				{ text: 'Let me think', thought: true },
				{ text: 'Four.', thoughtSignature: 'c2ln' },
			],
		},
	]);
});

test('a failed tool result is sent as an error response', () => {
	const { contents } = toGeminiConversation([
		{
			role: 'assistant',
			content: [{ type: 'tool-call', toolCallId: 't1', toolName: 'lookup', input: '{}' }],
		},
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

test('tool schemas lose the keywords Gemini rejects, at every depth', () => {
	expect(
		toFunctionDeclarations([
			{
				name: 'calculator',
				description: 'Evaluates arithmetic',
				inputSchema: {
					$schema: 'http://json-schema.org/draft-07/schema#',
					type: 'object',
					additionalProperties: false,
					properties: {
						input: {
							type: 'object',
							additionalProperties: false,
							properties: { x: { type: 'number' } },
						},
					},
					required: ['input'],
				},
			},
		]),
	).toEqual([
		{
			name: 'calculator',
			description: 'Evaluates arithmetic',
			parameters: {
				type: 'object',
				properties: { input: { type: 'object', properties: { x: { type: 'number' } } } },
				required: ['input'],
			},
		},
	]);
});
