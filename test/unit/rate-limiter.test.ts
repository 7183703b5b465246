import { type Permit, RateLimiter } from '../../nodes/shared/transport/rate-limiter';

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
	const permits = await Promise.all([1, 2].map(() => limiter.acquire(place(limiter, 2))));
	const third = limiter.acquire(place(limiter, 2));
	expect(await settled(third)).toBe(false);
	permits[0].release();
	expect(await settled(third)).toBe(true);
});

test('a request keeps its place in line: an older ticket goes before newer ones', async () => {
	const limiter = new RateLimiter();
	const retried = place(limiter, 1);
	const first = await limiter.acquire(place(limiter, 1));
	const newer = limiter.acquire(place(limiter, 1));
	const older = limiter.acquire(retried);
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
	for (let i = 0; i < 4; i++) permits.push(await limiter.acquire(place(limiter, 4)));
	permits[0].refused(100);
	permits.forEach((permit) => permit.release());
	// 4 × 0.7 = 2.8: two at a time now.
	const next = [await limiter.acquire(place(limiter, 4)), await limiter.acquire(place(limiter, 4))];
	const third = limiter.acquire(place(limiter, 4));
	expect(await settled(third)).toBe(false);
	for (const permit of next) {
		permit.accepted();
		permit.release();
	}
	(await third).release();
	for (let i = 0; i < 6; i++) {
		const permit = await limiter.acquire(place(limiter, 4));
		permit.accepted();
		permit.release();
	}
	// Four at once again: all four are granted without waiting.
	const again = Promise.all([1, 2, 3, 4].map(() => limiter.acquire(place(limiter, 4))));
	expect(await settled(again)).toBe(true);
});

test('many refusals with a retry delay hold every new request until the window frees up', async () => {
	const limiter = new RateLimiter();
	const permits = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire(place(limiter, 4))));
	permits[0].accepted();
	for (const permit of permits.slice(1)) permit.refused(300);
	permits.forEach((permit) => permit.release());
	const held = limiter.acquire(place(limiter, 4));
	expect(await settled(held)).toBe(false);
	(await held).release();
});

test('one refusal among many acceptances holds nobody back', async () => {
	const limiter = new RateLimiter();
	for (let i = 0; i < 10; i++) {
		const permit = await limiter.acquire(place(limiter, 4));
		permit.accepted();
		permit.release();
	}
	const refused = await limiter.acquire(place(limiter, 4));
	refused.refused(60_000);
	refused.release();
	expect(await settled(limiter.acquire(place(limiter, 4)))).toBe(true);
});

test('Requests per Minute spaces the starts', async () => {
	const limiter = new RateLimiter();
	(await limiter.acquire(place(limiter, 4, 60_000))).release();
	const stop = new AbortController();
	const next = limiter.acquire(place(limiter, 4, 60_000), stop.signal);
	expect(await settled(next)).toBe(false);
	// Leaves no minute-long timer behind.
	stop.abort();
	await expect(next).rejects.toThrow();
});

test('a stopped request leaves the line at once', async () => {
	const limiter = new RateLimiter();
	const busy = await limiter.acquire(place(limiter, 1));
	const stop = new AbortController();
	const waiting = limiter.acquire(place(limiter, 1), stop.signal);
	stop.abort();
	await expect(waiting).rejects.toThrow();
	busy.release();
	expect(await settled(limiter.acquire(place(limiter, 1)))).toBe(true);
});

test('slow start: 4 go at once, and each accepted answer lets one more go, up to the ceiling', async () => {
	const limiter = new RateLimiter();
	const first = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire(place(limiter, 32))));
	const fifth = limiter.acquire(place(limiter, 32));
	expect(await settled(fifth)).toBe(false);
	first[0].accepted();
	first[0].release();
	// 5 allowed now, 3 still in flight: the fifth and a sixth go, a seventh waits.
	const sixth = limiter.acquire(place(limiter, 32));
	expect(await settled(Promise.all([fifth, sixth]))).toBe(true);
	expect(await settled(limiter.acquire(place(limiter, 32)))).toBe(false);
});

describe('with a fake clock', () => {
	beforeEach(() => jest.useFakeTimers({ now: 0, doNotFake: ['setImmediate', 'nextTick'] }));
	afterEach(() => jest.useRealTimers());

	test('refusals of one burst lower the number in flight once, even within one millisecond', async () => {
		const limiter = new RateLimiter();
		const burst = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire(place(limiter, 4))));
		// Two refused in the millisecond they were sent (too few to mean a key-wide limit).
		for (const permit of burst.slice(2)) {
			permit.refused();
			permit.release();
		}
		burst[0].release();
		// 4 × 0.7 = 2.8, not 4 × 0.7 × 0.7 = 1.96: two may be in flight, so one more goes.
		expect(await settled(limiter.acquire(place(limiter, 4)))).toBe(true);
		expect(await settled(limiter.acquire(place(limiter, 4)))).toBe(false);
		burst[1].release();
	});

	test('after a hold, requests go at 95 % of the rate the key admitted (started, not refused)', async () => {
		const limiter = new RateLimiter();
		const burst = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire(place(limiter, 4))));
		// Three refused at once (the window frees up at 1 s); one admitted, still answering.
		for (const permit of burst.slice(1)) {
			permit.refused(1000);
			permit.release();
		}
		const next = limiter.acquire(place(limiter, 4));
		await jest.advanceTimersByTimeAsync(999);
		expect(await settled(next)).toBe(false);
		await jest.advanceTimersByTimeAsync(1);
		(await next).release();
		// 1 admitted in a 1 s window: 0.95 per second, one start every 1053 ms.
		const after = limiter.acquire(place(limiter, 4));
		await jest.advanceTimersByTimeAsync(1050);
		expect(await settled(after)).toBe(false);
		await jest.advanceTimersByTimeAsync(5);
		expect(await settled(after)).toBe(true);
		(await after).release();
		burst[0].release();
	});
});
