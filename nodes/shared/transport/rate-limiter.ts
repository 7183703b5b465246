/**
 * How fast one execution's requests go: every request of the execution, from either node,
 * asks this limiter for a permit before it is sent and reports whether the API accepted it.
 *
 * Two controls, because keys are limited two ways:
 * - **Requests in flight** (as TCP): the first 4 go at once, and each accepted answer lets one
 *   more go (slow start: twice as many each round trip) up to the caller's ceiling (the node's
 *   Concurrency), so a key that takes 5 requests a second does not get 32 at once. After the
 *   first refusal (429, or 503 overloaded), AIMD: a refusal multiplies the allowed number by
 *   0.7, at most once per round trip (only a request sent after the last decrease can decrease
 *   it again); each accepted request adds 1/limit, about one more per round trip. An isolated
 *   refusal costs a few requests' worth of throughput, not a pause of the run.
 * - **Pace** (a rate fitted from RetryInfo): when refusals are many (a key-wide limit: at least
 *   3 of the last 16 answers, and a quarter of them), new requests wait until the window frees
 *   up (the server's retry delay). The key's rate is what it admitted since our window began
 *   (requests started and not refused), over the time from then until the window frees up;
 *   it is counted when the hold ends, once the refusals of the last burst are in. Requests
 *   then go at 95 % of that rate, which grows by 1 % per second of acceptance (the limit may
 *   rise) and drops by 10 % at each later refusal. Concurrency alone cannot meet a rate limit:
 *   one request at a time of 50 ms is still 20 requests per second.
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

/** Requests in flight before any answer came back (TCP's initial window is of this size). */
const INITIAL_LIMIT = 4;
const DECREASE = 0.7;
/** The pace keeps below the fitted rate: a window filled exactly refuses on timer jitter. */
const PACE_MARGIN = 0.95;
const PACE_DECREASE = 0.9;
const PACE_GROWTH_PER_SECOND = 0.01;

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
	/** The API refused it for the rate (429, 503 overloaded); `retryDelayMs`: the wait before its retry (the API's, or the backoff). */
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

	/** Allowed in flight; Infinity once it reached the ceiling (the callers' own then rule). */
	private limit = INITIAL_LIMIT;

	/** Until the first refusal, every accepted answer adds a whole request in flight. */
	private slowStart = true;

	/** Permits granted so far, and how many there were at the last decrease. */
	private granted = 0;

	private grantedAtDecrease = 0;

	/** Requests per second once a key-wide limit was seen; undefined = unpaced. */
	private rate: number | undefined;

	private nextStartAt = 0;

	private lastStartAt = Number.NEGATIVE_INFINITY;

	private heldUntil = 0;

	/** Start of the key's current window, as far as we can tell, and our requests since. */
	private windowStart = Date.now();

	/** Requests started in the window and not refused (yet): what the key admitted. */
	private admittedInWindow = 0;

	/** A hold is on whose end fits the rate. */
	private fitDue = false;

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
		if (this.fitDue && now >= this.heldUntil) this.fitRate();
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
			await wait(ms, woken.signal).catch(() => undefined);
		} finally {
			signal?.removeEventListener('abort', stop);
		}
		signal?.throwIfAborted();
	}

	/** Wakes every waiter to look again (a place freed up, or the limits changed). */
	private wakeAll(): void {
		for (const waiter of [...this.waiting]) waiter.wake();
	}

	/** At the end of a hold: the window's admitted requests over its length is the key's rate. */
	private fitRate(): void {
		this.fitDue = false;
		const admitted = this.admittedInWindow;
		const seconds = Math.max(0.001, (this.heldUntil - this.windowStart) / 1000);
		// Nothing admitted (another workflow used the key up): nothing learnt about its rate.
		if (admitted > 0) this.rate = (PACE_MARGIN * admitted) / seconds;
		this.windowStart = this.heldUntil;
		this.admittedInWindow = 0;
		this.nextStartAt = this.heldUntil;
		this.lastGrowthAt = this.heldUntil;
	}

	private grant(): Permit {
		const now = Date.now();
		this.inFlight++;
		this.admittedInWindow++;
		this.lastStartAt = now;
		if (this.rate !== undefined)
			this.nextStartAt = Math.max(now, this.nextStartAt) + 1000 / this.rate;
		// Numbered, not timed: a burst's refusals often come back within its own millisecond.
		const number = ++this.granted;
		const windowStart = this.windowStart;
		let answered = false;
		let released = false;
		return {
			accepted: () => {
				if (answered) return;
				answered = true;
				this.onAccepted();
			},
			refused: (retryDelayMs) => {
				if (answered) return;
				answered = true;
				if (windowStart === this.windowStart) this.admittedInWindow--;
				this.onRefused(number, retryDelayMs);
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

	private onAccepted(): void {
		this.remember(false);
		if (Number.isFinite(this.limit)) {
			this.limit += this.slowStart ? 1 : 1 / this.limit;
			// Back at the ceiling: the callers' own ceilings are the limit again.
			if (this.limit >= this.ceiling) this.limit = Number.POSITIVE_INFINITY;
		}
		if (this.rate !== undefined) {
			const now = Date.now();
			const seconds = (now - this.lastGrowthAt) / 1000;
			if (seconds >= 1) {
				this.rate *= 1 + PACE_GROWTH_PER_SECOND * seconds;
				this.lastGrowthAt = now;
			}
		}
		this.wakeAll();
	}

	private onRefused(number: number, retryDelayMs: number | undefined): void {
		this.remember(true);
		this.slowStart = false;
		const now = Date.now();
		if (number > this.grantedAtDecrease) {
			const current = Math.min(this.limit, this.ceiling);
			this.limit = Math.max(1, current * DECREASE);
			this.grantedAtDecrease = this.granted;
		}
		const refusals = this.recent.filter(Boolean).length;
		const keyWide =
			refusals >= KEY_WIDE_REFUSALS && refusals / this.recent.length >= KEY_WIDE_SHARE;
		if (keyWide && retryDelayMs !== undefined) {
			const freesAt = now + retryDelayMs;
			if (freesAt > this.heldUntil) {
				this.heldUntil = freesAt;
				this.nextStartAt = freesAt;
				this.fitDue = true;
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
