/**
 * Rate limits for the stand-in, shared by the jest tests and `npm run bench`:
 *
 * - {@link KeyWideLimit}: an API key's request quota, wrapped around any {@link ReplyScript}.
 * - {@link Isolated429s}: a few chosen rows get exactly one 429 each, the rest answer normally.
 * - {@link quotaExceededReply} and {@link overloadedReply}: Google's own 429 and 503 answers.
 *
 * What Google really sends (collected in the project's research notes, "Rate limits and
 * overload"), each observed in a public report:
 * - The 429 body is a google.rpc.Status with RESOURCE_EXHAUSTED, the message "You exceeded your
 *   current quota, please check your plan and billing details. For more information on this
 *   error, head to: https://ai.google.dev/gemini-api/docs/rate-limits." and three details:
 *   google.rpc.QuotaFailure (which quota), google.rpc.Help (a link) and google.rpc.RetryInfo
 *   (`retryDelay`), e.g. https://github.com/RooCodeInc/Roo-Code/issues/3883 and
 *   https://github.com/google/langextract/issues/50 (a requests-per-minute quota,
 *   `generate_content_free_tier_requests`, `quotaValue` "10").
 * - Newer messages end with "Please retry in 53.016342224s." next to `"retryDelay": "53s"`
 *   (https://github.com/googleapis/python-genai/issues/1875); `retryDelay` can carry fractional
 *   seconds, e.g. "45.837906927s" (https://github.com/dcdpr/jp/pull/1061).
 * - Per-minute quotas (the recorded ones) answer with whole seconds in `retryDelay`: "26s"
 *   (Roo-Code#3883), "53s" (python-genai#1875), "47s" (python-genai#2044).
 *   {@link KeyWideLimit}'s `wholeSeconds` cuts its RetryInfo to whole seconds that way, the
 *   message keeping the exact delay, as in python-genai#1875 ("53s" next to "Please retry in
 *   53.016342224s.").
 * - Google's quotas count requests per minute, input tokens per minute and requests per day,
 *   per project and per model (https://ai.google.dev/gemini-api/docs/rate-limits;
 *   `quotaDimensions.model`). Tests scale the minute down to seconds so that runs take
 *   seconds; QuotaFailure keeps Google's quota name and its `quotaValue` is the per-window
 *   count ([UNVERIFIED] for windows shorter than a minute). Whether Google's windows slide or
 *   reset on the minute is not documented; the sliding log below is the stricter reading.
 * - Google sends no `Retry-After` header: "Gemini answers a 429 without a Retry-After header and
 *   reports how long to wait only in the response body, as a google.rpc.RetryInfo entry"
 *   (https://github.com/dcdpr/jp/pull/1061). Relays in front of Gemini often do add one.
 * - An overloaded model answers 503 UNAVAILABLE "The model is overloaded. Please try again
 *   later." (https://github.com/google-gemini/gemini-cli/issues/5191).
 *
 * Nothing here measures time against a deadline: every clock is injectable, so tests check
 * counts and bodies, never timings.
 */
import {
	echoScript,
	errorReply,
	lastUserText,
	type RecordedRequest,
	type ReplyScript,
	type ScriptedReply,
} from './server';

export const RATE_LIMITS_URL = 'https://ai.google.dev/gemini-api/docs/rate-limits';

export const QUOTA_MESSAGE = `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: ${RATE_LIMITS_URL}.`;

/** Google's requests-per-minute quota, as named in a real QuotaFailure (langextract#50). */
export const REQUESTS_QUOTA = {
	quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
	quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
};

/**
 * The requests-per-day quota: the same metric, told apart only by its id
 * (itcon-pty-au/stremio-ai-search#147, gemini-2.5-flash-lite, `quotaValue` "20", `retryDelay`
 * "37s"; voideditor/void#557, "25", "5s"). Its RetryInfo names seconds although the quota
 * resets at midnight Pacific time (https://ai.google.dev/gemini-api/docs/rate-limits).
 */
export const DAILY_REQUESTS_QUOTA = {
	quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
	quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
};

/**
 * The input-tokens-per-minute quota (google-gemini/gemini-cli-action#36, gemini-2.5-pro, and
 * RooCodeInc/Roo-Code#3883, gemini-2.5-flash: `quotaValue` "250000", `retryDelay` "26s").
 */
export const INPUT_TOKENS_QUOTA = {
	quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
	quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
};

export type QuotaName = typeof REQUESTS_QUOTA;

const TYPE = 'type.googleapis.com/google.rpc.';

/** A `google.protobuf.Duration` as JSON: seconds with a trailing `s`, here to the ms ("0.734s"). */
export function formatRetryDelay(ms: number): string {
	return `${(Math.max(0, Math.ceil(ms)) / 1000).toFixed(3)}s`;
}

export interface QuotaExceededOptions {
	/** Sent as RetryInfo `retryDelay` and in the message; no RetryInfo when absent. */
	retryDelayMs?: number;
	/** The quota's value in QuotaFailure (`quotaValue`, a string in Google's JSON). */
	limit?: number;
	/** The model named in QuotaFailure's `quotaDimensions`. */
	model?: string;
	/** Extra headers, e.g. a relay's `retry-after` (Google itself sends none). */
	headers?: Record<string, string>;
	/** Which quota ran out; requests per minute by default. */
	quota?: QuotaName;
	/**
	 * `retryDelay` cut to whole seconds while the message keeps the exact delay, as Google
	 * sends them today ("Please retry in 42.87350591s." next to "42s": python-genai#1875).
	 */
	wholeSeconds?: boolean;
}

/** Google's real 429: RESOURCE_EXHAUSTED with QuotaFailure, Help and (optionally) RetryInfo. */
export function quotaExceededReply(options: QuotaExceededOptions = {}): ScriptedReply {
	const delay =
		options.retryDelayMs === undefined ? undefined : formatRetryDelay(options.retryDelayMs);
	const retryDelay =
		delay && options.wholeSeconds ? `${Math.floor((options.retryDelayMs ?? 0) / 1000)}s` : delay;
	const details: unknown[] = [
		{
			'@type': `${TYPE}QuotaFailure`,
			violations: [
				{
					...(options.quota ?? REQUESTS_QUOTA),
					quotaDimensions: { location: 'global', model: options.model ?? 'gemini-2.5-flash' },
					quotaValue: String(options.limit ?? 10),
				},
			],
		},
		{
			'@type': `${TYPE}Help`,
			links: [{ description: 'Learn more about Gemini API quotas', url: RATE_LIMITS_URL }],
		},
	];
	if (delay) details.push({ '@type': `${TYPE}RetryInfo`, retryDelay });
	const message = delay ? `${QUOTA_MESSAGE} Please retry in ${delay}.` : QUOTA_MESSAGE;
	return errorReply(429, 'RESOURCE_EXHAUSTED', message, { details, headers: options.headers });
}

/** Google's 503 for an overloaded model (no details, no Retry-After). */
export function overloadedReply(): ScriptedReply {
	return errorReply(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
}

/** The API key a request is made with: the bearer token, Google's header or `?key=`. */
export function apiKeyOf(request: Pick<RecordedRequest, 'headers' | 'query'>): string {
	const header = request.headers.authorization ?? request.headers['x-goog-api-key'];
	return String(header ?? request.query.key ?? '');
}

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

/**
 * At most `limit` request starts in any `windowMs` (a sliding window, kept as the log of the
 * admitted starts), per key.
 *
 * Why sliding rather than fixed: a fixed window lets 2 × limit requests through around a
 * window's edge (limit at its end, limit again at the next one's start), so a client that
 * bursts there would look better than the quota allows; the sliding log never admits more
 * than `limit` in any window, which is the stricter reading of "N per second".
 *
 * Only admitted starts count: a refused request does not use up quota (an assumption, as
 * Google does not say; it keeps the limiter's capacity exactly `limit` per window however
 * hard a client retries).
 *
 * The delay it asks for says when the window frees up: a refused request at `now` is told
 * `oldest + windowMs - now`, where `oldest` is the earliest admitted start still in the window;
 * at that moment that start leaves the window (a start `t` counts while `t > now - windowMs`)
 * and one slot opens. It is a truthful hint, not a reservation: every request refused before
 * then hears the same moment, and only as many of them as slots opened get in.
 */
export class SlidingWindowLimit {
	private readonly starts = new Map<string, Array<{ at: number; cost: number }>>();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {
		if (!(limit >= 1) || !(windowMs > 0)) throw new Error('limit ≥ 1 and windowMs > 0 needed');
	}

	/** Admits a start of `cost` (1 for a request; its input tokens for a tokens quota). */
	admit(key: string, now: number, cost = 1): Admission {
		let log = this.starts.get(key);
		if (!log) this.starts.set(key, (log = []));
		while (log.length > 0 && log[0].at <= now - this.windowMs) log.shift();
		const used = log.reduce((sum, entry) => sum + entry.cost, 0);
		if (used + cost <= this.limit) {
			log.push({ at: now, cost });
			return { admitted: true };
		}
		// When enough of the window's oldest starts have left it for this one to fit.
		let freed = this.limit - used;
		for (const entry of log) {
			freed += entry.cost;
			if (freed >= cost) return { admitted: false, retryAfterMs: entry.at + this.windowMs - now };
		}
		return { admitted: false, retryAfterMs: this.windowMs };
	}
}

/**
 * At most `limit` (in cost) per fixed window: windows start at multiples of `windowMs` on the
 * clock, and a refused request is told the time to the next one. Google does not document
 * whether its per-minute windows slide or are fixed; the one statement found, a forum reply
 * not confirmed as Google's, says "Minute rate limits reset every minute at second 00"
 * (https://discuss.ai.google.dev/t/api-rate-limit-reset/6851). A client must cope with both.
 */
export class FixedWindowLimit {
	private readonly used = new Map<string, { window: number; cost: number }>();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {
		if (!(limit >= 1) || !(windowMs > 0)) throw new Error('limit ≥ 1 and windowMs > 0 needed');
	}

	admit(key: string, now: number, cost = 1): Admission {
		const window = Math.floor(now / this.windowMs);
		let entry = this.used.get(key);
		if (!entry || entry.window !== window) this.used.set(key, (entry = { window, cost: 0 }));
		if (entry.cost + cost <= this.limit) {
			entry.cost += cost;
			return { admitted: true };
		}
		return { admitted: false, retryAfterMs: (window + 1) * this.windowMs - now };
	}
}

export interface Tally {
	/** Requests answered by the wrapped script. */
	served: number;
	/** Requests answered with a 429. */
	refused: number;
}

export interface KeyWideLimitOptions {
	/** Request starts (or, with `costOf`, input tokens) allowed per window, per key and model. */
	limit: number;
	windowMs: number;
	/** The clock, in ms; `Date.now` unless a test brings its own. */
	now?: () => number;
	/**
	 * Which quota a request counts against: by default its API key ({@link apiKeyOf}) and its
	 * model, as Gemini counts quotas "per project" and per model (`quotaDimensions.model`;
	 * https://ai.google.dev/gemini-api/docs/rate-limits).
	 */
	keyOf?: (request: RecordedRequest) => string;
	/** `retryDelay` cut to whole seconds, the message keeping the exact delay ({@link quotaExceededReply}). */
	wholeSeconds?: boolean;
	/** The quota named in QuotaFailure; requests per minute by default. */
	quota?: QuotaName;
	/** Windows fixed on the clock ({@link FixedWindowLimit}) instead of a sliding one. */
	fixed?: boolean;
	/** What one request costs of the quota: 1, or its input tokens ({@link inputTokensOf}). */
	costOf?: (request: RecordedRequest) => number;
	/**
	 * The wait the 429 names, whatever the window: a used-up daily quota names seconds (5 s to
	 * 57 s recorded for one exhausted quota, and 37 s, 41 s, 42 s elsewhere).
	 */
	statedDelayMs?: number;
}

/**
 * A request's input tokens as the stand-in counts them: a quarter of its body's characters
 * (Google's rule of thumb, "a token is about 4 characters",
 * https://ai.google.dev/gemini-api/docs/tokens; the real tokenizer is not modelled).
 */
export function inputTokensOf(request: RecordedRequest): number {
	return Math.max(1, Math.ceil(request.rawBody.length / 4));
}

const keyAndModelOf = (request: RecordedRequest) => `${apiKeyOf(request)} ${request.model ?? ''}`;

/**
 * An API key's request quota around any script: past `limit` starts in `windowMs`, Google's
 * 429 (RESOURCE_EXHAUSTED, QuotaFailure, Help, RetryInfo saying when the window frees up, no
 * Retry-After header); otherwise the wrapped script answers. Counts both, in all and per key.
 */
export class KeyWideLimit implements Tally {
	served = 0;

	refused = 0;

	readonly byKey = new Map<string, Tally>();

	readonly window: SlidingWindowLimit | FixedWindowLimit;

	private readonly now: () => number;

	private readonly keyOf: (request: RecordedRequest) => string;

	constructor(readonly options: KeyWideLimitOptions) {
		this.window = options.fixed
			? new FixedWindowLimit(options.limit, options.windowMs)
			: new SlidingWindowLimit(options.limit, options.windowMs);
		this.now = options.now ?? Date.now;
		this.keyOf = options.keyOf ?? keyAndModelOf;
	}

	/** The 429 to send for this request, or undefined when it is admitted (and counted as such). */
	check(request: RecordedRequest): ScriptedReply | undefined {
		const key = this.keyOf(request);
		const admission = this.window.admit(key, this.now(), this.options.costOf?.(request) ?? 1);
		let tally = this.byKey.get(key);
		if (!tally) this.byKey.set(key, (tally = { served: 0, refused: 0 }));
		if (admission.admitted) {
			this.served++;
			tally.served++;
			return undefined;
		}
		this.refused++;
		tally.refused++;
		return quotaExceededReply({
			retryDelayMs: this.options.statedDelayMs ?? admission.retryAfterMs,
			wholeSeconds: this.options.wholeSeconds,
			limit: this.options.limit,
			model: request.model,
			quota: this.options.quota,
		});
	}

	wrap(inner: ReplyScript): ReplyScript {
		return (request) => this.check(request) ?? inner(request);
	}
}

export type RefusalKind = 'retryAfter' | 'retryInfo';

/** A small deterministic PRNG (mulberry32), so the chosen rows are the same on every run. */
function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface IsolatedChoice {
	/** One row in each block of this many consecutive rows is refused once (50: 2 %). */
	every?: number;
	seed?: number;
}

/**
 * Whether row `row` (0-based) gets its one 429, and which kind: one row per block of `every`
 * rows, at an offset drawn for that block from the seeded PRNG; blocks alternate between a
 * relay's `Retry-After` header (even blocks) and Google's RetryInfo (odd blocks). So exactly
 * `every`-th of the rows of whole blocks are refused, spread out, never two in a row, and a
 * row's fate does not depend on how many rows there are.
 */
export function isolatedRefusal(row: number, choice: IsolatedChoice = {}): RefusalKind | undefined {
	const every = choice.every ?? 50;
	if (!Number.isInteger(row) || row < 0) return undefined;
	const block = Math.floor(row / every);
	const offset = Math.floor(seeded((choice.seed ?? 1) * 1_000_003 + block)() * every);
	if (row % every !== offset) return undefined;
	return block % 2 === 0 ? 'retryAfter' : 'retryInfo';
}

/** The rows among the first `rows` that get a 429, with the kind each gets. */
export function isolatedRows(rows: number, choice: IsolatedChoice = {}): Map<number, RefusalKind> {
	const chosen = new Map<number, RefusalKind>();
	for (let row = 0; row < rows; row++) {
		const kind = isolatedRefusal(row, choice);
		if (kind) chosen.set(row, kind);
	}
	return chosen;
}

export interface Isolated429Options extends IsolatedChoice {
	/** The row a request is for; by default the last number in its last user text ("row 17"). */
	rowOf?: (request: RecordedRequest) => number | undefined;
	/** The normal answer; by default {@link echoScript} after {@link ANSWER_MS}. */
	answer?: ReplyScript;
	/** The relay's `Retry-After` header, in seconds. */
	retryAfterSeconds?: number;
	/** Google's RetryInfo `retryDelay`, in ms. */
	retryInfoMs?: number;
}

export const ANSWER_MS = 50;

export const RETRY_AFTER_SECONDS = 1;

export const RETRY_INFO_MS = 700;

export function trailingNumber(request: RecordedRequest): number | undefined {
	const match = /(\d+)\D*$/.exec(lastUserText(request.body));
	return match ? Number(match[1]) : undefined;
}

/**
 * Isolated 429s: the rows {@link isolatedRefusal} picks get exactly one 429 each, at once,
 * half with a relay's `Retry-After: 1` header (and Google's body without RetryInfo), half with
 * Google's RetryInfo "0.700s" (and no header); every other request, and the chosen rows' next
 * ones, get the normal answer. Counts served and refused, and which rows were refused how.
 */
export class Isolated429s implements Tally {
	served = 0;

	refused = 0;

	readonly refusedRows = new Map<number, RefusalKind>();

	constructor(readonly options: Isolated429Options = {}) {}

	/** The 429 this request gets, or undefined when it gets the normal answer (counted). */
	check(request: RecordedRequest): ScriptedReply | undefined {
		const row = (this.options.rowOf ?? trailingNumber)(request);
		const kind = row === undefined ? undefined : isolatedRefusal(row, this.options);
		if (row === undefined || !kind || this.refusedRows.has(row)) {
			this.served++;
			return undefined;
		}
		this.refused++;
		this.refusedRows.set(row, kind);
		const seconds = this.options.retryAfterSeconds ?? RETRY_AFTER_SECONDS;
		return kind === 'retryAfter'
			? quotaExceededReply({ model: request.model, headers: { 'retry-after': String(seconds) } })
			: quotaExceededReply({
					model: request.model,
					retryDelayMs: this.options.retryInfoMs ?? RETRY_INFO_MS,
				});
	}

	get script(): ReplyScript {
		const answer = this.options.answer ?? delayed(echoScript, ANSWER_MS);
		return (request) => this.check(request) ?? answer(request);
	}
}

/** The script's answers, each sent after `ms` of think time. */
export function delayed(script: ReplyScript, ms: number): ReplyScript {
	return (request) => ({ ...script(request), waitMs: ms });
}

/**
 * The least time the isolated-429 run can take: each row's own unavoidable time (its answer,
 * plus for a refused row the wait it was asked for and a second answer; the 429 itself is
 * instant) summed and spread over the concurrency, and never less than the slowest row.
 */
export function isolatedIdealMs(
	rows: number,
	concurrency: number,
	options: Isolated429Options & { answerMs?: number } = {},
): number {
	const answer = options.answerMs ?? ANSWER_MS;
	const waits: Record<RefusalKind, number> = {
		retryAfter: (options.retryAfterSeconds ?? RETRY_AFTER_SECONDS) * 1000,
		retryInfo: options.retryInfoMs ?? RETRY_INFO_MS,
	};
	let sum = 0;
	let slowest = 0;
	for (let row = 0; row < rows; row++) {
		const kind = isolatedRefusal(row, options);
		const own = answer + (kind ? waits[kind] : 0);
		sum += own;
		slowest = Math.max(slowest, own);
	}
	return Math.max(sum / concurrency, slowest);
}
