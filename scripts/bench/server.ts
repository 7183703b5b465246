/**
 * The benchmark's stand-in API, in a process of its own so that serving never competes
 * with the reader being measured for the same event loop. The model name picks the answer:
 * `size-20` streams a 20 MB answer in ~3 kB events, `delay-50` answers after 50 ms,
 * `instant` answers at once. Prints its base URL on the first line of stdout.
 *
 * Rate-limit scenarios, built from the jest tests' own stand-in pieces (test/standin/rate-limit):
 * - `limit-10ps`: a key-wide quota of 10 request starts per sliding second; past it, Google's
 *   429 with RetryInfo; admitted requests answer after 50 ms. The key is the bearer token, so
 *   a run with a fresh token starts with a fresh quota.
 * - `isolated-429`: one row in 50 gets exactly one 429 (alternately a relay's `Retry-After: 1`
 *   or Google's RetryInfo 0.7 s), every other request answers after 50 ms. Rows are told
 *   apart by the number in the prompt ("row 17"); the state is per bearer token.
 * `GET /bench/stats?token=T` tells how many requests made with token T were served and refused,
 * and the most that were in flight at once (received, not yet answered).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	ANSWER_MS,
	DAILY_REQUESTS_QUOTA,
	Isolated429s,
	KeyWideLimit,
	quotaExceededReply,
} from '../../test/standin/rate-limit';
import { readRequest, type RecordedRequest, type ScriptedReply } from '../../test/standin/server';
import { encodeSse, textChunk } from '../../test/standin/sse';

export const EVENT_TEXT_CHARS = 3000;

const bodies = new Map<number, Buffer>();

/** A deterministic answer of `mb` megabytes of SSE, in events of ~3 kB of text. */
export function bigAnswer(mb: number): Buffer {
	let body = bodies.get(mb);
	if (!body) {
		const words =
			'the quick brown fox jumps over a lazy dog while streams of tokens flow by '.split(' ');
		const events: unknown[] = [];
		let size = 0;
		for (let index = 0; size < mb * 1024 * 1024; index++) {
			let text = '';
			while (text.length < EVENT_TEXT_CHARS)
				text += `${words[(index * 7 + text.length) % words.length]} `;
			const usage = {
				promptTokenCount: 5,
				candidatesTokenCount: index + 1,
				totalTokenCount: index + 6,
			};
			const event = textChunk(text, { usage });
			size += JSON.stringify(event).length + 8;
			events.push(event);
		}
		(
			events[events.length - 1] as { candidates: Array<{ finishReason?: string }> }
		).candidates[0].finishReason = 'STOP';
		body = Buffer.from(encodeSse(events));
		bodies.set(mb, body);
	}
	return body;
}

const small = Buffer.from(
	encodeSse([textChunk('Hello'), textChunk(' there', { finishReason: 'STOP' })]),
);

function write(res: http.ServerResponse, body: Buffer): void {
	res.writeHead(200, { 'content-type': 'text/event-stream' });
	// 64 kB writes, as a real server flushes a fast stream.
	for (let offset = 0; offset < body.length; offset += 65536)
		res.write(body.subarray(offset, offset + 65536));
	res.end();
}

interface Tally {
	served: number;
	refused: number;
	/** When the first request came and the last answer went, in ms (Date.now). */
	firstAt: number;
	lastAt: number;
	/** Requests received and not yet answered, and the most there ever were at once. */
	inFlight: number;
	peakInFlight: number;
}

/** The rate-limit scenarios' requests, by bearer token and model. */
const tallies = new Map<string, Tally>();

const tokenOf = (headers: http.IncomingHttpHeaders) =>
	String(headers.authorization ?? '').replace(/^Bearer /, '');

function tallyOf(token: string, model: string): Tally {
	const key = `${token} ${model}`;
	let tally = tallies.get(key);
	if (!tally) {
		const now = Date.now();
		tally = { served: 0, refused: 0, firstAt: now, lastAt: now, inFlight: 0, peakInFlight: 0 };
		tallies.set(key, tally);
	}
	return tally;
}
const limits = new Map<string, KeyWideLimit>();

/**
 * The limit of a model named `limit-<N>ps` (N per second), `rpm-<N>-<W>s` (N per sliding W s)
 * or `rpmfixed-<N>-<W>s` (N per W s fixed on the clock).
 */
function limitOf(model: string): KeyWideLimit | undefined {
	const perSecond = /^limit-(\d+)ps$/.exec(model);
	const perWindow = /^rpm(fixed)?-(\d+)-(\d+)s$/.exec(model);
	if (!perSecond && !perWindow) return undefined;
	let limit = limits.get(model);
	if (!limit) {
		limit = perSecond
			? new KeyWideLimit({ limit: Number(perSecond[1]), windowMs: 1000 })
			: new KeyWideLimit({
					limit: Number(perWindow?.[2]),
					windowMs: Number(perWindow?.[3]) * 1000,
					fixed: perWindow?.[1] !== undefined,
					// As Google sends a per-minute quota's 429: whole seconds, the message exact.
					wholeSeconds: true,
				});
		limits.set(model, limit);
	}
	return limit;
}

/** A daily quota of 20 already used up: Google's 429 naming it, with a wait of seconds. */
const dailySpent = () =>
	quotaExceededReply({
		quota: DAILY_REQUESTS_QUOTA,
		limit: 20,
		model: 'daily-spent',
		retryDelayMs: 38_000,
		wholeSeconds: true,
	});
const isolated = new Map<string, Isolated429s>();

/** The rate-limit scenarios' answer to one request: a 429, or the small answer after 50 ms. */
function scenarioReply(model: string, request: RecordedRequest): ScriptedReply {
	const token = tokenOf(request.headers);
	const tally = tallyOf(token, model);
	let refusal: ScriptedReply | undefined;
	const limit = limitOf(model);
	if (limit) refusal = limit.check(request);
	else if (model === 'daily-spent') refusal = dailySpent();
	else if (model === 'isolated-429') {
		let scenario = isolated.get(token);
		if (!scenario) isolated.set(token, (scenario = new Isolated429s()));
		refusal = scenario.check(request);
	}
	if (refusal) tally.refused++;
	else tally.served++;
	return refusal ?? { status: 200, body: small, waitMs: ANSWER_MS };
}

function send(res: http.ServerResponse, reply: ScriptedReply): void {
	res.writeHead(reply.status ?? 200, reply.headers ?? { 'content-type': 'text/event-stream' });
	res.end(reply.body);
}

const server = http.createServer((req, res) => {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	if (req.method === 'GET' && url.pathname === '/bench/stats') {
		res.writeHead(200, { 'content-type': 'application/json' });
		const key = `${url.searchParams.get('token') ?? ''} ${url.searchParams.get('model') ?? ''}`;
		res.end(JSON.stringify(tallies.get(key) ?? null));
		return;
	}
	const model = /\/models\/([^/:]+):streamGenerateContent/.exec(url.pathname)?.[1] ?? '';
	if (/^(limit-\d+ps|rpm(fixed)?-\d+-\d+s|daily-spent|isolated-429|counted)$/.test(model)) {
		const tally = tallyOf(tokenOf(req.headers), model);
		tally.peakInFlight = Math.max(tally.peakInFlight, ++tally.inFlight);
		res.once('close', () => {
			tally.inFlight--;
			tally.lastAt = Date.now();
		});
		void readRequest(req).then((request) => {
			const reply = scenarioReply(model, request);
			if (reply.waitMs) setTimeout(() => send(res, reply), reply.waitMs);
			else send(res, reply);
		});
		return;
	}
	req.resume();
	req.on('end', () => {
		const size = /^size-(\d+)$/.exec(model);
		const delay = /^delay-(\d+)$/.exec(model);
		if (size) write(res, bigAnswer(Number(size[1])));
		else if (delay) setTimeout(() => write(res, small), Number(delay[1]));
		else write(res, small);
	});
});

if (require.main === module) {
	server.keepAliveTimeout = 1000;
	server.listen(0, '127.0.0.1', () => {
		for (const mb of process.argv.slice(2).map(Number)) bigAnswer(mb);
		console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
	});
	process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
