/**
 * What goes over the wire: real workflows run through n8n's engine, and the stand-in server
 * records exactly what the node sent.
 */
import type { IDataObject } from 'n8n-workflow';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { CREDENTIAL_TYPE, geminiWorkflow, runWorkflow } from '../harness/n8n';
import { FIXTURE_DIR } from '../helpers/fixtures';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { echoScript, type ScriptedReply, STANDIN_TOKEN } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';

const seed = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'seed.json'), 'utf8'));

const server = useStandin();

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

describe("the seed's own example", () => {
	const parameters = {
		model: byId('gemini-3-pro-preview'),
		systemInstruction: 'You are a cat. Your name is Neko.',
		prompt: 'Hello there',
		generationConfig: { temperature: 1, topP: 1, includeThoughts: true, thinkingBudget: 26240 },
	};

	test('sends the body of the API page, byte for byte in content', async () => {
		const { error } = await runGemini(server, parameters);
		expect(error).toBeUndefined();
		const [request] = server.generateRequests;
		expect(request.rawBody).toBe(JSON.stringify(seed.request));
	});

	test('to the streaming endpoint, with the token only in the Authorization header', async () => {
		await runGemini(server, parameters);
		const [request] = server.generateRequests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/v1beta/models/gemini-3-pro-preview:streamGenerateContent');
		expect(request.query).toEqual({ alt: 'sse' });
		expect(request.headers.authorization).toBe(`Bearer ${STANDIN_TOKEN}`);
		expect(request.headers['content-type']).toMatch(/^application\/json/);
		expect(request.headers.accept).toBe('text/event-stream');
		const everythingButAuth = JSON.stringify({
			...request,
			headers: { ...request.headers, authorization: '' },
		});
		expect(everythingButAuth).not.toContain(STANDIN_TOKEN);
	});
});

describe('the model', () => {
	test.each([
		['an ID', byId('gemini-2.5-flash')],
		['an ID with the models/ prefix', byId('models/gemini-2.5-flash')],
		[
			'a list choice',
			{ __rl: true, mode: 'list', value: 'gemini-2.5-flash', cachedResultName: 'Gemini 2.5 Flash' },
		],
		['an expression', byId('={{ "models/" + "gemini-2.5-flash" }}')],
	])('given as %s', async (_label, model) => {
		const { error } = await runGemini(server, { model, prompt: 'hi' });
		expect(error).toBeUndefined();
		expect(server.generateRequests[0].model).toBe('gemini-2.5-flash');
	});

	test('defaults to gemini-3-pro-preview', async () => {
		await runGemini(server, { prompt: 'hi' });
		expect(server.generateRequests[0].model).toBe('gemini-3-pro-preview');
	});
});

describe('contents', () => {
	test('a prompt is one user turn, and the system instruction is left out when empty', async () => {
		await runGemini(server, { prompt: 'Line one\nLine two', systemInstruction: '   ' });
		expect(server.generateRequests[0].body).toEqual({
			contents: [{ role: 'user', parts: [{ text: 'Line one\nLine two' }] }],
		});
	});

	test('messages become turns in order', async () => {
		await runGemini(server, {
			contentsMode: 'messages',
			messages: {
				values: [
					{ role: 'user', text: 'What is 2+2?' },
					{ role: 'model', text: '4' },
					{ role: 'user', text: 'And times 3?' },
				],
			},
		});
		expect(server.generateRequests[0].body).toEqual({
			contents: [
				{ role: 'user', parts: [{ text: 'What is 2+2?' }] },
				{ role: 'model', parts: [{ text: '4' }] },
				{ role: 'user', parts: [{ text: 'And times 3?' }] },
			],
		});
	});

	test('JSON contents are sent exactly as given, whatever the parts', async () => {
		const contents = [
			{ role: 'user', parts: [{ text: 'Weather in Paris?' }] },
			{
				role: 'model',
				parts: [
					{
						functionCall: { name: 'getWeather', args: { city: 'Paris' } },
						thoughtSignature: 'c2ln',
					},
				],
			},
			{
				role: 'user',
				parts: [{ functionResponse: { name: 'getWeather', response: { celsius: 21 } } }],
			},
		];
		await runGemini(server, {
			contentsMode: 'json',
			contentsJson: JSON.stringify(contents, null, 2),
		});
		expect(server.generateRequests[0].body).toEqual({ contents });
	});

	test('JSON contents may come from an expression that returns an array', async () => {
		await runGemini(
			server,
			{
				contentsMode: 'json',
				contentsJson: '={{ [{ role: "user", parts: [{ text: $json.q }] }] }}',
			},
			{ rows: [{ q: 'from the row' }] },
		);
		expect(server.generateRequests[0].body).toEqual({
			contents: [{ role: 'user', parts: [{ text: 'from the row' }] }],
		});
	});
});

describe('generation config', () => {
	test('every setting is sent under its API name, thinking settings inside thinkingConfig', async () => {
		await runGemini(server, {
			prompt: 'hi',
			generationConfig: {
				temperature: 0.2,
				topP: 0.9,
				topK: 40,
				maxOutputTokens: 256,
				candidateCount: 2,
				stopSequences: 'END\n###',
				seed: 7,
				presencePenalty: 0.5,
				frequencyPenalty: 0.25,
				responseMimeType: 'application/json',
				responseSchema: '{"type": "object", "properties": {"name": {"type": "string"}}}',
				includeThoughts: true,
				thinkingLevel: 'low',
			},
		});
		expect(server.generateRequests[0].body).toEqual({
			contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
			generationConfig: {
				temperature: 0.2,
				topP: 0.9,
				topK: 40,
				maxOutputTokens: 256,
				candidateCount: 2,
				stopSequences: ['END', '###'],
				seed: 7,
				presencePenalty: 0.5,
				frequencyPenalty: 0.25,
				responseMimeType: 'application/json',
				responseSchema: { type: 'object', properties: { name: { type: 'string' } } },
				thinkingConfig: { includeThoughts: true, thinkingLevel: 'low' },
			},
		});
	});

	test('a thinking budget goes in thinkingConfig (Gemini 2.5)', async () => {
		await runGemini(server, {
			model: { __rl: true, mode: 'id', value: 'gemini-2.5-flash' },
			prompt: 'hi',
			generationConfig: { includeThoughts: true, thinkingBudget: 1024 },
		});
		expect(server.generateRequests[0].body).toMatchObject({
			generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
		});
	});

	test.each([
		['both as settings', { thinkingBudget: 1024, thinkingLevel: 'low' }],
		[
			'one as a setting, one in Extra Generation Config',
			{ thinkingLevel: 'high', extraJson: '{"thinkingConfig": {"thinkingBudget": 0}}' },
		],
	])(
		'Thinking Budget and Thinking Level together (%s) fail before any request, naming both',
		async (_name, generationConfig) => {
			const { error } = await runGemini(server, { prompt: 'hi', generationConfig });
			expect(error?.message).toBe(
				'"Thinking Budget" and "Thinking Level" of item 0 are both set; the API takes only one',
			);
			expect((error as { description?: string }).description).toBe(
				'Gemini 3 models take a Thinking Level (minimal, low, medium or high); Gemini 2.5 models take a Thinking Budget in tokens. Remove the one your model does not take (check Extra Generation Config too).',
			);
			expect(server.generateRequests).toEqual([]);
		},
	);

	describe('Response JSON Schema', () => {
		// JSON Schema that Response Schema (an OpenAPI subset) cannot carry: $ref into $defs,
		// anyOf with null, additionalProperties, minimum.
		const schema = {
			type: 'object',
			properties: {
				name: { type: 'string' },
				pet: { $ref: '#/$defs/pet' },
				age: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
			},
			required: ['name', 'pet'],
			additionalProperties: false,
			$defs: { pet: { type: 'object', properties: { kind: { enum: ['cat', 'dog'] } } } },
		};

		beforeEach(() => {
			const answer = '{"name": "Neko", "pet": {"kind": "cat"}}';
			server.reset(() => ({ body: encodeSse([textChunk(answer, { finishReason: 'STOP' })]) }));
		});

		test('is sent as written, with the MIME type, as generationConfig.responseJsonSchema', async () => {
			const { error } = await runGemini(server, {
				prompt: 'hi',
				generationConfig: {
					responseMimeType: 'application/json',
					responseJsonSchema: JSON.stringify(schema, null, 2),
				},
			});
			expect(error).toBeUndefined();
			expect(server.generateRequests[0].body).toEqual({
				contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
				generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
			});
		});

		test('an expression may return the schema object itself', async () => {
			const { error } = await runGemini(server, {
				prompt: 'hi',
				generationConfig: {
					responseMimeType: 'application/json',
					// Indented: "}}" inside would end the expression.
					responseJsonSchema: `={{ ${JSON.stringify(schema, null, 1)} }}`,
				},
			});
			expect(error).toBeUndefined();
			expect(server.generateRequests[0].body).toMatchObject({
				generationConfig: { responseJsonSchema: schema },
			});
		});

		test.each([
			['JSON that does not parse', '{"type": "object",}', 'is not valid JSON: '],
			['an array', '[{"type": "object"}]', 'is not a JSON object'],
			['a boolean schema', 'true', 'is not a JSON object'],
		])('%s fails before any request, naming the field', async (_name, value, problem) => {
			const { error } = await runGemini(server, {
				prompt: 'hi',
				generationConfig: { responseMimeType: 'application/json', responseJsonSchema: value },
			});
			expect(error?.message.startsWith(`"Response JSON Schema" of item 0 ${problem}`)).toBe(true);
			expect(server.generateRequests).toEqual([]);
		});

		test.each([
			['both as settings', { responseSchema: '{"type": "object"}' }],
			[
				'Response Schema in Extra Generation Config',
				{ extraJson: '{"responseSchema": {"type": "string"}}' },
			],
			[
				'the proto name _responseJsonSchema in Extra Generation Config',
				{
					responseJsonSchema: undefined,
					responseSchema: '{"type": "object"}',
					extraJson: '{"_responseJsonSchema": {"type": "object"}}',
				},
			],
		])('with Response Schema (%s) fails before any request, naming both', async (_name, more) => {
			const { error } = await runGemini(server, {
				prompt: 'hi',
				generationConfig: {
					responseMimeType: 'application/json',
					responseJsonSchema: '{"type": "object"}',
					...more,
				},
			});
			expect(error?.message).toBe(
				'"Response Schema" and "Response JSON Schema" of item 0 are both set; the API takes only one',
			);
			expect((error as { description?: string }).description).toBe(
				'Response Schema takes an OpenAPI schema subset, Response JSON Schema takes JSON Schema (anyOf, $ref, additionalProperties, …). Keep the one your schema is written in (check Extra Generation Config too).',
			);
			expect(server.generateRequests).toEqual([]);
		});

		// As with Response Schema, the node does not add or check the MIME type: the API's own
		// rule decides ("responseMimeType is required", js-genai types.ts), and its 400 is the
		// item's error.
		test('without a Response MIME Type it is sent, and the API refuses it', async () => {
			const { error } = await runGemini(server, {
				prompt: 'hi',
				generationConfig: { responseJsonSchema: '{"type": "object"}' },
			});
			expect(server.generateRequests).toHaveLength(1);
			expect(error?.message).toContain(
				'response_mime_type must be set when response_json_schema is set',
			);
		});
	});

	test('extra JSON is merged last, into nested objects too', async () => {
		await runGemini(server, {
			prompt: 'hi',
			generationConfig: {
				temperature: 1,
				includeThoughts: true,
				extraJson:
					'{"temperature": 0.5, "responseModalities": ["TEXT"], "thinkingConfig": {"thinkingBudget": 0}}',
			},
		});
		expect(server.generateRequests[0].body).toMatchObject({
			generationConfig: {
				temperature: 0.5,
				responseModalities: ['TEXT'],
				thinkingConfig: { includeThoughts: true, thinkingBudget: 0 },
			},
		});
	});
});

test('every parameter is read per item, so expressions follow each row', async () => {
	const { output } = await runGemini(
		server,
		{
			model: byId('={{ $json.model }}'),
			prompt: '={{ $json.question }}',
			systemInstruction: '={{ "Answer in " + $json.language }}',
			generationConfig: { temperature: '={{ $json.temperature }}' },
		},
		{
			rows: [
				{ model: 'gemini-2.5-flash', question: 'Bonjour ?', language: 'French', temperature: 0.1 },
				{ model: 'gemini-3-pro-preview', question: 'Hallo?', language: 'German', temperature: 0.9 },
			],
		},
	);
	const sent = server.generateRequests.map((request) => ({
		model: request.model,
		body: request.body,
	}));
	expect(sent).toEqual([
		{
			model: 'gemini-2.5-flash',
			body: {
				systemInstruction: { parts: [{ text: 'Answer in French' }] },
				contents: [{ role: 'user', parts: [{ text: 'Bonjour ?' }] }],
				generationConfig: { temperature: 0.1 },
			},
		},
		{
			model: 'gemini-3-pro-preview',
			body: {
				systemInstruction: { parts: [{ text: 'Answer in German' }] },
				contents: [{ role: 'user', parts: [{ text: 'Hallo?' }] }],
				generationConfig: { temperature: 0.9 },
			},
		},
	]);
	expect(output(GEMINI).map((item) => item.json.text)).toEqual([
		'Echo: Bonjour ?.',
		'Echo: Hallo?.',
	]);
});

/**
 * Quickrouter Gemini, then a second one (`secondName`) sending `contentsJson`. The stand-in
 * answers the first request with `firstReply` and echoes after that.
 */
async function runTwoTurns(
	first: IDataObject,
	secondName: string,
	contentsJson: string,
	firstReply: ScriptedReply,
) {
	const { nodes, connections } = geminiWorkflow(first);
	nodes.push({
		...nodes[2],
		id: '4',
		name: secondName,
		position: [600, 0],
		parameters: { contentsMode: 'json', contentsJson },
	});
	connections[GEMINI] = { main: [[{ node: secondName, type: 'main', index: 0 }]] };
	server.reset((request) =>
		request === server.generateRequests[0] ? firstReply : echoScript(request),
	);
	return await runWorkflow({
		nodes,
		connections,
		credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
	});
}

test("a previous answer's content goes back as a turn, signatures included (the README's multi-turn example)", async () => {
	const { error, output } = await runTwoTurns(
		{ prompt: 'Name a prime number.' },
		'Follow Up',
		`={{ [
  { "role": "user", "parts": [{ "text": "Name a prime number." }] },
  $('Quickrouter Gemini').item.json.content,
  { "role": "user", "parts": [{ "text": "Now double it." }] }
] }}`,
		{
			body: encodeSse([
				{
					candidates: [
						{ content: { role: 'model', parts: [{ text: 'Thinking…', thought: true }] } },
					],
				},
				{
					candidates: [
						{
							content: { role: 'model', parts: [{ text: '7', thoughtSignature: 'c2lnLTE=' }] },
							finishReason: 'STOP',
						},
					],
				},
			]),
		},
	);
	expect(error).toBeUndefined();
	expect(server.generateRequests[1].body).toEqual({
		contents: [
			{ role: 'user', parts: [{ text: 'Name a prime number.' }] },
			{
				role: 'model',
				parts: [
					{ text: 'Thinking…', thought: true },
					{ text: '7', thoughtSignature: 'c2lnLTE=' },
				],
			},
			{ role: 'user', parts: [{ text: 'Now double it.' }] },
		],
	});
	expect(output('Follow Up')[0].json.text).toBe('Echo: Now double it..');
});

describe('tools and safety settings', () => {
	const declarations = [
		{
			name: 'get_weather',
			description: 'Weather',
			parameters: { type: 'object', properties: { city: { type: 'string' } } },
		},
	];

	test('built-in tools, function declarations, extra tools and tool config are sent as the API takes them', async () => {
		const { error } = await runGemini(server, {
			prompt: 'hi',
			tools: {
				googleSearch: true,
				codeExecution: true,
				urlContext: true,
				functionDeclarationsJson: JSON.stringify(declarations),
				toolsJson: '[{"googleSearchRetrieval": {}}]',
				toolConfig: '{"functionCallingConfig": {"mode": "ANY"}}',
			},
		});
		expect(server.generateRequests[0].rawBody).toBe(
			JSON.stringify({
				contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
				tools: [
					{ googleSearch: {} },
					{ codeExecution: {} },
					{ urlContext: {} },
					{ functionDeclarations: declarations },
					{ googleSearchRetrieval: {} },
				],
				// Gemini 3 takes built-in tools next to functions only with this flag.
				toolConfig: {
					functionCallingConfig: { mode: 'ANY' },
					includeServerSideToolInvocations: true,
				},
			}),
		);
		expect(error).toBeUndefined();
	});

	test('a Tool Config that sets includeServerSideToolInvocations itself is sent as it is', async () => {
		const { error } = await runGemini(server, {
			prompt: 'hi',
			tools: {
				googleSearch: true,
				functionDeclarationsJson: JSON.stringify(declarations),
				toolConfig: '{"includeServerSideToolInvocations": false}',
			},
		});
		expect(server.generateRequests[0].body).toMatchObject({
			toolConfig: { includeServerSideToolInvocations: false },
		});
		// The stand-in refuses it as Gemini does, with Google's words.
		expect(error?.message).toContain(
			'Please enable tool_config.include_server_side_tool_invocations to use Built-in tools with Function calling.',
		);
	});

	test('safety settings are category and threshold pairs', async () => {
		await runGemini(server, {
			prompt: 'hi',
			safetySettings: {
				values: [
					{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_ONLY_HIGH' },
					{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'OFF' },
				],
			},
		});
		expect(server.generateRequests[0].body).toEqual({
			contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
			safetySettings: [
				{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_ONLY_HIGH' },
				{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'OFF' },
			],
		});
	});

	test.each([
		[
			'a declaration without a name',
			{ functionDeclarationsJson: '[{"description": "x"}]' },
			'"Function Declarations (JSON)" of item 0 has no "name" in declaration 1',
		],
		[
			'tools that are not an array',
			{ toolsJson: '{"googleSearch": {}}' },
			'"Tools (JSON)" of item 0 is not a JSON array of objects',
		],
		[
			'a tool config that does not parse',
			{ toolConfig: '{mode' },
			'"Tool Config (JSON)" of item 0 is not valid JSON',
		],
	])('%s fails before any request, naming the field', async (_label, tools, message) => {
		const { error } = await runGemini(server, { prompt: 'hi', tools });
		expect(error?.message.startsWith(message)).toBe(true);
		expect(server.generateRequests).toHaveLength(0);
	});
});

test('a function-calling round trip: the call, with its signature, and the function response go back', async () => {
	const call = {
		functionCall: { name: 'get_weather', args: { city: 'Paris' } },
		thoughtSignature: 'c2lnLWZj',
	};
	const { error, output } = await runTwoTurns(
		{
			prompt: 'Weather in Paris?',
			tools: {
				functionDeclarationsJson:
					'[{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]',
			},
		},
		'With Result',
		`={{ [
  { "role": "user", "parts": [{ "text": "Weather in Paris?" }] },
  $json.content,
  { "role": "user", "parts": [{ "functionResponse": { "name": $json.functionCalls[0].name, "response": { "celsius": 21 } } }] }
] }}`,
		{
			body: encodeSse([
				{ candidates: [{ content: { role: 'model', parts: [call] }, finishReason: 'STOP' }] },
			]),
		},
	);
	expect(error).toBeUndefined();
	expect(output(GEMINI)[0].json.functionCalls).toEqual([call.functionCall]);
	expect((server.generateRequests[1].body as { contents: unknown[] }).contents).toEqual([
		{ role: 'user', parts: [{ text: 'Weather in Paris?' }] },
		{ role: 'model', parts: [call] },
		{
			role: 'user',
			parts: [{ functionResponse: { name: 'get_weather', response: { celsius: 21 } } }],
		},
	]);
	expect(output('With Result')).toHaveLength(1);
});
