/**
 * Service Tier and Cached Content in the chat model, supplied by n8n-core to a root node as the
 * AI Agent gets it: both carried at the top level of every request, checked when the model is
 * supplied, the API's refusals passed on, Flex's wait to start, a shed Flex request, and the
 * cached tokens reported to n8n.
 */
import type { GenerateResult, Message } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';

import { chatModelWorkflow, CREDENTIAL_TYPE, runWorkflow, scaledWaits } from '../harness/n8n';
import { useStandin } from '../helpers/workflow';
import { type ScriptedReply, STANDIN_TOKEN } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';
import { tieredScript } from '../standin/tiers';

const server = useStandin();

const MODEL = 'gemini-2.5-flash';

interface Adapter {
	chatModel: { generate(messages: Message[]): Promise<GenerateResult> };
	invoke(input: string): Promise<{ usage_metadata?: IDataObject }>;
}

const hi: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];

/** Supplies the chat model with `options`, and drives it with `drive`. */
async function withModel(options: IDataObject, drive: (model: Adapter) => Promise<IDataObject>) {
	const parameters = { model: { __rl: true, mode: 'id', value: MODEL }, options };
	const run = await runWorkflow({
		...chatModelWorkflow(parameters, async (model) => {
			try {
				return await drive(model as Adapter);
			} catch (error) {
				const { message, description } = error as { message: string; description?: string };
				return { thrown: message, description: description ?? '' };
			}
		}),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
	});
	return { ...run, result: run.output('Chat Root')[0]?.json };
}

const generate =
	(messages: Message[] = hi) =>
	async (model: Adapter) =>
		(await model.chatModel.generate(messages)) as unknown as IDataObject;

test('both are top-level fields of every request, beside the conversation', async () => {
	server.caches.set('cachedContents/abc123', MODEL);
	const { result } = await withModel({ serviceTier: 'flex', cachedContent: 'abc123' }, generate());
	expect(result?.thrown).toBeUndefined();
	expect(server.generateRequests.map((request) => request.body)).toEqual([
		{
			contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
			cachedContent: 'cachedContents/abc123',
			serviceTier: 'flex',
		},
	]);
});

test('neither added: neither is sent', async () => {
	await withModel({}, generate());
	expect(server.generateRequests[0].body).toEqual({
		contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
	});
});

test.each([
	[
		{ serviceTier: 'cheap' },
		'"Service Tier" of item 0 must be one of standard, flex, priority, not "cheap"',
	],
	[
		{ cachedContent: 'cachedContents/a/b' },
		'"Cached Content" of item 0 is not a cache name of the form cachedContents/<id>: "cachedContents/a/b"',
	],
])(
	'%j fails when the model is supplied, naming the field; nothing is sent',
	async (options, message) => {
		const { error } = await withModel(options, generate());
		expect(error?.message).toBe('Error in sub-node Chat Model');
		expect(error?.description).toBe(message);
		expect(server.generateRequests).toHaveLength(0);
	},
);

test("with the agent's system message, a cache gets Google's 400, passed on as it is", async () => {
	server.caches.set('cachedContents/abc123', MODEL);
	const withSystem: Message[] = [
		{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
		...hi,
	];
	const { result } = await withModel({ cachedContent: 'abc123' }, generate(withSystem));
	expect(result?.thrown).toBe(
		'400 INVALID_ARGUMENT: CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.',
	);
	expect(result?.description).toMatch(/the agent's system message and tools/);
});

test('a cache that does not exist: Google’s 403', async () => {
	const { result } = await withModel({ cachedContent: 'gone' }, generate());
	expect(result?.thrown).toBe(
		'403 PERMISSION_DENIED: CachedContent not found (or permission denied)',
	);
});

test("the cached tokens are reported to n8n, as the SDK's cacheRead and LangChain's cache_read", async () => {
	server.reset(tieredScript({ cachedTokens: 1000 }));
	server.caches.set('cachedContents/abc123', MODEL);
	const { result } = await withModel({ cachedContent: 'abc123' }, async (model) => ({
		usage: (await model.chatModel.generate(hi)).usage as unknown as IDataObject,
		langchain: (await model.invoke('Hi')).usage_metadata ?? null,
	}));
	expect(result).toEqual({
		usage: {
			promptTokens: 1004,
			completionTokens: 3,
			totalTokens: 1007,
			inputTokenDetails: { cacheRead: 1000 },
		},
		langchain: expect.objectContaining({
			input_tokens: 1004,
			input_token_details: { cache_read: 1000 },
		}),
	});
});

describe('with Flex, the wait before the answer starts fits Flex', () => {
	// Scaled down as in tier-and-cache.test.ts: the idle default at 300 ms, Flex's start at 5 s.
	let restore: () => void;
	beforeEach(() => {
		restore = scaledWaits({ idleTimeout: 300, flex: 5000 });
	});
	afterEach(() => restore());

	const startsAfter = (waitMs: number) => (): ScriptedReply => ({
		waitMs,
		headers: { 'content-type': 'text/event-stream' },
		body: encodeSse([textChunk('Late.', { finishReason: 'STOP' })]),
	});

	test('Standard: cut off at the idle default', async () => {
		server.reset(startsAfter(1000));
		const { result } = await withModel({ maxRetries: 0 }, generate());
		expect(result?.thrown).toBe('No answer has started after 300 ms');
	});

	test('Flex, Idle Timeout not set: waited for, and answered', async () => {
		server.reset(startsAfter(1000));
		const { result } = await withModel({ serviceTier: 'flex', maxRetries: 0 }, generate());
		expect(result?.message).toEqual({
			role: 'assistant',
			content: [{ type: 'text', text: 'Late.' }],
		});
	});
});

test('a shed Flex request is retried, then fails saying Flex was shed', async () => {
	server.reset(tieredScript({ shedFlex: 10 }));
	const { result } = await withModel(
		{ serviceTier: 'flex', maxRetries: 1, maxRetryDelay: 10 },
		generate(),
	);
	expect(result?.thrown).toBe('Flex is at capacity: Google shed the request on all 2 tries (503)');
	expect(result?.description).toMatch(/set Service Tier to Standard/);
	expect(server.generateRequests).toHaveLength(2);
});
