/**
 * How fast the requests for one model on one key go. Every request asks its limiter for a
 * permit before it is sent and reports how the API answered; one limiter serves every node,
 * sub-node and execution that calls that model with that key (rate-limits.ts finds it).
 *
 * Gemini's quotas are per project and per model, counted per minute (requests, input tokens)
 * and per day (https://ai.google.dev/gemini-api/docs/rate-limits); a 429 names the quota
 * (QuotaFailure: id, value) and says when to come back (RetryInfo, whole seconds). Three
 * controls follow from that, each borrowed from a method made for an unknown, shared capacity:
 *
 * - **Requests in flight**, as TCP's congestion window (RFC 5681): the first 4 go at once and
 *   each accepted answer lets one more go (slow start), up to the caller's ceiling (the node's
 *   Concurrency). After the first refusal (429, or 503 overloaded), AIMD: a refusal multiplies
 *   the allowed number by 0.7, at most once per round trip (only a request sent after the last
 *   decrease can decrease it again); each accepted request adds 1/limit.
 * - **Pace**, fitted from what the key admitted in the window the server counts in. When
 *   refusals are many (at least 3 of the last 16 answers, and a quarter of them: the key as a
 *   whole is limited), new requests wait until the window frees up (the server's retry delay).
 *   A sliding window of W that holds L starts frees its first slot at oldest-start + W, so
 *   W = (refusal + retry delay) − (oldest admitted start still in it), and the pace is L / W.
 *   With the quota's size L from QuotaFailure and at least L of our own starts since the key
 *   was last idle, the oldest one in the window is the L-th last: the fit is exact and the pace
 *   stays at 95 % of it (no probing: a per-minute window would answer a probe with refusals for
 *   a whole minute). Otherwise (no quota size, or fewer of our starts than the quota: a relay's
 *   limit, or another client on the key), all our starts since the key was last idle are
 *   counted, and the pace probes upward as slow start does: ×1.5 for each fitted window passed
 *   without refusal, back to the last pace that held at the next refusal, which ends probing.
 *   Time the caller spent idle never enters a fit: a busy period starts anew after
 *   {@link IDLE_GAP_MS} with nothing in flight or waiting, so a bursty caller (n8n's chains send
 *   5 requests at once, then 5 more) or one that ran other nodes first is paced at the key's
 *   rate, not at its own past average.
 * - **Used up**: a quota counted per day, or a wait longer than the caller allows, is not waited
 *   out. The limiter remembers the refusal ({@link Exhaustion}) until the quota may be back, and
 *   every request for the model fails at once with it, sending nothing.
 * A caller may also fix a least interval between requests (Requests per Minute).
 */
import { wait } from '../runtime/wait';
import type { Failure } from './failures';
import type { UsedUp } from './retry-policy';

/** Refusals among the recent answers that mean the key as a whole is limited. */
const RECENT_ANSWERS = 16;
const KEY_WIDE_REFUSALS = 3;
const KEY_WIDE_SHARE = 0.25;

/** Requests in flight before any answer came back (TCP's initial window is of this size). */
const INITIAL_LIMIT = 4;
const DECREASE = 0.7;
/** The pace keeps below the fitted rate: a window filled exactly refuses on timer jitter. */
const PACE_MARGIN = 0.95;
/** An isolated refusal under a fitted pace. */
const PACE_DECREASE = 0.9;
/** Growth of an inexact pace for each fitted window passed without a refusal. */
const PROBE_GROWTH = 1.5;
/** Nothing in flight or waiting for this long: the key's window is ours to count anew. */
const IDLE_GAP_MS = 5000;
/** Admitted starts remembered for fitting; a quota larger than this is fitted inexactly. */
const MAX_STARTS = 4096;

export interface PermitRequest {
	/** Largest number of this caller's requests in flight (the node's Concurrency). */
	ceiling: number;
	/** Least time between the starts of two requests (from Requests per Minute), in ms. */
	minIntervalMs: number;
	/** Order in line: a request retried after a refusal keeps its place. */
	ticket: number;
	/** Longest wait this caller accepts (Max Retry Delay), in ms; a longer one fails it. */
	maxWaitMs?: number;
}

/** What the API said of a refusal, as far as the pace can use it. */
export interface Refusal {
	/** The wait before its retry (the API's, or the backoff), in ms. */
	retryDelayMs?: number;
	/** The size of the requests quota that refused it (QuotaFailure's quotaValue). */
	quotaRequests?: number;
}

/**
 * A refusal not to be waited out: a quota counted per day (every request fails with it until
 * `until`), or a wait longer than the caller accepts (a caller that accepts it waits).
 */
export interface Exhaustion {
	/** When the quota may be back, in ms since the epoch. */
	until: number;
	usedUp: UsedUp;
	/** The refusal as it came, to tell each later request's caller the same. */
	failure: Failure;
	/** What the error says beyond the API's message. */
	note?: string;
}

/** One request's right to be sent; report how the API answered, then release it. */
export interface Permit {
	/** The API took the request (any answer but a refusal). */
	accepted(): void;
	/** The API refused it for the rate (429, 503 overloaded). */
	refused(refusal?: Refusal): void;
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

	/** Probing an inexact pace: the window it was fitted on, and the last pace that held. */
	private probe: { windowMs: number; since: number; heldRate: number } | undefined;

	private nextStartAt = 0;

	private lastStartAt = Number.NEGATIVE_INFINITY;

	private heldUntil = 0;

	/** A hold is on whose end fits the rate: the refusal's time and the quota's size. */
	private fitDue: { quotaRequests?: number } | undefined;

	/** Start times of the admitted requests of the current busy period, oldest first. */
	private readonly starts: number[] = [];

	/** When the last request ended (or started): a long quiet gap ends the busy period. */
	private lastActiveAt = Date.now();

	private exhaustion: Exhaustion | undefined;

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

	/** Nothing in flight, nobody waiting, no quota used up: the limiter may be forgotten. */
	isIdle(now = Date.now()): boolean {
		return (
			this.inFlight === 0 &&
			this.waiting.length === 0 &&
			(this.exhaustion === undefined || this.exhaustion.until <= now)
		);
	}

	/** When it was last used, in ms since the epoch. */
	get lastUsedAt(): number {
		return this.lastActiveAt;
	}

	/** Every request fails with `exhaustion` until its time (the later one wins). */
	exhaust(exhaustion: Exhaustion): void {
		if (!this.exhaustion || exhaustion.until >= this.exhaustion.until) {
			this.exhaustion = exhaustion;
		}
		this.wakeAll();
	}

	/**
	 * Waits for a permit: in ticket order, within the limit, the pace and any hold. While the
	 * model's quota is used up (for this caller), resolves to that instead: nothing may be sent.
	 */
	async acquire(
		request: PermitRequest,
		signal?: AbortSignal,
	): Promise<Permit | { exhausted: Exhaustion }> {
		this.ceiling = Math.max(this.ceiling, request.ceiling);
		// In line until granted or stopped, so that the order holds across wake-ups.
		const waiter: Waiter = { request, wake: () => undefined };
		this.waiting.push(waiter);
		try {
			for (;;) {
				const exhausted = this.exhaustionFor(request);
				if (exhausted) return { exhausted };
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

	/** The used-up quota that fails `request`: a daily one, or a wait longer than it accepts. */
	private exhaustionFor(request: PermitRequest): Exhaustion | undefined {
		const exhaustion = this.exhaustion;
		if (!exhaustion) return undefined;
		const left = exhaustion.until - Date.now();
		if (left <= 0) this.exhaustion = undefined;
		else if (exhaustion.usedUp.daily || left > (request.maxWaitMs ?? Number.POSITIVE_INFINITY)) {
			return exhaustion;
		}
		return undefined;
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
		if (this.fitDue && now >= this.heldUntil) this.fitRate(this.fitDue);
		const startAt = Math.max(
			this.heldUntil,
			this.exhaustion?.until ?? 0,
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

	/**
	 * At the end of a hold (the window's first slot free): the window's length is the time from
	 * its oldest admitted start to now, and the pace is its starts over that length.
	 */
	private fitRate({ quotaRequests }: { quotaRequests?: number }): void {
		this.fitDue = undefined;
		const freedAt = this.heldUntil;
		const count = this.starts.length;
		// Nothing admitted (another workflow used the key up): nothing learnt about its rate.
		if (count > 0) {
			const exact = quotaRequests !== undefined && count >= quotaRequests;
			const inWindow = exact ? quotaRequests : count;
			const oldest = this.starts[count - inWindow];
			const windowMs = Math.max(1, freedAt - oldest);
			this.rate = (PACE_MARGIN * inWindow * 1000) / windowMs;
			this.probe = exact ? undefined : { windowMs, since: freedAt, heldRate: this.rate };
		}
		this.nextStartAt = freedAt;
	}

	/** A new busy period: the key's window holds none of ours from before the quiet gap. */
	private noteActivity(now: number): void {
		if (this.inFlight === 0 && now - this.lastActiveAt > IDLE_GAP_MS) this.starts.length = 0;
		this.lastActiveAt = now;
	}

	private grant(): Permit {
		const now = Date.now();
		// The one asking is still in line: the key was quiet if nobody else is in flight.
		this.noteActivity(now);
		this.inFlight++;
		this.starts.push(now);
		if (this.starts.length > MAX_STARTS) this.starts.shift();
		this.lastStartAt = now;
		if (this.rate !== undefined)
			this.nextStartAt = Math.max(now, this.nextStartAt) + 1000 / this.rate;
		// Numbered, not timed: a burst's refusals often come back within its own millisecond.
		const number = ++this.granted;
		let answered = false;
		let released = false;
		return {
			accepted: () => {
				if (answered) return;
				answered = true;
				this.onAccepted();
			},
			refused: (refusal = {}) => {
				if (answered) return;
				answered = true;
				this.forgetStart(now);
				this.onRefused(number, refusal);
			},
			release: () => {
				if (released) return;
				released = true;
				this.inFlight--;
				this.lastActiveAt = Date.now();
				this.wakeAll();
			},
		};
	}

	/** A refused request was not admitted: its start leaves the log (the latest at that time). */
	private forgetStart(startedAt: number): void {
		const index = this.starts.lastIndexOf(startedAt);
		if (index >= 0) this.starts.splice(index, 1);
	}

	/**
	 * Whether our own starts of the last minute just filled the requests quota the refusal
	 * names: then the key is limited as a whole, and holding at once spares the requests that
	 * would take the refused ones' places. Far more starts than the quota (a quota counted in a
	 * shorter window, or a refusal of something else) are no such evidence.
	 */
	private filledQuota(now: number, quotaRequests: number | undefined): boolean {
		if (quotaRequests === undefined) return false;
		let lastMinute = 0;
		for (let index = this.starts.length - 1; index >= 0; index--) {
			if (this.starts[index] <= now - 60_000) break;
			lastMinute++;
		}
		return lastMinute >= quotaRequests && lastMinute <= 2 * quotaRequests;
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
		const now = Date.now();
		if (this.rate !== undefined && this.probe && now - this.probe.since >= this.probe.windowMs) {
			// A whole window passed without refusal at this pace: it holds; try a larger one.
			this.probe = { ...this.probe, since: now, heldRate: this.rate };
			this.rate *= PROBE_GROWTH;
		}
		this.wakeAll();
	}

	private onRefused(number: number, { retryDelayMs, quotaRequests }: Refusal): void {
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
			(refusals >= KEY_WIDE_REFUSALS && refusals / this.recent.length >= KEY_WIDE_SHARE) ||
			this.filledQuota(now, quotaRequests);
		if (keyWide && retryDelayMs !== undefined) {
			const freesAt = now + retryDelayMs;
			if (freesAt > this.heldUntil) {
				this.heldUntil = freesAt;
				this.nextStartAt = freesAt;
				this.fitDue = { quotaRequests };
				this.probe = undefined;
				// The answers before the hold describe the old window.
				this.recent.length = 0;
			}
		} else if (this.probe && this.rate !== undefined) {
			// The probe went past the key's rate: back to the last pace that held, and stay.
			this.rate = Math.min(this.rate * PACE_DECREASE, this.probe.heldRate);
			this.probe = undefined;
		} else if (this.rate !== undefined) {
			this.rate *= PACE_DECREASE;
		}
		this.wakeAll();
	}
}
