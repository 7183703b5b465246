/**
 * Quotas as real keys have them, through n8n's engine: per model, per minute (scaled down to
 * seconds), per day, in input tokens, and for every caller: two nodes on two models and two
 * executions at once (the chat model under bursts: quotas.chat-model.test.ts).
 * Counts, order and overlap only: no timing assertions.
 */
import { CREDENTIAL_TYPE, forgetRateLimits, geminiWorkflow, runWorkflow } from '../harness/n8n';
import { pairedIndex } from '../helpers/items';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import {
	DAILY_REQUESTS_QUOTA,
	delayed,
	INPUT_TOKENS_QUOTA,
	inputTokensOf,
	KeyWideLimit,
} from '../standin/rate-limit';
import { echoScript, type RecordedRequest, STANDIN_TOKEN } from '../standin/server';

const server = useStandin();

const CONTINUE = { onError: 'continueRegularOutput' } as const;
const rowsOf = (count: number, prefix = 'row') =>
	Array.from({ length: count }, (_, index) => ({ q: `${prefix} ${index}` }));
const modelOf = (value: string) => ({ __rl: true, mode: 'id', value });

const DAILY_MESSAGE =
	"The daily quota of gemini-2.5-flash is used up (20 requests per day on this key's plan). It resets at midnight Pacific time; use another model or a paid plan.";

/** A key whose daily quota of 20 for gemini-2.5-flash is already spent. */
function dailyQuotaSpent(): KeyWideLimit {
	const limit = new KeyWideLimit({
		limit: 20,
		windowMs: 24 * 3_600_000,
		quota: DAILY_REQUESTS_QUOTA,
		// Seconds, as recorded for a spent daily quota (the quota itself resets the next day).
		statedDelayMs: 38_000,
		wholeSeconds: true,
	});
	for (let spent = 0; spent < 20; spent++) {
		limit.check({
			headers: { authorization: `Bearer ${STANDIN_TOKEN}` },
			query: {},
			model: 'gemini-2.5-flash',
		} as unknown as RecordedRequest);
	}
	return limit;
}

/** The most requests in flight at once, each held `answerMs` by the stand-in from its arrival. */
function peakOverlap(requests: RecordedRequest[], answerMs: number): number {
	const times = requests.map((request) => request.at);
	return Math.max(
		0,
		...times.map((at) => times.filter((t) => t >= at && t < at + answerMs).length),
	);
}

describe('a used-up daily quota', () => {
	test('with Continue On Fail: every row fails at once naming it, at most Concurrency requests sent', async () => {
		const limit = dailyQuotaSpent();
		server.reset(limit.wrap(echoScript));
		const { output, error } = await runGemini(
			server,
			{ model: modelOf('gemini-2.5-flash'), prompt: '={{ $json.q }}', options: { concurrency: 4 } },
			{ rows: rowsOf(20), settings: CONTINUE },
		);
		expect(error).toBeUndefined();
		const items = output(GEMINI);
		expect(items.map(pairedIndex)).toEqual(rowsOf(20).map((_row, index) => index));
		for (const item of items) {
			expect(item.json.error).toBe(DAILY_MESSAGE);
			expect(item.json.message).toContain(
				'429 RESOURCE_EXHAUSTED: You exceeded your current quota',
			);
		}
		expect(server.generateRequests.length).toBeLessThanOrEqual(4);
	});

	test('without Continue On Fail: the node stops with that message', async () => {
		server.reset(dailyQuotaSpent().wrap(echoScript));
		const { error } = await runGemini(
			server,
			{ model: modelOf('gemini-2.5-flash'), prompt: '={{ $json.q }}', options: { concurrency: 4 } },
			{ rows: rowsOf(20) },
		);
		expect(error?.message).toBe(DAILY_MESSAGE);
		expect(server.generateRequests.length).toBeLessThanOrEqual(4);
	});

	test('another model on the same key is not affected', async () => {
		const spent = dailyQuotaSpent();
		server.reset(spent.wrap(echoScript));
		await runGemini(
			server,
			{ model: modelOf('gemini-2.5-flash'), prompt: '={{ $json.q }}' },
			{ rows: rowsOf(3), settings: CONTINUE },
		);
		const { output } = await runGemini(
			server,
			{ model: modelOf('gemini-2.5-flash-lite'), prompt: '={{ $json.q }}' },
			{ rows: rowsOf(3), settings: CONTINUE },
		);
		expect(output(GEMINI).map((item) => item.json.text)).toEqual(
			rowsOf(3).map(({ q }) => `Echo: ${q}.`),
		);
	});
});

test('two nodes on two models in one execution: the second is never held by the first one’s limit', async () => {
	// The first model's key-wide limit: 5 requests per second. The second has none.
	const limit = new KeyWideLimit({ limit: 5, windowMs: 1000 });
	const answerMs = 300;
	server.reset((request) =>
		request.model === 'limited-model'
			? limit.wrap(delayed(echoScript, 20))(request)
			: delayed(echoScript, answerMs)(request),
	);
	const { nodes, connections } = geminiWorkflow(
		{ model: modelOf('limited-model'), prompt: '={{ $json.q }}', options: { concurrency: 8 } },
		rowsOf(15),
		CONTINUE,
	);
	nodes.push({
		...nodes[2],
		id: '4',
		name: 'Free',
		position: [600, 0],
		parameters: {
			model: modelOf('free-model'),
			prompt: '={{ $json.text }}',
			options: { concurrency: 8 },
		},
	});
	connections[GEMINI] = { main: [[{ node: 'Free', type: 'main', index: 0 }]] };
	const { output, error } = await runWorkflow({
		nodes,
		connections,
		credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
	});
	expect(error).toBeUndefined();
	expect(output(GEMINI).map((item) => item.json.text)).toEqual(
		rowsOf(15).map(({ q }) => `Echo: ${q}.`),
	);
	expect(output('Free')).toHaveLength(15);
	expect(limit.refused).toBeGreaterThan(0);
	// Held at the first model's pace (about 5 a second), no two of these would overlap; free,
	// 8 are in flight at once once slow start has grown (4, then one more per answer).
	const free = server.generateRequests.filter((request) => request.model === 'free-model');
	expect(peakOverlap(free, answerMs)).toBeGreaterThanOrEqual(6);
});

test('two executions at once on one key and model share its quota: every row answered, no more refusals than one alone', async () => {
	const run = async () =>
		await runGemini(
			server,
			{ prompt: '={{ $json.q }}', options: { concurrency: 8 } },
			{ rows: rowsOf(30), settings: CONTINUE },
		);
	const alone = new KeyWideLimit({ limit: 10, windowMs: 1000 });
	server.reset(alone.wrap(delayed(echoScript, 20)));
	await run();
	forgetRateLimits();
	const together = new KeyWideLimit({ limit: 10, windowMs: 1000 });
	server.reset(together.wrap(delayed(echoScript, 20)));
	const [first, second] = await Promise.all([run(), run()]);
	for (const { output } of [first, second]) {
		expect(output(GEMINI).map((item) => item.json.error ?? item.json.text)).toEqual(
			rowsOf(30).map(({ q }) => `Echo: ${q}.`),
		);
	}
	expect(together.served).toBe(60);
	// One limiter for both: one first burst, then one pace (alone: one burst for 30 rows).
	expect(together.refused).toBeLessThanOrEqual(alone.refused + 2);
}, 30_000);

test('a per-minute quota (scaled to 3 s) with whole-second RetryInfo: every row answered, few refused', async () => {
	const limit = new KeyWideLimit({ limit: 6, windowMs: 3000, wholeSeconds: true });
	server.reset(limit.wrap(delayed(echoScript, 20)));
	const { output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 8 } },
		{ rows: rowsOf(18), settings: CONTINUE },
	);
	expect(output(GEMINI).map((item) => item.json.error ?? item.json.text)).toEqual(
		rowsOf(18).map(({ q }) => `Echo: ${q}.`),
	);
	expect(limit.served).toBe(18);
	// The first burst only: the pace fitted from the quota's size holds afterwards.
	expect(limit.refused).toBeLessThanOrEqual(6);
}, 30_000);

test('the same quota in windows fixed on the clock: every row answered, few refused', async () => {
	const limit = new KeyWideLimit({ limit: 6, windowMs: 3000, wholeSeconds: true, fixed: true });
	server.reset(limit.wrap(delayed(echoScript, 20)));
	const { output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 8 } },
		{ rows: rowsOf(18), settings: CONTINUE },
	);
	expect(output(GEMINI).map((item) => item.json.error ?? item.json.text)).toEqual(
		rowsOf(18).map(({ q }) => `Echo: ${q}.`),
	);
	expect(limit.served).toBe(18);
	expect(limit.refused).toBeLessThanOrEqual(8);
}, 30_000);

test('an input-tokens-per-minute quota: waited out, every row answered', async () => {
	const rows = rowsOf(12, 'x'.repeat(400));
	const cost = (request: RecordedRequest) => inputTokensOf(request);
	const limit = new KeyWideLimit({
		limit: 600,
		windowMs: 2000,
		quota: INPUT_TOKENS_QUOTA,
		costOf: cost,
	});
	server.reset(limit.wrap(delayed(echoScript, 20)));
	const { output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 4 } },
		{ rows, settings: CONTINUE },
	);
	const items = output(GEMINI);
	expect(items.map((item) => item.json.error ?? item.json.text)).toEqual(
		rows.map(({ q }) => `Echo: ${q}.`),
	);
	expect(limit.refused).toBeGreaterThan(0);
	expect(limit.served).toBe(12);
}, 30_000);
