/**
 * Service Tier and Cached Content in the main node, run through n8n's engine against the
 * stand-in: the exact bodies sent (top-level fields, only when set), the checks before
 * anything is sent, the API's refusals as the item's error, Flex's longer wait for the answer
 * to start, a shed Flex request, and Priority served on Standard past its limit.
 */
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import { scaledWaits } from '../harness/n8n';
import { GEMINI, type GeminiRunOptions, runGemini, useStandin } from '../helpers/workflow';
import { CACHE_NOT_FOUND_MESSAGE } from '../standin/caches';
import { errorReply, type ScriptedReply } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';
import { FLEX_SHED_MESSAGE, tieredScript } from '../standin/tiers';

const server = useStandin();

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

const MODEL = 'gemini-2.5-flash';

type RunError = NonNullable<IRun['data']['resultData']['error']> & {
	description?: string;
	httpCode?: string;
};

/** Runs the node for `prompt` with the given options (and other parameters). */
async function run(
	options: IDataObject,
	parameters: IDataObject = {},
	runOptions?: GeminiRunOptions,
) {
	const result = await runGemini(
		server,
		{ model: byId(MODEL), prompt: 'hi', options, ...parameters },
		runOptions,
	);
	return { ...result, failure: result.error as RunError | undefined };
}

const bodies = () => server.generateRequests.map((request) => request.body as IDataObject);

const json = (items: INodeExecutionData[]) => items.map((item) => item.json);

describe('the request', () => {
	test('Flex and a cache are top-level fields of the body, after generationConfig, not in it', async () => {
		server.caches.set('cachedContents/abc123', MODEL);
		const { failure } = await run(
			{ serviceTier: 'flex', cachedContent: 'cachedContents/abc123' },
			{ generationConfig: { temperature: 0.5 } },
		);
		expect(failure).toBeUndefined();
		expect(server.generateRequests[0].rawBody).toBe(
			JSON.stringify({
				contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
				generationConfig: { temperature: 0.5 },
				cachedContent: 'cachedContents/abc123',
				serviceTier: 'flex',
			}),
		);
	});

	test.each(['standard', 'flex', 'priority'])(
		'Service Tier %s is sent as the API spells it',
		async (tier) => {
			await run({ serviceTier: tier });
			expect(bodies()).toEqual([
				{ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], serviceTier: tier },
			]);
		},
	);

	test('an expression may give the tier in capitals; it is sent in lowercase', async () => {
		await run({ serviceTier: '={{ "FLEX" }}' });
		expect(bodies()[0].serviceTier).toBe('flex');
	});

	test("a bare cache ID gets the cachedContents/ prefix, as Google's SDK adds it", async () => {
		server.caches.set('cachedContents/abc123', MODEL);
		const { failure } = await run({ cachedContent: '  abc123\n' });
		expect(failure).toBeUndefined();
		expect(bodies()[0].cachedContent).toBe('cachedContents/abc123');
	});

	test('neither option added: neither is sent, the body is as before', async () => {
		await run({});
		expect(bodies()).toEqual([{ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }]);
	});

	test('an expression that gives nothing sends neither', async () => {
		await run({ serviceTier: '={{ $json.tier }}', cachedContent: '={{ $json.cache }}' });
		expect(bodies()).toEqual([{ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }]);
	});

	test('each row its own tier and cache, from expressions', async () => {
		server.caches.set('cachedContents/one', MODEL);
		const rows = [{ tier: 'flex', cache: 'one' }, { tier: 'priority' }, {}];
		const { failure } = await run(
			{ serviceTier: '={{ $json.tier }}', cachedContent: '={{ $json.cache }}' },
			{},
			{ rows },
		);
		expect(failure).toBeUndefined();
		const sent = bodies().map(({ serviceTier, cachedContent }) => ({ serviceTier, cachedContent }));
		expect(sent).toEqual(
			expect.arrayContaining([
				{ serviceTier: 'flex', cachedContent: 'cachedContents/one' },
				{ serviceTier: 'priority', cachedContent: undefined },
				{ serviceTier: undefined, cachedContent: undefined },
			]),
		);
		expect(sent).toHaveLength(3);
	});
});

describe('checked before anything is sent, the error naming the item and the field', () => {
	test.each([
		[
			{ serviceTier: 'cheap' },
			'"Service Tier" of item 0 must be one of standard, flex, priority, not "cheap"',
		],
		[
			{ serviceTier: 'SERVICE_TIER_FLEX' },
			'"Service Tier" of item 0 must be one of standard, flex, priority, not "SERVICE_TIER_FLEX"',
		],
		[
			{ cachedContent: 'projects/p/locations/us-central1/cachedContents/abc' },
			'"Cached Content" of item 0 is not a cache name of the form cachedContents/<id>: "projects/p/locations/us-central1/cached…',
		],
		[
			{ cachedContent: 'cachedContents/my cache' },
			'"Cached Content" of item 0 is not a cache name of the form cachedContents/<id>: "cachedContents/my cache"',
		],
		[{ cachedContent: '={{ 42 }}' }, '"Cached Content" of item 0 must be a cache name, not 42'],
	])('%j', async (options, message) => {
		const { failure } = await run(options);
		expect(failure?.message).toBe(message);
		expect(server.generateRequests).toHaveLength(0);
	});

	test('with Continue On Fail, the bad row alone fails, in its place; the others are sent', async () => {
		const rows = [{ tier: 'flex' }, { tier: 'slow' }, { tier: 'standard' }];
		const { failure, output } = await run(
			{ serviceTier: '={{ $json.tier }}' },
			{},
			{ rows, settings: { onError: 'continueRegularOutput' } },
		);
		expect(failure).toBeUndefined();
		expect(json(output(GEMINI)).map((item) => item.error ?? item.text)).toEqual([
			'Echo: hi.',
			'"Service Tier" of item 1 must be one of standard, flex, priority, not "slow"',
			'Echo: hi.',
		]);
		expect(bodies().map((body) => body.serviceTier)).toEqual(['flex', 'standard']);
	});
});

describe("refused by the API: the item fails with the API's own message", () => {
	test('a cache with a System Instruction: Google’s 400, and where those settings belong', async () => {
		server.caches.set('cachedContents/abc123', MODEL);
		const { failure } = await run(
			{ cachedContent: 'cachedContents/abc123' },
			{ systemInstruction: 'Be brief.' },
		);
		expect(failure?.message).toBe(
			'400 INVALID_ARGUMENT: CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.',
		);
		expect(failure?.description).toMatch(/they belong in the cache/);
		expect(server.generateRequests).toHaveLength(1);
	});

	test('a cache that does not exist (never made, or expired): Google’s 403', async () => {
		const { failure } = await run({ cachedContent: 'cachedContents/gone' });
		expect(failure?.message).toBe(`403 PERMISSION_DENIED: ${CACHE_NOT_FOUND_MESSAGE}`);
		expect(failure?.httpCode).toBe('403');
		expect(failure?.description).toMatch(/not found for this key: it may have expired/);
		// A 403 is not retried.
		expect(server.generateRequests).toHaveLength(1);
	});

	test('a cache made for another model: Google’s 400 naming both', async () => {
		server.caches.set('cachedContents/abc123', 'gemini-2.5-pro');
		const { failure } = await run({ cachedContent: 'cachedContents/abc123' });
		expect(failure?.message).toBe(
			'400 INVALID_ARGUMENT: Model used by GenerateContent request (models/gemini-2.5-flash) and CachedContent (models/gemini-2.5-pro) has to be the same.',
		);
		expect(failure?.description).toMatch(/serves only the model it was made for/);
	});

	test('a 403 that does not name the cache keeps its own hint', async () => {
		server.caches.set('cachedContents/abc123', MODEL);
		server.script = () =>
			errorReply(403, 'PERMISSION_DENIED', 'The caller does not have permission');
		const { failure } = await run({ cachedContent: 'cachedContents/abc123' });
		expect(failure?.description).toMatch(/not allowed to use this model/);
	});

	test('a cache that exists serves the request; its tokens are counted in the hint', async () => {
		server.reset(tieredScript({ cachedTokens: 1000 }));
		server.caches.set('cachedContents/abc123', MODEL);
		const { failure, output, run: result } = await run({ cachedContent: 'abc123' });
		expect(failure).toBeUndefined();
		expect(output(GEMINI)[0].json.usageMetadata).toEqual({
			promptTokenCount: 1004,
			candidatesTokenCount: 3,
			totalTokenCount: 1007,
			cachedContentTokenCount: 1000,
			serviceTier: 'standard',
		});
		expect(result.data.resultData.runData[GEMINI][0].hints?.[0]?.message).toBe(
			`Tokens of ${MODEL} for 1 answer: 1,004 prompt (1,000 of them cached), 3 answer, 1,007 in all; 1 read a cache.`,
		);
	});
});

/** Answers after `waitMs` of silence before the status line, as a queued request would. */
const startsAfter =
	(waitMs: number): (() => ScriptedReply) =>
	() => ({
		waitMs,
		headers: { 'content-type': 'text/event-stream' },
		body: encodeSse([textChunk('Late.', { finishReason: 'STOP' })]),
	});

describe('with Flex, the wait before the answer starts fits Flex', () => {
	// Scaled down: Idle Timeout's default (120 s) stands at 300 ms, Flex's start wait (15 min)
	// at 5 s, and the stand-in's answer starts after 1 s, longer than the idle default allows.
	let restore: () => void;
	beforeEach(() => {
		restore = scaledWaits({ idleTimeout: 300, flex: 5000 });
	});
	afterEach(() => restore());

	test('Standard, Idle Timeout not set: cut off at the idle default', async () => {
		server.reset(startsAfter(1000));
		const { failure } = await run({ maxRetries: 0 });
		expect(failure?.message).toBe('No answer has started after 300 ms');
		expect(failure?.description).not.toMatch(/Flex/);
	});

	test('Flex, Idle Timeout not set: waited for, and answered', async () => {
		server.reset(startsAfter(1000));
		const { failure, output } = await run({ serviceTier: 'flex', maxRetries: 0 });
		expect(failure).toBeUndefined();
		expect(output(GEMINI)[0].json.text).toBe('Late.');
	});

	test('Flex with Idle Timeout set: the value set applies, and the error says it was Flex', async () => {
		server.reset(startsAfter(1000));
		const { failure } = await run({ serviceTier: 'flex', idleTimeout: 300, maxRetries: 0 });
		expect(failure?.message).toBe('No answer has started after 300 ms');
		expect(failure?.description).toMatch(/This was a Flex request: .* 1 to 15 minutes/);
	});

	test('Flex past its start wait: the error gives the wait and says it was Flex', async () => {
		server.reset(startsAfter(2000));
		const restoreShorter = scaledWaits({ flex: 600 });
		try {
			const { failure } = await run({ serviceTier: 'flex', maxRetries: 0 });
			expect(failure?.message).toBe('No answer has started after 600 ms');
			expect(failure?.description).toMatch(/This was a Flex request/);
		} finally {
			restoreShorter();
		}
	});

	test('Flex: once the answer has started, Idle Timeout applies between its pieces', async () => {
		server.reset(() => ({
			headers: { 'content-type': 'text/event-stream' },
			pieces: [
				encodeSse([textChunk('Begun')]),
				encodeSse([textChunk(' late.', { finishReason: 'STOP' })]),
			],
			delayMs: 1000,
		}));
		const { failure } = await run({ serviceTier: 'flex', maxRetries: 0 });
		expect(failure?.message).toBe('The stream stopped for 300 ms after it began (Idle Timeout)');
	});
});

describe('a shed Flex request (503: the system is at capacity)', () => {
	// Backoff capped at 10 ms, so the retries go at once.
	const fast = { maxRetryDelay: 10 };

	test('is retried like any 503, and answered when Flex has room again', async () => {
		server.reset(tieredScript({ shedFlex: 1 }));
		const { failure, output } = await run({ serviceTier: 'flex', ...fast });
		expect(failure).toBeUndefined();
		expect(output(GEMINI)[0].json.usageMetadata).toMatchObject({ serviceTier: 'flex' });
		expect(server.generateRequests).toHaveLength(2);
	});

	test('once Max Retries are used up, the error says Flex was shed and what to do', async () => {
		server.reset(tieredScript({ shedFlex: 10 }));
		const { failure } = await run({ serviceTier: 'flex', maxRetries: 1, ...fast });
		expect(failure?.message).toBe(
			'Flex is at capacity: Google shed the request on all 2 tries (503)',
		);
		expect(failure?.httpCode).toBe('503');
		expect(failure?.description).toContain(`503 UNAVAILABLE: ${FLEX_SHED_MESSAGE}`);
		expect(failure?.description).toMatch(/Retry these items later .* set Service Tier to Standard/);
		expect(server.generateRequests).toHaveLength(2);
	});

	test('a 503 to a Standard request keeps the generic message', async () => {
		server.reset(() => errorReply(503, 'UNAVAILABLE', 'Overloaded'));
		const { failure } = await run({ serviceTier: 'standard', maxRetries: 0 });
		expect(failure?.message).toBe('503 UNAVAILABLE: Overloaded');
	});

	test('with Continue On Fail, the shed row gets that error in its place; the Standard row is answered', async () => {
		server.reset(tieredScript({ shedFlex: 10 }));
		const rows = [{ tier: 'flex' }, { tier: 'standard' }];
		const { failure, output } = await run(
			{ serviceTier: '={{ $json.tier }}', maxRetries: 0 },
			{},
			{ rows, settings: { onError: 'continueRegularOutput' } },
		);
		expect(failure).toBeUndefined();
		expect(json(output(GEMINI)).map((item) => item.error ?? item.text)).toEqual([
			'Flex is at capacity: Google shed the request (503)',
			'Echo: hi.',
		]);
	});

	test('a shed whose Retry-After passes Max Retry Delay fails its row, not the Standard rows of the model', async () => {
		server.reset((request) =>
			(request.body as IDataObject).serviceTier === 'flex'
				? errorReply(503, 'UNAVAILABLE', FLEX_SHED_MESSAGE, { headers: { 'retry-after': '120' } })
				: tieredScript()(request),
		);
		const rows = [{ tier: 'flex' }, { tier: 'standard' }, { tier: 'standard' }];
		const { output } = await run(
			{ serviceTier: '={{ $json.tier }}', concurrency: 1 },
			{},
			{ rows, settings: { onError: 'continueRegularOutput' } },
		);
		expect(json(output(GEMINI)).map((item) => item.error ?? item.text)).toEqual([
			'Flex is at capacity: Google shed the request (503)',
			'Echo: hi.',
			'Echo: hi.',
		]);
		expect(server.generateRequests).toHaveLength(3);
	});
});

test('Priority past its limit is served on Standard: no error, the served tier in the answer and the hint', async () => {
	server.reset(tieredScript({ priorityLimit: 1 }));
	const {
		failure,
		output,
		run: result,
	} = await run({ serviceTier: 'priority', concurrency: 1 }, {}, { rows: [{}, {}] });
	expect(failure).toBeUndefined();
	expect(bodies().map((body) => body.serviceTier)).toEqual(['priority', 'priority']);
	expect(
		json(output(GEMINI)).map((item) => (item.usageMetadata as IDataObject).serviceTier),
	).toEqual(['priority', 'standard']);
	expect(result.data.resultData.runData[GEMINI][0].hints?.[0]?.message).toBe(
		`Tokens of ${MODEL} for 2 answers: 8 prompt, 6 answer, 14 in all; 1 served on priority.`,
	);
});
