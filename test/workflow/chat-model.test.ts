/**
 * The chat model sub-node as n8n-core supplies it: a root node asks for its `ai_languageModel`
 * input, n8n-core runs the sub-node's `supplyData`, and the root drives the model it got, the
 * SDK model inside n8n's LangChain adapter, against the stand-in server.
 */
import type { GenerateResult, Message, StreamChunk } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { type ChatDriver, chatModelWorkflow, CREDENTIAL_TYPE, runWorkflow } from '../harness/n8n';
import { useStandin } from '../helpers/workflow';
import { errorReply, STANDIN_TOKEN } from '../standin/server';
import { encodeSse, rpcError, textChunk } from '../standin/sse';
import { imageAnswer } from '../standin/media';
import {
	searchStepParts,
	type SearchThenCallScript,
	searchThenCallScript,
	toolCallingScript,
} from '../standin/tool-calling';

const server = useStandin();

/** What n8n's adapter around the SDK model offers: the model itself, and LangChain's calls. */
interface Adapter {
	chatModel: {
		generate(messages: Message[]): Promise<GenerateResult>;
		stream(messages: Message[]): AsyncIterable<StreamChunk>;
		withTools(tools: unknown[]): Adapter['chatModel'];
	};
	invoke(input: string): Promise<{ text: string; tool_calls?: Array<{ id?: string }> }>;
	stream(input: string): Promise<AsyncIterable<{ text: string }>>;
	getNumTokens(content: string | Array<{ type: string; text?: string }>): Promise<number>;
}

const PARAMETERS = {
	model: { __rl: true, mode: 'id', value: 'gemini-3-pro-preview' },
	generationConfig: { temperature: 0.2, maxOutputTokens: 256, thinkingLevel: 'low' },
	safetySettings: {
		values: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
	},
};

async function withModel(
	drive: (model: Adapter) => Promise<IDataObject>,
	parameters: IDataObject = PARAMETERS,
) {
	const run = await runWorkflow({
		...chatModelWorkflow(parameters, drive as ChatDriver),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
	});
	return { ...run, result: run.output('Chat Root')[0]?.json };
}

/** The model's answer as the root node's output item. */
const asData = (value: object) => value as IDataObject;

const hello: Message[] = [
	{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
	{ role: 'user', content: [{ type: 'text', text: 'Hi' }] },
];

/** The answer of generate to `hello`, or the message it threw. */
const generateOrThrown = async (model: Adapter): Promise<IDataObject> => {
	try {
		return asData(await model.chatModel.generate(hello));
	} catch (error) {
		return { thrown: (error as Error).message };
	}
};

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
	const all: T[] = [];
	for await (const value of iterable) all.push(value);
	return all;
};

test('generate sends the chat as Gemini contents with the node settings, and returns the answer', async () => {
	const { result, error } = await withModel(async (model) =>
		asData(await model.chatModel.generate(hello)),
	);
	expect(error).toBeUndefined();
	expect(result).toEqual({
		message: { role: 'assistant', content: [{ type: 'text', text: 'Echo: Hi.' }] },
		finishReason: 'stop',
		usage: { promptTokens: 4, completionTokens: 3, totalTokens: 7 },
	});
	const [request] = server.generateRequests;
	expect(request.path).toBe('/v1beta/models/gemini-3-pro-preview:streamGenerateContent');
	expect(request.query).toEqual({ alt: 'sse' });
	expect(request.headers.authorization).toBe(`Bearer ${STANDIN_TOKEN}`);
	expect(request.body).toEqual({
		systemInstruction: { parts: [{ text: 'Be brief.' }] },
		contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
		safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
		generationConfig: {
			temperature: 0.2,
			maxOutputTokens: 256,
			thinkingConfig: { thinkingLevel: 'low' },
		},
	});
});

test('Media Resolution goes into generationConfig as the API names its level', async () => {
	const { error } = await withModel(
		async (model) => asData(await model.chatModel.generate(hello)),
		{
			...PARAMETERS,
			generationConfig: { mediaResolution: 'MEDIA_RESOLUTION_HIGH' },
			safetySettings: {},
		},
	);
	expect(error).toBeUndefined();
	expect(server.generateRequests[0].body).toEqual({
		systemInstruction: { parts: [{ text: 'Be brief.' }] },
		contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
		generationConfig: { mediaResolution: 'MEDIA_RESOLUTION_HIGH' },
	});
});

test('stream yields the deltas as they arrive, reasoning apart, then the finish with usage', async () => {
	server.reset(() => ({
		status: 200,
		headers: { 'content-type': 'text/event-stream' },
		pieces: [
			encodeSse([textChunk('Thinking it over', { thought: true })]),
			encodeSse([textChunk('Hello')]),
			encodeSse([
				textChunk(' there', {
					finishReason: 'STOP',
					usage: {
						promptTokenCount: 5,
						candidatesTokenCount: 2,
						thoughtsTokenCount: 3,
						totalTokenCount: 10,
					},
				}),
			]),
		],
		delayMs: 20,
	}));
	const { result } = await withModel(async (model) => ({
		chunks: await collect(model.chatModel.stream(hello)),
	}));
	expect(result?.chunks).toEqual([
		{ type: 'reasoning-delta', delta: 'Thinking it over' },
		{ type: 'text-delta', delta: 'Hello' },
		{ type: 'text-delta', delta: ' there' },
		{
			type: 'finish',
			finishReason: 'stop',
			usage: {
				promptTokens: 5,
				completionTokens: 5,
				totalTokens: 10,
				outputTokenDetails: { reasoning: 3 },
			},
		},
	]);
});

test("through n8n's LangChain adapter, invoke and stream give the answer text", async () => {
	const { result } = await withModel(async (model) => {
		const invoked = await model.invoke('Hi');
		const streamed = (await collect(await model.stream('there'))).map((chunk) => chunk.text);
		return { invoked: invoked.text, streamed };
	});
	expect(result).toEqual({ invoked: 'Echo: Hi.', streamed: ['Echo: ', 'there', '.', ''] });
});

test('tokens are counted locally, 4 characters a token, without fetching a tokenizer', async () => {
	// LangChain's own count downloads tiktoken from tiktoken.pages.dev; offline (as here) that
	// retries for over a minute, past this test's timeout.
	const { result, error } = await withModel(async (model) => ({
		text: await model.getNumTokens('x'.repeat(41)),
		blocks: await model.getNumTokens([
			{ type: 'text', text: 'abcd' },
			{ type: 'image_url' },
			{ type: 'text', text: 'efgh' },
		]),
	}));
	expect(error).toBeUndefined();
	expect(result).toEqual({ text: 11, blocks: 2 });
	expect(server.generateRequests).toHaveLength(0);
}, 20_000);

describe('a tool round trip, with the messages n8n hands back', () => {
	const SIGNATURE = 'c2lnbmF0dXJlLW9mLXN0ZXAtMQ==';
	const calculator = {
		type: 'function',
		name: 'calculator',
		description: 'Useful for getting the result of a math expression.',
		inputSchema: z.object({ input: z.string() }),
	};

	test('the call comes back signed, the result goes back with the signature, and the answer follows', async () => {
		server.reset(
			toolCallingScript({
				tool: 'calculator',
				calls: [{ input: '6 * 7' }],
				signature: SIGNATURE,
				ids: ['fc-6x7'],
				answer: ([response]) => ['The answer ', `is ${JSON.stringify(response)}.`],
			}),
		);
		const { result, error } = await withModel(async (model) => {
			const withTools = model.chatModel.withTools([calculator]);
			const question: Message = {
				role: 'user',
				content: [{ type: 'text', text: 'What is 6 * 7?' }],
			};
			const first = await withTools.generate([question]);
			const call = first.message.content[0] as {
				toolCallId: string;
				toolName: string;
				input: string;
			};
			// As n8n's agent replays it: the call's id added to its arguments, the result as JSON text.
			const replayed: Message[] = [
				question,
				{
					role: 'assistant',
					content: [
						{
							type: 'tool-call',
							toolCallId: call.toolCallId,
							toolName: call.toolName,
							input: JSON.stringify({ ...JSON.parse(call.input), id: call.toolCallId }),
						},
					],
				},
				{
					role: 'tool',
					content: [
						{ type: 'tool-result', toolCallId: call.toolCallId, result: '[{"response":"42"}]' },
					],
				},
			];
			const second = await withTools.generate(replayed);
			return { first: { ...first }, second: { ...second } };
		});
		expect(error).toBeUndefined();
		const first = result?.first as unknown as GenerateResult;
		expect(first.finishReason).toBe('tool-calls');
		expect(first.message.content).toEqual([
			{
				type: 'tool-call',
				toolCallId: expect.stringMatching(
					new RegExp(
						`^qr_[0-9a-f]{12}\\.${Buffer.from('fc-6x7').toString('base64url')}~${SIGNATURE}$`,
					),
				),
				toolName: 'calculator',
				input: '{"input":"6 * 7"}',
			},
		]);
		expect((result?.second as unknown as GenerateResult).message.content).toEqual([
			{ type: 'text', text: 'The answer is {"result":[{"response":"42"}]}.' },
		]);

		const [firstRequest, secondRequest] = server.generateRequests;
		expect((firstRequest.body as IDataObject).tools).toEqual([
			{
				functionDeclarations: [
					{
						name: 'calculator',
						description: 'Useful for getting the result of a math expression.',
						parametersJsonSchema: {
							type: 'object',
							properties: { input: { type: 'string' } },
							required: ['input'],
							additionalProperties: false,
						},
					},
				],
			},
		]);
		expect((secondRequest.body as IDataObject).contents).toEqual([
			{ role: 'user', parts: [{ text: 'What is 6 * 7?' }] },
			{
				role: 'model',
				parts: [
					{
						functionCall: { id: 'fc-6x7', name: 'calculator', args: { input: '6 * 7' } },
						thoughtSignature: SIGNATURE,
					},
				],
			},
			{
				role: 'user',
				parts: [
					{
						functionResponse: {
							id: 'fc-6x7',
							name: 'calculator',
							response: { result: [{ response: '42' }] },
						},
					},
				],
			},
		]);
	});
});

describe("Google's own tools beside the agent's", () => {
	const lookup = {
		type: 'function',
		name: 'lookup',
		description: 'Looks a product up in the catalogue.',
		inputSchema: z.object({ sku: z.string() }),
	};
	const script: SearchThenCallScript = {
		tool: 'lookup',
		args: { sku: 'A-1' },
		query: 'price of A-1',
		found: 'A-1 costs 12 EUR',
		// Unique to this test: the chat model remembers turns by their signature.
		signatures: {
			toolCall: 'c2VhcmNoLWNhbGwtc2lnbmF0dXJl',
			toolResponse: 'c2VhcmNoLXJlc3BvbnNlLXNpZ25hdHVyZQ==',
			functionCall: 'bG9va3VwLWNhbGwtc2lnbmF0dXJl',
		},
	};

	test("search and the agent's function in one request; the search's signed steps come back in the next turn", async () => {
		server.reset(searchThenCallScript(script));
		const { result, error } = await withModel(
			async (model) => {
				const withTools = model.chatModel.withTools([lookup]);
				const question: Message = {
					role: 'user',
					content: [{ type: 'text', text: 'What does A-1 cost, and is it in stock?' }],
				};
				const first = await withTools.generate([question]);
				const call = first.message.content.find((content) => content.type === 'tool-call') as {
					toolCallId: string;
					toolName: string;
					input: string;
				};
				// As n8n's agent replays the step: the tool call alone, then its result.
				const second = await withTools.generate([
					question,
					{
						role: 'assistant',
						content: [{ type: 'tool-call', ...call }],
					},
					{
						role: 'tool',
						content: [{ type: 'tool-result', toolCallId: call.toolCallId, result: '{"stock":3}' }],
					},
				]);
				return { first: { ...first }, second: { ...second } };
			},
			{ ...PARAMETERS, tools: { googleSearch: true } },
		);
		expect(error).toBeUndefined();
		const first = result?.first as unknown as GenerateResult;
		// The search's steps are Google's, not the agent's: only the function call reaches it.
		expect(first.message.content).toEqual([
			expect.objectContaining({ type: 'tool-call', toolName: 'lookup', input: '{"sku":"A-1"}' }),
		]);
		expect((result?.second as unknown as GenerateResult).message.content).toEqual([
			{ type: 'text', text: 'The search found A-1 costs 12 EUR; lookup says {"stock":3}.' },
		]);
		const [firstRequest, secondRequest] = server.generateRequests;
		expect(firstRequest.body).toMatchObject({
			tools: [
				{ googleSearch: {} },
				{ functionDeclarations: [expect.objectContaining({ name: 'lookup' })] },
			],
			toolConfig: { includeServerSideToolInvocations: true },
		});
		expect((secondRequest.body as IDataObject).contents).toEqual([
			{ role: 'user', parts: [{ text: 'What does A-1 cost, and is it in stock?' }] },
			{ role: 'model', parts: searchStepParts(script) },
			{
				role: 'user',
				parts: [{ functionResponse: { id: 'call1', name: 'lookup', response: { stock: 3 } } }],
			},
		]);
		expect(secondRequest.body).toMatchObject({
			toolConfig: { includeServerSideToolInvocations: true },
		});
	});
});

test('an answer with an image part (an image model) gives its text; the image does not break it', async () => {
	server.reset(() => ({
		status: 200,
		headers: { 'content-type': 'text/event-stream' },
		body: imageAnswer().body,
	}));
	const { result, error } = await withModel(async (model) =>
		asData(await model.chatModel.generate(hello)),
	);
	expect(error).toBeUndefined();
	expect((result?.message as { content: unknown[] }).content).toEqual([
		{ type: 'reasoning', text: 'Composing a cat on a red background.' },
		{ type: 'text', text: 'Here is your cat. And a blue one:' },
	]);
});

describe('finish reasons and usage', () => {
	const finishing =
		(reason: string, parts: object[] = [{ text: 'Some text' }]) =>
		() => ({
			status: 200,
			headers: { 'content-type': 'text/event-stream' },
			body: encodeSse([
				{
					candidates: [{ content: { role: 'model', parts }, finishReason: reason, index: 0 }],
					usageMetadata: {
						promptTokenCount: 10,
						toolUsePromptTokenCount: 6,
						candidatesTokenCount: 4,
						totalTokenCount: 20,
					},
				},
			]),
		});

	// Every value of https://ai.google.dev/api/generate-content#FinishReason.
	test.each([
		['STOP', 'stop'],
		['MAX_TOKENS', 'length'],
		['SAFETY', 'content-filter'],
		['RECITATION', 'content-filter'],
		['LANGUAGE', 'content-filter'],
		['BLOCKLIST', 'content-filter'],
		['PROHIBITED_CONTENT', 'content-filter'],
		['SPII', 'content-filter'],
		['IMAGE_SAFETY', 'content-filter'],
		['IMAGE_PROHIBITED_CONTENT', 'content-filter'],
		['IMAGE_RECITATION', 'content-filter'],
		['MALFORMED_FUNCTION_CALL', 'error'],
		['UNEXPECTED_TOOL_CALL', 'error'],
		['TOO_MANY_TOOL_CALLS', 'error'],
		['MISSING_THOUGHT_SIGNATURE', 'error'],
		['OTHER', 'other'],
		['IMAGE_OTHER', 'other'],
		['NO_IMAGE', 'other'],
		['FINISH_REASON_UNSPECIFIED', 'other'],
		['A_REASON_ADDED_LATER', 'other'],
	])(
		'%s with text is finishReason %s; tool-use prompt tokens count as prompt',
		async (reason, expected) => {
			server.reset(finishing(reason));
			const { result } = await withModel(async (model) =>
				asData(await model.chatModel.generate(hello)),
			);
			expect(result).toEqual({
				message: { role: 'assistant', content: [{ type: 'text', text: 'Some text' }] },
				finishReason: expected,
				usage: { promptTokens: 16, completionTokens: 4, totalTokens: 20 },
			});
		},
	);

	test.each([
		[
			'MALFORMED_FUNCTION_CALL',
			'The model gave no answer: MALFORMED_FUNCTION_CALL (the function call the model generated was invalid)',
		],
		['SAFETY', 'The model gave no answer: SAFETY (the answer was stopped by the safety filters)'],
		['MAX_TOKENS', 'The model gave no answer: MAX_TOKENS (the answer reached Max Output Tokens)'],
	])(
		'an empty answer that stopped with %s is an error for the agent, not an empty reply',
		async (reason, message) => {
			server.reset(finishing(reason, [{ text: 'Only thinking', thought: true }]));
			const { result } = await withModel(generateOrThrown);
			expect(result).toEqual({ thrown: message });
		},
	);
});

describe('failures', () => {
	test("an API error is the main node's clear error, with the token nowhere in it", async () => {
		server.reset(() => errorReply(400, 'INVALID_ARGUMENT', 'Bad thing in the request'));
		const { result } = await withModel(async (model) => {
			try {
				await model.chatModel.generate(hello);
				return { thrown: false };
			} catch (error) {
				const { message, description } = error as { message: string; description?: string };
				return { thrown: true, message, description: description ?? '' };
			}
		});
		expect(result?.thrown).toBe(true);
		expect(String(result?.message)).toContain('Bad thing in the request');
		expect(JSON.stringify(result)).not.toContain(STANDIN_TOKEN);
		expect(server.generateRequests).toHaveLength(1);
	});

	test('a stream that breaks after text was passed on is not retried; the error keeps the text', async () => {
		server.reset(() => ({
			status: 200,
			headers: { 'content-type': 'text/event-stream' },
			body:
				encodeSse([textChunk('Half an ')]) +
				JSON.stringify(rpcError(500, 'INTERNAL', 'Stream broke')),
		}));
		const { result } = await withModel(async (model) => {
			const seen: string[] = [];
			try {
				for await (const chunk of model.chatModel.stream(hello)) {
					if (chunk.type === 'text-delta') seen.push(chunk.delta);
				}
				return { seen };
			} catch (error) {
				const { message, description } = error as { message: string; description?: string };
				return { seen, message, description: description ?? '' };
			}
		});
		expect(result?.seen).toEqual(['Half an ']);
		expect(String(result?.message)).toContain('Stream broke');
		expect(String(result?.description)).toContain('Half an ');
		expect(server.generateRequests).toHaveLength(1);
	});

	test('a stream that ends cleanly mid-answer is an error in both calls, not a short reply', async () => {
		server.reset(() => ({
			status: 200,
			headers: { 'content-type': 'text/event-stream' },
			body: encodeSse([textChunk('Half an '), textChunk('answer')]),
		}));
		const message =
			'The answer ended without a finish reason after 14 characters: the stream was cut off';
		const { result } = await withModel(async (model) => {
			const thrown: string[] = [];
			try {
				await model.chatModel.generate(hello);
			} catch (error) {
				thrown.push((error as Error).message);
			}
			try {
				await collect(model.chatModel.stream(hello));
			} catch (error) {
				thrown.push((error as Error).message);
			}
			return { thrown };
		});
		expect(result).toEqual({ thrown: [message, message] });
	});

	test.each([
		[
			'without a name',
			{ args: { city: 'Paris' } },
			'The model sent function call 1 without a name',
		],
		[
			'with arguments as a string',
			{ name: 'weather', args: '{"city": "Paris"}' },
			'The model sent function call 1 ("weather") with arguments that are not an object',
		],
	])(
		'a function call %s is a clear error, not a tool call',
		async (_name, functionCall, message) => {
			server.reset(() => ({
				status: 200,
				headers: { 'content-type': 'text/event-stream' },
				body: encodeSse([
					{
						candidates: [
							{
								content: { role: 'model', parts: [{ functionCall }] },
								finishReason: 'STOP',
								index: 0,
							},
						],
					},
				]),
			}));
			const { result } = await withModel(generateOrThrown);
			expect(result).toEqual({ thrown: message });
		},
	);

	test('a blocked prompt is an error, not an empty answer', async () => {
		server.reset(() => ({
			status: 200,
			headers: { 'content-type': 'text/event-stream' },
			body: encodeSse([{ promptFeedback: { blockReason: 'SAFETY' } }]),
		}));
		const { result } = await withModel(generateOrThrown);
		expect(result).toEqual({ thrown: 'The prompt was blocked: SAFETY' });
	});

	test('a 200 with no Gemini answer is an error for the agent, not an empty reply', async () => {
		server.reset(() => ({
			status: 200,
			headers: { 'content-type': 'text/event-stream' },
			body: ': PING\n\ndata: [DONE]\n\n',
		}));
		const { result } = await withModel(generateOrThrown);
		expect(result).toEqual({
			thrown: 'The API answered with an empty stream: no answer and no error',
		});
	});

	test('a 503 before any answer is retried, then the answer streams', async () => {
		let calls = 0;
		server.reset(() =>
			++calls === 1
				? errorReply(503, 'UNAVAILABLE', 'Overloaded', { headers: { 'retry-after': '0' } })
				: {
						status: 200,
						headers: { 'content-type': 'text/event-stream' },
						body: encodeSse([textChunk('Back', { finishReason: 'STOP' })]),
					},
		);
		const { result } = await withModel(async (model) =>
			asData(await model.chatModel.generate(hello)),
		);
		expect(result?.message).toEqual({
			role: 'assistant',
			content: [{ type: 'text', text: 'Back' }],
		});
		expect(server.generateRequests).toHaveLength(2);
	});

	test('a bad setting names the field when the model is supplied', async () => {
		const { error } = await withModel(async () => ({}), {
			...PARAMETERS,
			model: { __rl: true, mode: 'id', value: 'not a model!' },
		});
		// n8n reports a sub-node's error under the sub-node's name, with the error as description.
		expect(error?.message).toBe('Error in sub-node Chat Model');
		expect(error?.description).toBe('"Model" of item 0 is not a model ID: "not a model!"');
		expect(server.generateRequests).toHaveLength(0);
	});
});
