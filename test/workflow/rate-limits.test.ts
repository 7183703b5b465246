/**
 * Rate limits as real keys have them, through n8n's engine: a key-wide quota that answers
 * Google's 429 with RetryInfo, isolated 429s, Requests per Minute, the total wait budget and
 * cancelling during a wait. Counts and order only: no timing assertions.
 */
import type { IDataObject } from 'n8n-workflow';

import { pairedIndex } from '../helpers/items';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { lastUserText } from '../standin/server';
import {
	delayed,
	Isolated429s,
	KeyWideLimit,
	quotaExceededReply,
	QUOTA_MESSAGE,
} from '../standin/rate-limit';
import { echoScript } from '../standin/server';

const server = useStandin();

const CONTINUE = { onError: 'continueRegularOutput' } as const;
const rowsOf = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ q: `row ${index}` }));

function expectEveryRowAnswered(
	items: Array<{ json: IDataObject; pairedItem?: unknown }>,
	count: number,
) {
	expect(items.map((item) => item.json.error ?? item.json.text)).toEqual(
		rowsOf(count).map(({ q }) => `Echo: ${q}.`),
	);
	expect(items.map(pairedIndex)).toEqual(rowsOf(count).map((_row, index) => index));
}

test('a key-wide limit (20 per second, 60 rows, Concurrency 16): every row answered, in order, few 429s', async () => {
	const limit = new KeyWideLimit({ limit: 20, windowMs: 1000 });
	server.reset(limit.wrap(delayed(echoScript, 20)));
	const { output, error } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 16 } },
		{ rows: rowsOf(60), settings: CONTINUE },
	);
	expect(error).toBeUndefined();
	expectEveryRowAnswered(output(GEMINI), 60);
	expect(limit.served).toBe(60);
	// With adaptation switched off (16 at once, each retrying after its own wait) the stand-in
	// refused 52 requests here; adapting, 7 to 12 (the first burst, then the odd probe).
	expect(limit.refused).toBeLessThanOrEqual(24);
}, 30_000);

test('the same with whole-second retry delays, as per-minute quotas send them: every row answered, in order', async () => {
	// The node's pace is fitted from when the API says the window frees up; rounded up to the
	// second, that moment comes late, never early (10 per 2 s, 40 rows, Concurrency 8).
	const limit = new KeyWideLimit({ limit: 10, windowMs: 2000, wholeSeconds: true });
	server.reset(limit.wrap(delayed(echoScript, 20)));
	const { output, error } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 8 } },
		{ rows: rowsOf(40), settings: CONTINUE },
	);
	expect(error).toBeUndefined();
	expectEveryRowAnswered(output(GEMINI), 40);
	expect(limit.served).toBe(40);
	// Adapting, 8 refused (the first burst); with adaptation switched off (Concurrency at once, each row after its own wait), 24.
	expect(limit.refused).toBeLessThanOrEqual(16);
}, 30_000);

test('Requests per Minute equal to the quota: no 429 at all', async () => {
	// 20 per 2 s is 600 per minute.
	const limit = new KeyWideLimit({ limit: 20, windowMs: 2000 });
	server.reset(limit.wrap(echoScript));
	const { output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 8, requestsPerMinute: 600 } },
		{ rows: rowsOf(25), settings: CONTINUE },
	);
	expectEveryRowAnswered(output(GEMINI), 25);
	expect(limit.refused).toBe(0);
}, 30_000);

test('isolated 429s hold back only their own rows, and do not use up Max Retries', async () => {
	const isolated = new Isolated429s({ every: 10, retryAfterSeconds: 1, retryInfoMs: 700 });
	server.reset(isolated.script);
	const { output } = await runGemini(
		server,
		// Max Retries 0: a wait the API asked for is not a retry.
		{ prompt: '={{ $json.q }}', options: { concurrency: 4, maxRetries: 0 } },
		{ rows: rowsOf(40), settings: CONTINUE },
	);
	expectEveryRowAnswered(output(GEMINI), 40);
	expect(isolated.refused).toBe(4);
	// While a refused row waits its second, the other rows go on: requests keep arriving.
	for (const row of isolated.refusedRows.keys()) {
		const [refusedAt, retriedAt] = server.generateRequests
			.filter((request) => lastUserText(request.body) === `row ${row}`)
			.map((request) => request.at);
		const meanwhile = server.generateRequests.filter(
			(request) => request.at > refusedAt && request.at < retriedAt,
		);
		expect(meanwhile.length).toBeGreaterThan(0);
	}
}, 30_000);

test('a row whose waits would pass Max Rate Limit Wait fails with the provider’s message, in its place', async () => {
	server.reset((request) =>
		lastUserText(request.body) === 'row 1'
			? quotaExceededReply({ retryDelayMs: 400 })
			: echoScript(request),
	);
	const { output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { maxRateLimitWait: 1000 } },
		{ rows: rowsOf(3), settings: CONTINUE },
	);
	const items = output(GEMINI);
	expect(items.map(pairedIndex)).toEqual([0, 1, 2]);
	expect(items[1].json).toEqual({
		error: `429 RESOURCE_EXHAUSTED: ${QUOTA_MESSAGE} Please retry in 0.400s.`,
		message: expect.stringContaining(
			'the 400 ms more the API asked for would pass Max Rate Limit Wait (1000 ms).',
		),
	});
	// Waited 400, 400 (800 in all), then gave up at the third 429.
	expect(
		server.generateRequests.filter((request) => lastUserText(request.body) === 'row 1'),
	).toHaveLength(3);
	expect([items[0].json.text, items[2].json.text]).toEqual(['Echo: row 0.', 'Echo: row 2.']);
});

test('stopping the execution during a rate-limit wait ends it at once, sending nothing more', async () => {
	// A 10-minute wait: only the stop can end the run within jest's 30 s.
	server.reset(() => quotaExceededReply({ retryDelayMs: 600_000 }));
	const stop = new AbortController();
	const running = runGemini(
		server,
		{ prompt: 'hi', options: { maxRetryDelay: 900_000 } },
		{ abortSignal: stop.signal },
	);
	while (server.generateRequests.length === 0)
		await new Promise((resolve) => setTimeout(resolve, 10));
	stop.abort();
	await running;
	expect(server.generateRequests).toHaveLength(1);
});
