/**
 * The real-network section's stand-in (scripts/bench/network.ts), in a process of its own: the
 * API served over TLS with the committed test-only certificate (scripts/bench/tls/), behind one
 * local TCP proxy per round-trip time R that holds every chunk R/2 in each direction. Everything
 * listens on 127.0.0.1 only.
 *
 * The proxy also gives a new connection the cost of TCP's own handshake: on loopback the client's
 * `connect` completes at once, where over a path with round trip R its first byte could leave
 * only after the SYN / SYN-ACK exchange (R). So what a client sends on a new connection is held
 * until R after the proxy accepted it, plus R/2 (its first byte reaches the server at 1.5 R, as
 * on the real path); every later chunk, either way, takes R/2. TLS 1.3's handshake (one round
 * trip before the request can go) is real, and so pays R by itself. Order within a direction is
 * kept (one queue per direction), and an end (FIN) is delivered after the data before it.
 *
 * Answers: the model `short-<think ms>-<tokens>` answers after <think ms> with <tokens> tokens,
 * streamed (`:streamGenerateContent?alt=sse`) in events of TOKENS_PER_EVENT tokens every
 * EVENT_GAP_MS, or as one JSON body (`:generateContent`, as n8n's Google Gemini node asks) when
 * the last event would have gone. Transfer time = (events − 1) × EVENT_GAP_MS.
 *
 * Counting, per client: a client is the bearer token (`Authorization: Bearer <key>`) or the
 * `key` query parameter (Google's API key, as n8n's Gemini credential sends it) of the first
 * request on a connection. Each TCP connection the proxy accepts is one record; the TLS server
 * finds the record by the proxy's upstream port, marks its handshake (`secureConnection`, and
 * whether the TLS session was resumed) and gives it to the client of its first request. A
 * connection that never carries a request stays unattributed (counted in the totals).
 *
 * Prints one JSON line: `{ control, direct, proxies: { "<R>": "https://127.0.0.1:<port>" } }`.
 * `GET <control>/stats?client=<key>` answers that client's counts; `GET <control>/totals` all.
 * Arguments: the round-trip times in ms (`40 150`).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

import { encodeSse, textChunk } from '../../test/standin/sse';

export const TOKENS_PER_EVENT = 5;
export const EVENT_GAP_MS = 10;

const TLS_DIR = path.join(__dirname, 'tls');
export const TEST_CA_FILE = path.join(TLS_DIR, 'test-only-cert.pem');
const HOST = '127.0.0.1';

/** The model that answers `tokens` tokens after `thinkMs`. */
export const shortModel = (thinkMs: number, tokens: number) => `short-${thinkMs}-${tokens}`;

/** Time from the first answer byte to the last, for `tokens` tokens. */
export const transferMs = (tokens: number) =>
	(Math.ceil(tokens / TOKENS_PER_EVENT) - 1) * EVENT_GAP_MS;

export interface ClientStats {
	requests: number;
	/** TCP connections accepted by the proxy whose first request was this client's. */
	tcp: number;
	/** Of those, the ones with a completed TLS handshake, and how many resumed a session. */
	tls: number;
	resumed: number;
	/** The most of this client's requests the server held at once (received, not yet answered). */
	peakInFlight: number;
	inFlight: number;
	/** The first request's arrival and the last answer's end (Date.now, ms). */
	firstAt: number;
	lastAt: number;
}

export interface Totals {
	tcp: number;
	tls: number;
	/** Connections no request was seen on. */
	unattributed: number;
}

interface Connection {
	rttMs: number;
	secure: boolean;
	resumed: boolean;
	client?: string;
}

const connections: Connection[] = [];
/** The proxy's upstream sockets, by local port (what the TLS server sees as remotePort). */
const byUpstreamPort = new Map<number, Connection>();
const clients = new Map<string, ClientStats>();

/** Writes what one side sends to the other, each chunk `oneWayMs` later, in order. */
class DelayedPipe {
	private readonly queue: Array<{ due: number; chunk?: Buffer }> = [];

	private timer?: NodeJS.Timeout;

	constructor(
		private readonly to: net.Socket,
		private readonly oneWayMs: number,
		/** Nothing leaves before this time (performance.now): the modelled TCP handshake. */
		private readonly notBefore = 0,
	) {}

	/** A chunk, or the end of the stream when `chunk` is undefined. */
	push(chunk?: Buffer): void {
		this.queue.push({ due: Math.max(performance.now(), this.notBefore) + this.oneWayMs, chunk });
		this.schedule();
	}

	private schedule(): void {
		if (this.timer || this.queue.length === 0) return;
		const wait = Math.max(0, this.queue[0].due - performance.now());
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.flush();
		}, wait);
	}

	private flush(): void {
		// Timers have 1 ms steps: a chunk due within the next half millisecond goes now.
		const now = performance.now() + 0.5;
		while (this.queue.length > 0 && this.queue[0].due <= now) {
			const { chunk } = this.queue.shift() as { chunk?: Buffer };
			if (this.to.destroyed) continue;
			if (chunk) this.to.write(chunk);
			else this.to.end();
		}
		this.schedule();
	}
}

function startProxy(rttMs: number, target: number): Promise<number> {
	const proxy = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
		const record: Connection = { rttMs, secure: false, resumed: false };
		connections.push(record);
		const acceptedAt = performance.now();
		const upstream = net.connect({ host: HOST, port: target, allowHalfOpen: true, noDelay: true });
		upstream.once('connect', () => byUpstreamPort.set(upstream.localPort as number, record));
		const toServer = new DelayedPipe(upstream, rttMs / 2, acceptedAt + rttMs);
		const toClient = new DelayedPipe(client, rttMs / 2);
		client.on('data', (chunk: Buffer) => toServer.push(chunk));
		client.on('end', () => toServer.push());
		upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
		upstream.on('end', () => toClient.push());
		const drop = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', drop);
		upstream.on('error', drop);
		upstream.once('close', () => byUpstreamPort.delete(upstream.localPort as number));
	});
	return new Promise((resolve) =>
		proxy.listen(0, HOST, () => resolve((proxy.address() as AddressInfo).port)),
	);
}

const words = 'yes no maybe positive negative neutral spam ham billing support'.split(' ');

/** The answer's events: `tokens` one-word tokens, TOKENS_PER_EVENT to an event. */
function answerEvents(tokens: number): Array<Record<string, unknown>> {
	const events: Array<Record<string, unknown>> = [];
	for (let from = 0; from < tokens; from += TOKENS_PER_EVENT) {
		const count = Math.min(TOKENS_PER_EVENT, tokens - from);
		const text = Array.from({ length: count }, (_, index) => words[(from + index) % 10]).join(' ');
		const last = from + count >= tokens;
		events.push(
			textChunk(from === 0 ? text : ` ${text}`, {
				...(last
					? {
							finishReason: 'STOP',
							usage: {
								promptTokenCount: 8,
								candidatesTokenCount: tokens,
								totalTokenCount: tokens + 8,
							},
						}
					: {}),
			}),
		);
	}
	return events;
}

/** The whole answer in one body, as `generateContent` sends it. */
function wholeAnswer(events: Array<Record<string, unknown>>): Record<string, unknown> {
	const text = events
		.map(
			(event) =>
				(event as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> })
					.candidates[0].content.parts[0].text,
		)
		.join('');
	const last = events[events.length - 1];
	return { ...textChunk(text, { finishReason: 'STOP' }), usageMetadata: last.usageMetadata };
}

function clientOf(req: http.IncomingMessage, url: URL): string {
	const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
	return bearer ?? url.searchParams.get('key') ?? 'anonymous';
}

function statsOf(client: string): ClientStats {
	let stats = clients.get(client);
	if (!stats) {
		const now = Date.now();
		stats = {
			requests: 0,
			tcp: 0,
			tls: 0,
			resumed: 0,
			peakInFlight: 0,
			inFlight: 0,
			firstAt: now,
			lastAt: now,
		};
		clients.set(client, stats);
	}
	return stats;
}

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
	const url = new URL(req.url ?? '/', `https://${HOST}`);
	const route =
		/^\/v1beta\/models\/short-(\d+)-(\d+):(streamGenerateContent|generateContent)$/.exec(
			url.pathname,
		);
	const client = clientOf(req, url);
	const stats = statsOf(client);
	stats.requests++;
	const record = byUpstreamPort.get(req.socket.remotePort as number);
	if (record && record.client === undefined) {
		record.client = client;
		stats.tcp++;
		if (record.secure) stats.tls++;
		if (record.resumed) stats.resumed++;
	}
	req.resume();
	req.on('end', () => {
		if (!route || req.method !== 'POST') {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }));
			return;
		}
		const [thinkMs, tokens] = [Number(route[1]), Number(route[2])];
		const events = answerEvents(tokens);
		stats.peakInFlight = Math.max(stats.peakInFlight, ++stats.inFlight);
		res.once('close', () => {
			stats.inFlight--;
			stats.lastAt = Date.now();
		});
		if (route[3] === 'generateContent') {
			setTimeout(
				() => {
					res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
					res.end(JSON.stringify(wholeAnswer(events)));
				},
				thinkMs + transferMs(tokens),
			);
			return;
		}
		// One timer after the other: timers of different lengths set at once can fire out of order
		// when the event loop runs late, and an event would come after the stream's end.
		const send = (index: number) => {
			if (res.destroyed) return;
			res.write(encodeSse([events[index]]));
			if (index === events.length - 1) res.end();
			else setTimeout(() => send(index + 1), EVENT_GAP_MS);
		};
		setTimeout(() => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			send(0);
		}, thinkMs);
	});
}

async function main(): Promise<void> {
	const rtts = process.argv.slice(2).map(Number);
	if (rtts.length === 0 || rtts.some((rtt) => !(rtt >= 0)))
		throw new Error('network-server takes round-trip times in ms');
	const server = https.createServer(
		{
			key: readFileSync(path.join(TLS_DIR, 'test-only-key.pem')),
			cert: readFileSync(TEST_CA_FILE),
			noDelay: true,
		},
		answer,
	);
	// A keep-alive client's idle socket must outlive the gaps between its requests.
	server.keepAliveTimeout = 30_000;
	server.on('secureConnection', (socket: TLSSocket) => {
		const record = byUpstreamPort.get(socket.remotePort as number);
		if (!record) return;
		record.secure = true;
		record.resumed = socket.isSessionReused();
	});
	const port = await new Promise<number>((resolve) =>
		server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port)),
	);
	const proxies: Record<string, string> = {};
	for (const rtt of rtts) proxies[String(rtt)] = `https://${HOST}:${await startProxy(rtt, port)}`;

	const control = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', `http://${HOST}`);
		res.writeHead(200, { 'content-type': 'application/json' });
		if (url.pathname === '/totals') {
			const totals: Totals = {
				tcp: connections.length,
				tls: connections.filter((record) => record.secure).length,
				unattributed: connections.filter((record) => record.client === undefined).length,
			};
			res.end(JSON.stringify(totals));
		} else res.end(JSON.stringify(clients.get(url.searchParams.get('client') ?? '') ?? null));
	});
	const controlPort = await new Promise<number>((resolve) =>
		control.listen(0, HOST, () => resolve((control.address() as AddressInfo).port)),
	);
	console.log(
		JSON.stringify({
			control: `http://${HOST}:${controlPort}`,
			direct: `https://${HOST}:${port}`,
			proxies,
		}),
	);
	process.on('SIGTERM', () => process.exit(0));
}

if (require.main === module)
	void main().catch((error: Error) => {
		console.error(error);
		process.exit(1);
	});
