/**
 * A local stand-in for the Quickrouter API on 127.0.0.1: it checks the bearer token, records
 * every request, refuses a `streamGenerateContent` body the real API would refuse (with
 * Google's 400, see contract.ts), lists models, and answers the others with scripted SSE
 * bodies, written in chosen network pieces and at a chosen pace, or with error statuses.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { cacheRefusal } from './caches';
import { checkGenerateRequest } from './contract';
import { encodeSse, rpcError, textChunk } from './sse';

export interface RecordedRequest {
	/** When the request arrived (ms since the epoch). */
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/** The raw request body. */
	rawBody: string;
	/** The parsed JSON body, when it is JSON. */
	body?: unknown;
	/** The model in a `:streamGenerateContent` path. */
	model?: string;
}

export interface ScriptedReply {
	/** Think time: wait this long before sending anything, status line included. */
	waitMs?: number;
	status?: number;
	headers?: Record<string, string>;
	/** The body, sent as it is. */
	body?: string | Buffer;
	/** Bytes per network write; the whole body at once when absent. */
	split?: number;
	/** Written as these pieces instead, one per network write (e.g. one SSE event each). */
	pieces?: string[];
	/** Pause between writes, in ms. */
	delayMs?: number;
	/** Destroy the socket after this many body bytes (a reset mid-stream). */
	resetAfterBytes?: number;
	/** Destroy the socket before answering at all. */
	resetBeforeHeaders?: boolean;
	/** Send this much of the body, then go silent without closing. */
	stallAfterBytes?: number;
	/** Send the status and headers at once, before any body byte. */
	flushHeaders?: boolean;
}

export type ReplyScript = (request: RecordedRequest) => ScriptedReply;

/** A non-2xx answer with Google's error body (google.rpc.Status), as the API sends one. */
export function errorReply(
	code: number,
	status: string,
	message: string,
	options: { headers?: Record<string, string>; details?: unknown[] } = {},
): ScriptedReply {
	const { error } = rpcError(code, status, message);
	return {
		status: code,
		headers: { 'content-type': 'application/json; charset=UTF-8', ...options.headers },
		body: JSON.stringify({
			error: { ...error, ...(options.details ? { details: options.details } : {}) },
		}),
	};
}

export const STANDIN_TOKEN = 'qr-standin-token-7f3a9c';

/**
 * Model resources as `models.list` returns them: `name` ("models/{model}"), `displayName` and
 * `supportedGenerationMethods` are fields of Model (https://ai.google.dev/api/models#Model).
 */
export const STANDIN_MODELS = [
	{
		name: 'models/gemini-3-pro-preview',
		displayName: 'Gemini 3 Pro Preview',
		supportedGenerationMethods: ['generateContent', 'countTokens'],
	},
	{
		name: 'models/gemini-2.5-flash',
		displayName: 'Gemini 2.5 Flash',
		supportedGenerationMethods: ['generateContent', 'countTokens'],
	},
	{
		name: 'models/text-embedding-004',
		displayName: 'Text Embedding 004',
		supportedGenerationMethods: ['embedContent'],
	},
];

/** The user text of the last turn of a request body. */
export function lastUserText(body: unknown): string {
	const contents = (body as { contents?: Array<{ parts?: Array<{ text?: string }> }> })?.contents;
	const parts = contents?.[contents.length - 1]?.parts ?? [];
	return parts.map((part) => part.text ?? '').join('');
}

/**
 * The default answer: echoes the prompt back in three chunks, like a small real stream. Each
 * chunk carries the usageMetadata so far, as the recorded stream does
 * (test/fixtures/…thinking-reply-thought-summary.txt); the counts are illustrative.
 */
export const echoScript: ReplyScript = (request) => {
	const prompt = lastUserText(request.body);
	return {
		status: 200,
		headers: { 'content-type': 'text/event-stream' },
		body: encodeSse([
			textChunk('Echo: ', { usage: { promptTokenCount: 4, totalTokenCount: 4 } }),
			textChunk(prompt, {
				usage: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
			}),
			textChunk('.', {
				finishReason: 'STOP',
				usage: { promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7 },
			}),
		]),
	};
};

/** A request as the stand-in records it: its whole body read, JSON parsed where it is JSON. */
export async function readRequest(req: http.IncomingMessage): Promise<RecordedRequest> {
	const pieces: Buffer[] = [];
	for await (const piece of req) pieces.push(piece as Buffer);
	const rawBody = Buffer.concat(pieces).toString('utf8');
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	const model = /^\/v1beta\/models\/([^/:]+):streamGenerateContent$/.exec(url.pathname)?.[1];
	let body: unknown;
	try {
		body = rawBody ? JSON.parse(rawBody) : undefined;
	} catch {
		body = undefined;
	}
	return {
		at: Date.now(),
		method: req.method ?? '',
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		headers: req.headers,
		rawBody,
		body,
		model: model === undefined ? undefined : decodeURIComponent(model),
	};
}

export const UNAUTHENTICATED_MESSAGE =
	'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/**
 * One page of `models.list` (https://ai.google.dev/api/models#method:-models.list):
 * `pageSize` models at most ("default 50 … maximum value is 1000", larger values are coerced
 * to 1000), from the `pageToken` of the page before, with `nextPageToken` while more remain.
 * The token is opaque to clients; here it is the offset.
 */
function modelsPage(models: readonly object[], query: URLSearchParams) {
	const asked = Number(query.get('pageSize') ?? '') || 50;
	const size = Math.min(Math.max(1, asked), 1000);
	const from = Number(query.get('pageToken') ?? '0') || 0;
	const next = from + size;
	return {
		models: models.slice(from, next),
		...(next < models.length ? { nextPageToken: String(next) } : {}),
	};
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export class StandinServer {
	readonly requests: RecordedRequest[] = [];

	/** Sockets still open; a test can check every connection was closed. */
	readonly openSockets = new Set<Socket>();

	script: ReplyScript = echoScript;

	/** Replaces the model list's answer when set (e.g. a redirect, an echoing error page). */
	modelsScript?: ReplyScript;

	/** What `GET /v1beta/models` lists, page by page. */
	models: readonly object[] = STANDIN_MODELS;

	/**
	 * The context caches that exist, by name (`cachedContents/…`), each with the model it was
	 * made for; none by default. A request naming another is refused as Google does (caches.ts).
	 */
	readonly caches = new Map<string, string>();

	private readonly server = http.createServer((req, res) => {
		void this.handle(req, res);
	});

	private url = '';

	constructor(readonly token: string = STANDIN_TOKEN) {
		this.server.on('connection', (socket) => {
			this.openSockets.add(socket);
			socket.on('close', () => this.openSockets.delete(socket));
		});
	}

	get baseUrl(): string {
		return this.url;
	}

	async start(): Promise<string> {
		this.server.listen(0, '127.0.0.1');
		await once(this.server, 'listening');
		const { port } = this.server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		for (const socket of this.openSockets) socket.destroy();
		this.server.close();
		await once(this.server, 'close');
	}

	/** Waits until every connection is closed, at most `ms`; returns how many are still open. */
	async settled(ms: number): Promise<number> {
		const until = Date.now() + ms;
		while (this.openSockets.size > 0 && Date.now() < until) await sleep(5);
		return this.openSockets.size;
	}

	/** Requests to `streamGenerateContent`, in arrival order. */
	get generateRequests(): RecordedRequest[] {
		return this.requests.filter((request) => request.model !== undefined);
	}

	reset(script: ReplyScript = echoScript): void {
		this.requests.length = 0;
		this.script = script;
		this.modelsScript = undefined;
		this.models = STANDIN_MODELS;
		this.caches.clear();
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const recorded = await readRequest(req);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		this.requests.push(recorded);

		if (req.headers.authorization !== `Bearer ${this.token}`) {
			// Google's answer to a wrong `Authorization: Bearer` on generativelanguage.googleapis.com
			// [OBS] (Xposed-Modules-Repo/com.niki914.zafiro#9, cnpack/cnwizards#215). Quickrouter's
			// own page documents only the header ([UNVERIFIED] that it answers the same).
			return this.json(res, 401, rpcError(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE));
		}
		if (req.method === 'GET' && url.pathname === '/v1beta/models') {
			if (this.modelsScript) return await this.reply(req, res, this.modelsScript(recorded));
			return this.json(res, 200, modelsPage(this.models, url.searchParams));
		}
		if (req.method === 'POST' && recorded.model !== undefined) {
			// Like the API, refuse a request that breaks its documented contract (contract.ts).
			const violation = checkGenerateRequest(recorded.body, recorded.model);
			if (violation) return this.json(res, 400, { error: violation });
			// Then the cache it names must exist, for this model ([UNVERIFIED] that Google checks
			// the request's shape first: a cache and a system instruction are a 400 either way).
			const refused = cacheRefusal(recorded, this.caches);
			if (refused) return await this.reply(req, res, refused);
			return await this.reply(req, res, this.script(recorded));
		}
		// Not Google's wording (the stand-in's own, for paths it does not serve); nothing reads it.
		return this.json(
			res,
			404,
			rpcError(404, 'NOT_FOUND', `No route for ${req.method} ${url.pathname}`),
		);
	}

	private json(res: http.ServerResponse, status: number, value: unknown): void {
		res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
		res.end(JSON.stringify(value));
	}

	private async reply(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		reply: ScriptedReply,
	): Promise<void> {
		if (reply.waitMs) {
			await sleep(reply.waitMs);
			if (res.destroyed) return; // the client gave up meanwhile
		}
		if (reply.resetBeforeHeaders) {
			req.socket.destroy();
			return;
		}
		const body = Buffer.from(reply.pieces ? reply.pieces.join('') : (reply.body ?? ''));
		res.writeHead(reply.status ?? 200, reply.headers ?? { 'content-type': 'text/event-stream' });
		if (reply.flushHeaders) res.flushHeaders();
		const limit = reply.resetAfterBytes ?? reply.stallAfterBytes ?? body.length;
		const split = reply.split ?? body.length;
		const writes: Buffer[] = [];
		if (reply.pieces) for (const piece of reply.pieces) writes.push(Buffer.from(piece));
		else
			for (let offset = 0; offset < limit; offset += split || 1)
				writes.push(body.subarray(offset, Math.min(offset + (split || 1), limit)));
		for (const write of writes) {
			if (res.destroyed) return;
			res.write(write);
			if (reply.delayMs) await sleep(reply.delayMs);
		}
		if (reply.resetAfterBytes !== undefined) {
			req.socket.destroy();
			return;
		}
		if (reply.stallAfterBytes !== undefined) return; // silent until the client gives up
		res.end();
	}
}
