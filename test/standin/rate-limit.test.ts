/**
 * The stand-in's rate limits are test infrastructure the limiter tests and the benchmark rely
 * on: these tests pin their counts and the bodies they send. A fake clock drives the windows,
 * so nothing here depends on how fast the machine is.
 */
import {
	formatRetryDelay,
	Isolated429s,
	isolatedIdealMs,
	isolatedRefusal,
	isolatedRows,
	KeyWideLimit,
	overloadedReply,
	QUOTA_MESSAGE,
	quotaExceededReply,
	RATE_LIMITS_URL,
	REQUESTS_QUOTA,
	SlidingWindowLimit,
} from './rate-limit';
import { echoScript, type ScriptedReply, StandinServer, STANDIN_TOKEN } from './server';

interface GoogleError {
	error: {
		code: number;
		status: string;
		message: string;
		details?: Array<Record<string, unknown>>;
	};
}

const typesOf = (body: GoogleError) => body.error.details?.map((detail) => detail['@type']);
const retryDelayOf = (body: GoogleError) =>
	body.error.details?.find(
		(detail) => detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo',
	)?.retryDelay;

describe('formatRetryDelay', () => {
	it('writes a Duration in seconds to the ms, rounding up', () => {
		expect(formatRetryDelay(734)).toBe('0.734s');
		expect(formatRetryDelay(733.2)).toBe('0.734s');
		expect(formatRetryDelay(26_000)).toBe('26.000s');
		expect(formatRetryDelay(-5)).toBe('0.000s');
	});
});

describe('quotaExceededReply and overloadedReply', () => {
	it("is Google's 429: RESOURCE_EXHAUSTED, QuotaFailure, Help, RetryInfo, no Retry-After", () => {
		const reply = quotaExceededReply({ retryDelayMs: 734, limit: 5, model: 'gemini-2.5-flash' });
		expect(reply.status).toBe(429);
		expect(Object.keys(reply.headers ?? {}).map((name) => name.toLowerCase())).not.toContain(
			'retry-after',
		);
		const body = JSON.parse(String(reply.body)) as GoogleError;
		expect(body.error.code).toBe(429);
		expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
		expect(body.error.message).toBe(`${QUOTA_MESSAGE} Please retry in 0.734s.`);
		expect(typesOf(body)).toEqual([
			'type.googleapis.com/google.rpc.QuotaFailure',
			'type.googleapis.com/google.rpc.Help',
			'type.googleapis.com/google.rpc.RetryInfo',
		]);
		expect(body.error.details?.[0]).toEqual({
			'@type': 'type.googleapis.com/google.rpc.QuotaFailure',
			violations: [
				{
					...REQUESTS_QUOTA,
					quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
					quotaValue: '5',
				},
			],
		});
		expect(body.error.details?.[1]).toEqual({
			'@type': 'type.googleapis.com/google.rpc.Help',
			links: [{ description: 'Learn more about Gemini API quotas', url: RATE_LIMITS_URL }],
		});
		expect(retryDelayOf(body)).toBe('0.734s');
	});

	it('leaves RetryInfo out when no delay is given', () => {
		const body = JSON.parse(String(quotaExceededReply().body)) as GoogleError;
		expect(typesOf(body)).toHaveLength(2);
		expect(body.error.message).toBe(QUOTA_MESSAGE);
	});

	it("is Google's 503 for an overloaded model", () => {
		const reply = overloadedReply();
		expect(reply.status).toBe(503);
		expect(JSON.parse(String(reply.body))).toEqual({
			error: {
				code: 503,
				message: 'The model is overloaded. Please try again later.',
				status: 'UNAVAILABLE',
			},
		});
	});
});

describe('SlidingWindowLimit', () => {
	it('admits `limit` starts per window and says when the oldest one leaves it', () => {
		const limit = new SlidingWindowLimit(3, 1000);
		expect(limit.admit('k', 0)).toEqual({ admitted: true });
		expect(limit.admit('k', 100)).toEqual({ admitted: true });
		expect(limit.admit('k', 266)).toEqual({ admitted: true });
		expect(limit.admit('k', 266)).toEqual({ admitted: false, retryAfterMs: 734 });
		expect(limit.admit('k', 999)).toEqual({ admitted: false, retryAfterMs: 1 });
		// The start at 0 leaves the window at 1000: one slot, then full again until 1100.
		expect(limit.admit('k', 1000)).toEqual({ admitted: true });
		expect(limit.admit('k', 1000)).toEqual({ admitted: false, retryAfterMs: 100 });
		expect(limit.admit('k', 1100)).toEqual({ admitted: true });
	});

	it('never admits more than `limit` in any window, however often a client retries', () => {
		const limit = new SlidingWindowLimit(4, 1000);
		const admitted: number[] = [];
		for (let now = 0; now < 10_000; now += 7) {
			for (let client = 0; client < 5; client++)
				if (limit.admit('k', now).admitted) admitted.push(now);
		}
		for (const start of admitted)
			expect(admitted.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(
				4,
			);
		// Refused requests do not use up quota: the full rate gets through.
		expect(admitted.length).toBeGreaterThanOrEqual(39);
	});

	it('keeps each key to itself', () => {
		const limit = new SlidingWindowLimit(1, 1000);
		expect(limit.admit('a', 0).admitted).toBe(true);
		expect(limit.admit('b', 0).admitted).toBe(true);
		expect(limit.admit('a', 10).admitted).toBe(false);
	});
});

describe('isolated 429 choice', () => {
	it('picks one row in 50, spread out, alternating the kinds, the same on every call', () => {
		const rows = isolatedRows(1000);
		expect(rows.size).toBe(20);
		expect([...rows.values()].filter((kind) => kind === 'retryAfter')).toHaveLength(10);
		const indexes = [...rows.keys()];
		for (let block = 0; block < 20; block++) {
			expect(indexes.filter((row) => Math.floor(row / 50) === block)).toHaveLength(1);
		}
		expect(isolatedRows(1000)).toEqual(rows);
		expect(isolatedRefusal(indexes[3])).toBe(rows.get(indexes[3]));
		expect(isolatedRows(1000, { seed: 2 })).not.toEqual(rows);
	});

	it("puts each row's own time, spread over the concurrency, as the ideal", () => {
		// 980 rows × 50 ms, 10 × (1000 + 50) ms, 10 × (700 + 50) ms, over 8.
		expect(isolatedIdealMs(1000, 8)).toBe((980 * 50 + 10 * 1050 + 10 * 750) / 8);
		// Never below the slowest row.
		const [firstRefused] = isolatedRows(50).keys();
		expect(isolatedIdealMs(firstRefused + 1, 64)).toBe(1050);
	});
});

describe('over HTTP, through the stand-in', () => {
	const server = new StandinServer();
	beforeAll(async () => {
		await server.start();
	});
	afterAll(async () => {
		await server.stop();
	});

	async function post(text: string) {
		const response = await fetch(
			`${server.baseUrl}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
			{
				method: 'POST',
				headers: { authorization: `Bearer ${STANDIN_TOKEN}`, 'content-type': 'application/json' },
				body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text }] }] }),
			},
		);
		return { status: response.status, headers: response.headers, text: await response.text() };
	}

	it('limits a key: past the limit, 429s saying when the window frees up, counted', async () => {
		let now = 10_000;
		const limit = new KeyWideLimit({ limit: 3, windowMs: 60_000, now: () => now });
		server.reset(limit.wrap(echoScript));
		const answers = [];
		for (let index = 0; index < 5; index++) {
			answers.push(await post(`row ${index}`));
			now += 1000;
		}
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429, 429]);
		expect(answers[0].text).toContain('row 0');
		for (const refused of answers.slice(3)) {
			expect(refused.headers.get('retry-after')).toBeNull();
			expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
		}
		// Refused at 13 000 and 14 000; the first start (10 000) leaves the window at 70 000.
		expect(retryDelayOf(JSON.parse(answers[3].text))).toBe('57.000s');
		expect(retryDelayOf(JSON.parse(answers[4].text))).toBe('56.000s');
		expect((JSON.parse(answers[3].text) as GoogleError).error.details?.[0]).toMatchObject({
			violations: [{ quotaValue: '3', quotaDimensions: { model: 'gemini-2.5-flash' } }],
		});
		expect(limit.served).toBe(3);
		expect(limit.refused).toBe(2);
		// Counted against the request's API key (the bearer token) and model, as Gemini counts.
		expect([...limit.byKey]).toEqual([
			[`Bearer ${STANDIN_TOKEN} gemini-2.5-flash`, { served: 3, refused: 2 }],
		]);
	});

	it('refuses each chosen row exactly once, half by Retry-After, half by RetryInfo', async () => {
		const isolated = new Isolated429s({ answer: echoScript });
		server.reset(isolated.script);
		const chosen = isolatedRows(100);
		const first = [];
		for (let row = 0; row < 100; row++) first.push(await post(`row ${row}`));
		const second = [];
		for (const row of chosen.keys()) second.push(await post(`row ${row}`));

		const refused = first.flatMap((answer, row) => (answer.status === 429 ? [row] : []));
		expect(refused).toEqual([...chosen.keys()]);
		expect(second.map((answer) => answer.status)).toEqual([200, 200]);
		for (const row of refused) {
			const answer = first[row];
			const body = JSON.parse(answer.text) as GoogleError;
			expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
			if (chosen.get(row) === 'retryAfter') {
				expect(answer.headers.get('retry-after')).toBe('1');
				expect(retryDelayOf(body)).toBeUndefined();
			} else {
				expect(answer.headers.get('retry-after')).toBeNull();
				expect(retryDelayOf(body)).toBe('0.700s');
			}
		}
		expect([...chosen.values()]).toEqual(['retryAfter', 'retryInfo']);
		expect(isolated.refused).toBe(2);
		expect(isolated.served).toBe(100);
		expect(isolated.refusedRows).toEqual(chosen);
	});

	it('answers after 50 ms of think time by default', () => {
		const isolated = new Isolated429s();
		const reply: ScriptedReply = isolated.script({
			at: 0,
			method: 'POST',
			path: '/v1beta/models/m:streamGenerateContent',
			query: {},
			headers: {},
			rawBody: '',
			body: { contents: [{ role: 'user', parts: [{ text: 'no number here' }] }] },
			model: 'm',
		});
		expect(reply.status).toBe(200);
		expect(reply.waitMs).toBe(50);
	});
});
