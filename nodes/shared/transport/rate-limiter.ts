/**
 * How fast one execution's requests go: every request of the execution, from either node,
 * asks this limiter for a permit before it is sent and reports whether the API accepted it.
 *
 * Two controls, because keys are limited two ways:
 * - **Requests in flight** (AIMD, as TCP): a refusal (429, or 503 overloaded) multiplies the
 *   allowed number by 0.7, at most once per round trip (only a request sent after the last
 *   decrease can decrease it again); each accepted request adds 1/limit, about one more per
 *   round trip, back up to the caller's ceiling (the node's Concurrency). An isolated refusal
 *   costs a few requests' worth of throughput, not a pause of the run.
 * - **Pace** (a fitted token rate): when refusals are many (a key-wide limit: at least 3 of
 *   the last 16 answers, and a quarter of them), the requests the key accepted since its last
 *   window freed up, over the time until the window frees up again (the server's retry
 *   delay), is the key's rate; new requests wait until the window frees up, then go at that
 *   rate, which then grows by 3 % per second of acceptance and drops by 10 % at each later
 *   refusal. Concurrency alone cannot meet a rate limit: one request at a time of 50 ms is
 *   still 20 requests per second.
 * A caller may also fix a least interval between requests (Requests per Minute).
 *
 * The state lives as long as the execution (found through its cancel signal, the one object
 * n8n hands every node of an execution); nothing is shared across executions.
 */
import type { NodeContext } from '../n8n/context';
import { wait } from '../n8n/wait';

/** Refusals among the recent answers that mean the key as a whole is limited. */
const RECENT_ANSWERS = 16;
const KEY_WIDE_REFUSALS = 3;
const KEY_WIDE_SHARE = 0.25;

const DECREASE = 0.7;
const PACE_DECREASE = 0.9;
const PACE_GROWTH_PER_SECOND = 0.03;

export interface PermitRequest {
	/** Largest number of this caller's requests in flight (the node's Concurrency). */
	ceiling: number;
	/** Least time between the starts of two requests (from Requests per Minute), in ms. */
	minIntervalMs: number;
	/** Order in line: a request retried after a refusal keeps its place. */
	ticket: number;
}

/** One request's right to be sent; report how the API answered, then release it. */
export interface Permit {
	/** The API took the request (any answer but a refusal). */
	accepted(): void;
	/** The API refused it for the rate (429, 503 overloaded); `retryDelayMs` if it said. */
	refused(retryDelayMs?: number): void;
	/** The request is over, however it ended; frees its place in flight. */
	release(): void;
}

interface Waiter {
	request: PermitRequest;
	wake: () => void;
}

export class RateLimiter {
	private inFlight = 0;

	/** Allowed in flight; Infinity until a ceiling or a refusal sets it. */
	private limit = Number.POSITIVE_INFINITY;

	private lastDecreaseAt = 0;

	/** Requests per second once a key-wide limit was seen; undefined = unpaced. */
	private rate: number | undefined;

	private nextStartAt = 0;

	private lastStartAt = Number.NEGATIVE_INFINITY;

	private heldUntil = 0;

	/** Start of the key's current window, as far as we can tell, and what it accepted since. */
	private windowStart = Date.now();

	private acceptedInWindow = 0;

	private acceptedSinceGrowth = 0;

	private lastGrowthAt = Date.now();

	/** The last answers, true for a refusal. */
	private readonly recent: boolean[] = [];

	private readonly waiting: Waiter[] = [];

	/** The largest ceiling a caller asked for; the in-flight limit grows back up to it. */
	private ceiling = 1;

	private tickets = 0;

	/** A place in line for a new request. */
	ticket(): number {
		return this.tickets++;
	}

	/** Waits for a permit: in ticket order, within the limit, the pace and any hold. */
	async acquire(request: PermitRequest, signal?: AbortSignal): Promise<Permit> {
		this.ceiling = Math.max(this.ceiling, request.ceiling);
		// In line until granted or stopped, so that the order holds across wake-ups.
		const waiter: Waiter = { request, wake: () => undefined };
		this.waiting.push(waiter);
		try {
			for (;;) {
				const delay = this.delayFor(request);
				if (delay === 0) return this.grant();
				await this.sleep(waiter, delay, signal);
			}
		} finally {
			this.waiting.splice(this.waiting.indexOf(waiter), 1);
			// Whoever waited behind this request looks again.
			this.wakeAll();
		}
	}

	/** 0 when `request` may start now; otherwise how long to wait (Infinity: until woken). */
	private delayFor(request: PermitRequest): number {
		if (this.waiting.some(({ request: other }) => other.ticket < request.ticket)) {
			return Number.POSITIVE_INFINITY;
		}
		if (this.inFlight >= Math.max(1, Math.floor(Math.min(this.limit, request.ceiling)))) {
			return Number.POSITIVE_INFINITY;
		}
		const now = Date.now();
		const startAt = Math.max(
			this.heldUntil,
			this.rate === undefined ? 0 : this.nextStartAt,
			this.lastStartAt + request.minIntervalMs,
		);
		return Math.max(0, startAt - now);
	}

	/** Sleeps `ms` (Infinity: until woken), or until woken, or throws when `signal` fires. */
	private async sleep(waiter: Waiter, ms: number, signal?: AbortSignal): Promise<void> {
		const woken = new AbortController();
		waiter.wake = () => woken.abort();
		const stop = () => woken.abort();
		signal?.addEventListener('abort', stop, { once: true });
		try {
			if (Number.isFinite(ms)) await wait(ms, woken.signal).catch(() => undefined);
			else
				await new Promise<void>((resolve) =>
					woken.signal.addEventListener('abort', () => resolve()),
				);
		} finally {
			signal?.removeEventListener('abort', stop);
		}
		signal?.throwIfAborted();
	}

	/** Wakes every waiter to look again (a place freed up, or the limits changed). */
	private wakeAll(): void {
		for (const waiter of [...this.waiting]) waiter.wake();
	}

	private grant(): Permit {
		const now = Date.now();
		this.inFlight++;
		this.lastStartAt = now;
		if (this.rate !== undefined)
			this.nextStartAt = Math.max(now, this.nextStartAt) + 1000 / this.rate;
		const startedAt = now;
		let answered = false;
		let released = false;
		return {
			accepted: () => {
				if (answered) return;
				answered = true;
				this.onAccepted(startedAt);
			},
			refused: (retryDelayMs) => {
				if (answered) return;
				answered = true;
				this.onRefused(startedAt, retryDelayMs);
			},
			release: () => {
				if (released) return;
				released = true;
				this.inFlight--;
				this.wakeAll();
			},
		};
	}

	private remember(refused: boolean): void {
		this.recent.push(refused);
		if (this.recent.length > RECENT_ANSWERS) this.recent.shift();
	}

	private onAccepted(startedAt: number): void {
		this.remember(false);
		if (startedAt >= this.windowStart) this.acceptedInWindow++;
		if (Number.isFinite(this.limit)) {
			this.limit += 1 / this.limit;
			// Back at the ceiling: the callers' own ceilings are the limit again.
			if (this.limit >= this.ceiling) this.limit = Number.POSITIVE_INFINITY;
		}
		if (this.rate !== undefined) {
			this.acceptedSinceGrowth++;
			const now = Date.now();
			const seconds = (now - this.lastGrowthAt) / 1000;
			if (seconds >= 1) {
				this.rate *= 1 + PACE_GROWTH_PER_SECOND * seconds;
				this.lastGrowthAt = now;
			}
		}
		this.wakeAll();
	}

	private onRefused(startedAt: number, retryDelayMs: number | undefined): void {
		this.remember(true);
		const now = Date.now();
		if (startedAt >= this.lastDecreaseAt) {
			const current = Number.isFinite(this.limit) ? this.limit : Math.max(1, this.inFlight);
			this.limit = Math.max(1, current * DECREASE);
			this.lastDecreaseAt = now;
		}
		const refusals = this.recent.filter(Boolean).length;
		const keyWide =
			refusals >= KEY_WIDE_REFUSALS && refusals / this.recent.length >= KEY_WIDE_SHARE;
		if (keyWide && retryDelayMs !== undefined) {
			const freesAt = now + retryDelayMs;
			if (freesAt > this.heldUntil) {
				const fitted = this.acceptedInWindow / Math.max(1, (freesAt - this.windowStart) / 1000);
				if (this.acceptedInWindow > 0) this.rate = Math.min(this.rate ?? fitted, fitted);
				this.heldUntil = freesAt;
				this.nextStartAt = freesAt;
				this.windowStart = freesAt;
				this.acceptedInWindow = 0;
				this.lastGrowthAt = freesAt;
				// The answers before the hold describe the old window.
				this.recent.length = 0;
			}
		} else if (this.rate !== undefined) {
			this.rate *= PACE_DECREASE;
		}
		this.wakeAll();
	}
}

const limiters = new WeakMap<AbortSignal, RateLimiter>();

/** The limiter of the execution `ctx` belongs to (a fresh one where n8n gives no signal). */
export function rateLimiterOf(ctx: NodeContext): RateLimiter {
	const execution = ctx.getExecutionCancelSignal?.();
	if (!execution) return new RateLimiter();
	let limiter = limiters.get(execution);
	if (!limiter) {
		limiter = new RateLimiter();
		limiters.set(execution, limiter);
	}
	return limiter;
}
