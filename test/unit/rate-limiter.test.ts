import {
	type Permit,
	type PermitRequest,
	RateLimiter,
} from '../../nodes/shared/transport/rate-limiter';

/** A permit, failing the test if the limiter says the quota is used up instead. */
async function acquire(
	limiter: RateLimiter,
	request: PermitRequest,
	signal?: AbortSignal,
): Promise<Permit> {
	const got = await limiter.acquire(request, signal);
	if ('exhausted' in got) throw new Error('the quota is used up');
	return got;
}

const place = (limiter: RateLimiter, ceiling = 4, minIntervalMs = 0) => ({
	ticket: limiter.ticket(),
	ceiling,
	minIntervalMs,
});

/** Whether `promise` is settled after the event loop had a few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
	let done = false;
	void promise.then(
		() => (done = true),
		() => (done = true),
	);
	for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
	return done;
}

test('no more requests in flight than the ceiling; a release lets the next one go', async () => {
	const limiter = new RateLimiter();
	const permits = await Promise.all([1, 2].map(() => acquire(limiter, place(limiter, 2))));
	const third = acquire(limiter, place(limiter, 2));
	expect(await settled(third)).toBe(false);
	permits[0].release();
	expect(await settled(third)).toBe(true);
});

test('a request keeps its place in line: an older ticket goes before newer ones', async () => {
	const limiter = new RateLimiter();
	const retried = place(limiter, 1);
	const first = await acquire(limiter, place(limiter, 1));
	const newer = acquire(limiter, place(limiter, 1));
	const older = acquire(limiter, retried);
	const order: string[] = [];
	void newer.then((permit) => {
		order.push('newer');
		permit.release();
	});
	void older.then((permit) => {
		order.push('older');
		permit.release();
	});
	first.release();
	await Promise.all([newer, older]);
	expect(order).toEqual(['older', 'newer']);
});

test('a refusal lowers the number in flight; acceptances bring it back to the ceiling', async () => {
	const limiter = new RateLimiter();
	const permits: Permit[] = [];
	for (let i = 0; i < 4; i++) permits.push(await acquire(limiter, place(limiter, 4)));
	permits[0].refused({ retryDelayMs: 100 });
	permits.forEach((permit) => permit.release());
	// 4 × 0.7 = 2.8: two at a time now.
	const next = [
		await acquire(limiter, place(limiter, 4)),
		await acquire(limiter, place(limiter, 4)),
	];
	const third = acquire(limiter, place(limiter, 4));
	expect(await settled(third)).toBe(false);
	for (const permit of next) {
		permit.accepted();
		permit.release();
	}
	(await third).release();
	for (let i = 0; i < 6; i++) {
		const permit = await acquire(limiter, place(limiter, 4));
		permit.accepted();
		permit.release();
	}
	// Four at once again: all four are granted without waiting.
	const again = Promise.all([1, 2, 3, 4].map(() => acquire(limiter, place(limiter, 4))));
	expect(await settled(again)).toBe(true);
});

test('many refusals with a retry delay hold every new request until the window frees up', async () => {
	const limiter = new RateLimiter();
	const permits = await Promise.all([1, 2, 3, 4].map(() => acquire(limiter, place(limiter, 4))));
	permits[0].accepted();
	for (const permit of permits.slice(1)) permit.refused({ retryDelayMs: 300 });
	permits.forEach((permit) => permit.release());
	const held = acquire(limiter, place(limiter, 4));
	expect(await settled(held)).toBe(false);
	(await held).release();
});

test('one refusal among many acceptances holds nobody back', async () => {
	const limiter = new RateLimiter();
	for (let i = 0; i < 10; i++) {
		const permit = await acquire(limiter, place(limiter, 4));
		permit.accepted();
		permit.release();
	}
	const refused = await acquire(limiter, place(limiter, 4));
	refused.refused({ retryDelayMs: 60_000 });
	refused.release();
	expect(await settled(acquire(limiter, place(limiter, 4)))).toBe(true);
});

test('Requests per Minute spaces the starts', async () => {
	const limiter = new RateLimiter();
	(await acquire(limiter, place(limiter, 4, 60_000))).release();
	const stop = new AbortController();
	const next = acquire(limiter, place(limiter, 4, 60_000), stop.signal);
	expect(await settled(next)).toBe(false);
	// Leaves no minute-long timer behind.
	stop.abort();
	await expect(next).rejects.toThrow();
});

test('a stopped request leaves the line at once', async () => {
	const limiter = new RateLimiter();
	const busy = await acquire(limiter, place(limiter, 1));
	const stop = new AbortController();
	const waiting = acquire(limiter, place(limiter, 1), stop.signal);
	stop.abort();
	await expect(waiting).rejects.toThrow();
	busy.release();
	expect(await settled(acquire(limiter, place(limiter, 1)))).toBe(true);
});

test('slow start: 4 go at once, and each accepted answer lets one more go, up to the ceiling', async () => {
	const limiter = new RateLimiter();
	const first = await Promise.all([1, 2, 3, 4].map(() => acquire(limiter, place(limiter, 32))));
	const fifth = acquire(limiter, place(limiter, 32));
	expect(await settled(fifth)).toBe(false);
	first[0].accepted();
	first[0].release();
	// 5 allowed now, 3 still in flight: the fifth and a sixth go, a seventh waits.
	const sixth = acquire(limiter, place(limiter, 32));
	expect(await settled(Promise.all([fifth, sixth]))).toBe(true);
	expect(await settled(acquire(limiter, place(limiter, 32)))).toBe(false);
});

describe('with a fake clock', () => {
	beforeEach(() => jest.useFakeTimers({ now: 0, doNotFake: ['setImmediate', 'nextTick'] }));
	afterEach(() => jest.useRealTimers());

	test('refusals of one burst lower the number in flight once, even within one millisecond', async () => {
		const limiter = new RateLimiter();
		const burst = await Promise.all([1, 2, 3, 4].map(() => acquire(limiter, place(limiter, 4))));
		// Two refused in the millisecond they were sent (too few to mean a key-wide limit).
		for (const permit of burst.slice(2)) {
			permit.refused();
			permit.release();
		}
		burst[0].release();
		// 4 × 0.7 = 2.8, not 4 × 0.7 × 0.7 = 1.96: two may be in flight, so one more goes.
		expect(await settled(acquire(limiter, place(limiter, 4)))).toBe(true);
		expect(await settled(acquire(limiter, place(limiter, 4)))).toBe(false);
		burst[1].release();
	});

	test('after a hold, requests go at 95 % of the rate the key admitted (started, not refused)', async () => {
		const limiter = new RateLimiter();
		const burst = await Promise.all([1, 2, 3, 4].map(() => acquire(limiter, place(limiter, 4))));
		// Three refused at once (the window frees up at 1 s); one admitted, still answering.
		for (const permit of burst.slice(1)) {
			permit.refused({ retryDelayMs: 1000 });
			permit.release();
		}
		const next = acquire(limiter, place(limiter, 4));
		await jest.advanceTimersByTimeAsync(999);
		expect(await settled(next)).toBe(false);
		await jest.advanceTimersByTimeAsync(1);
		(await next).release();
		// 1 admitted in a 1 s window: 0.95 per second, one start every 1053 ms.
		const after = acquire(limiter, place(limiter, 4));
		await jest.advanceTimersByTimeAsync(1050);
		expect(await settled(after)).toBe(false);
		await jest.advanceTimersByTimeAsync(5);
		expect(await settled(after)).toBe(true);
		(await after).release();
		burst[0].release();
	});

	/** `count` requests start now and are accepted; each still answering until released. */
	async function admit(limiter: RateLimiter, count: number): Promise<Permit[]> {
		const permits: Permit[] = [];
		for (let i = 0; i < count; i++) {
			const permit = await acquire(limiter, place(limiter, 64));
			permit.accepted();
			permits.push(permit);
		}
		return permits;
	}

	/** The permit, once the fake clock has run as long as it takes (at most 5 s). */
	async function whenGranted(pending: Promise<Permit>): Promise<Permit> {
		for (let waited = 0; !(await settled(pending)) && waited < 5000; waited += 10) {
			await jest.advanceTimersByTimeAsync(10);
		}
		return await pending;
	}

	/** The ms between the starts of two requests sent one after the other, under the pace. */
	async function spacing(limiter: RateLimiter): Promise<number> {
		const first = await whenGranted(acquire(limiter, place(limiter, 64)));
		const startedAt = Date.now();
		first.accepted();
		first.release();
		const second = await whenGranted(acquire(limiter, place(limiter, 64)));
		second.accepted();
		second.release();
		return Date.now() - startedAt;
	}

	test('the pace is fitted from the key’s window: idle time before it does not count', async () => {
		const limiter = new RateLimiter();
		// A busy period long ago, then 10 s of nothing: the key's window holds none of that.
		for (const permit of await admit(limiter, 3)) permit.release();
		await jest.advanceTimersByTimeAsync(10_000);
		const burst = await admit(limiter, 5);
		for (const permit of burst) permit.release();
		// Refused after them (a quota of 5): the window frees up 1 s after the burst.
		for (let i = 0; i < 3; i++) {
			const refused = await acquire(limiter, place(limiter, 64));
			refused.refused({ retryDelayMs: 1000 });
			refused.release();
		}
		await jest.advanceTimersByTimeAsync(1000);
		// 5 in a 1 s window: 4.75 a second, a start every 211 ms (not 5 in 11 s).
		expect(await spacing(limiter)).toBeLessThan(260);
	});

	test('without the quota’s size, the pace probes upward for each window without refusal, and goes back at the next refusal', async () => {
		const limiter = new RateLimiter();
		const burst = await admit(limiter, 4);
		for (const permit of burst) permit.release();
		for (let i = 0; i < 3; i++) {
			const refused = await acquire(limiter, place(limiter, 64));
			refused.refused({ retryDelayMs: 1000 });
			refused.release();
		}
		await jest.advanceTimersByTimeAsync(1000);
		// 4 admitted in a 1 s window: 3.8 a second, 263 ms apart.
		const fitted = await spacing(limiter);
		expect(fitted).toBeGreaterThan(250);
		// A whole window later without refusal: ×1.5.
		await jest.advanceTimersByTimeAsync(1000);
		expect(await spacing(limiter)).toBeGreaterThan(250);
		const probed = await spacing(limiter);
		expect(probed).toBeLessThan(fitted * 0.8);
		const refused = await whenGranted(acquire(limiter, place(limiter, 64)));
		refused.refused({ retryDelayMs: 50 });
		refused.release();
		expect(await spacing(limiter)).toBeGreaterThanOrEqual(fitted - 20);
	});

	/** A limiter told that the quota is used up for the next minute. */
	function usedUpForAMinute(daily: boolean): RateLimiter {
		const limiter = new RateLimiter();
		limiter.exhaust({
			until: Date.now() + 60_000,
			usedUp: { daily, forMs: 60_000 },
			failure: { kind: 'connection', error: new Error('refused') },
		});
		return limiter;
	}

	test('a used-up quota: every request is told so at once, until its time', async () => {
		const limiter = usedUpForAMinute(true);
		const got = await limiter.acquire(place(limiter, 4));
		expect('exhausted' in got && got.exhausted.usedUp.daily).toBe(true);
		await jest.advanceTimersByTimeAsync(60_000);
		expect('exhausted' in (await limiter.acquire(place(limiter, 4)))).toBe(false);
	});

	test('a long wait is a used-up quota only for callers that accept less; others wait it out', async () => {
		const limiter = usedUpForAMinute(false);
		const impatient = await limiter.acquire({ ...place(limiter, 4), maxWaitMs: 1000 });
		expect('exhausted' in impatient).toBe(true);
		const patient = acquire(limiter, { ...place(limiter, 4), maxWaitMs: 120_000 });
		await jest.advanceTimersByTimeAsync(59_000);
		expect(await settled(patient)).toBe(false);
		await jest.advanceTimersByTimeAsync(1000);
		expect(await settled(patient)).toBe(true);
		(await patient).release();
	});
});
