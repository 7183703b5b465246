/**
 * The HTTP side: every request goes through n8n's own helper with the credential, so n8n's
 * proxy settings, cancellation and auth apply, and the token only ever travels in the
 * Authorization header that the credential adds.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { connectionError, httpStatusError } from './errors';
import type { GenerateContentRequest } from './types';

export const CREDENTIAL_TYPE = 'quickrouterApi';

export const DEFAULT_BASE_URL = 'https://api.quickrouter.ai';

/** Error bodies are read only this far: enough for any JSON error, bounded for HTML pages. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

interface StreamingResponse {
	body: AsyncIterable<Buffer> & { destroy(error?: Error): void };
	statusCode: number;
	statusMessage?: string;
}

export interface GenerateStreamRequest {
	itemIndex: number;
	model: string;
	body: GenerateContentRequest;
	/** Whole-request deadline in ms, from sending to the last byte. */
	timeout: number;
}

export class RequestTimeoutError extends Error {
	constructor(readonly timeout: number) {
		super(`The request took longer than the timeout of ${timeout} ms`);
		this.name = 'RequestTimeoutError';
	}
}

export function normalizeBaseUrl(value: unknown): string {
	const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '');
}

async function baseUrlOf(ctx: IExecuteFunctions | ILoadOptionsFunctions, itemIndex?: number) {
	const credentials = await ctx.getCredentials<{ baseUrl?: string }>(CREDENTIAL_TYPE, itemIndex);
	return normalizeBaseUrl(credentials.baseUrl);
}

async function readBounded(body: StreamingResponse['body']): Promise<string> {
	const pieces: Buffer[] = [];
	let size = 0;
	for await (const piece of body) {
		pieces.push(piece);
		size += piece.length;
		if (size >= MAX_ERROR_BODY_BYTES) {
			body.destroy();
			break;
		}
	}
	return Buffer.concat(pieces).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

/**
 * Ends the body with {@link RequestTimeoutError} when the deadline passes. n8n's own `timeout`
 * option only bounds silences on a stream, so the whole-request limit is enforced here;
 * counted from the start, it always fires before a silence of the same length would.
 */
function armDeadline(
	body: StreamingResponse['body'],
	timeout: number,
	startedAt: number,
): () => void {
	const disarm = new AbortController();
	sleep(Math.max(0, startedAt + timeout - Date.now()), disarm.signal).then(
		() => body.destroy(new RequestTimeoutError(timeout)),
		() => undefined, // disarmed: the request finished first
	);
	return () => disarm.abort();
}

/**
 * Sends `streamGenerateContent?alt=sse` and returns the response body as it streams in,
 * with `release` to call once reading ends. A non-2xx status becomes a NodeApiError with
 * Google's own message.
 */
export async function openGenerateStream(
	ctx: IExecuteFunctions,
	request: GenerateStreamRequest,
): Promise<{ body: AsyncIterable<Buffer>; release: () => void }> {
	const { itemIndex, model, body, timeout } = request;
	const baseUrl = await baseUrlOf(ctx, itemIndex);
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${baseUrl}/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent`,
		qs: { alt: 'sse' },
		headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json' },
		body,
		json: true,
		encoding: 'stream',
		returnFullResponse: true,
		// Without this, n8n replaces Google's JSON error body with a generic message.
		ignoreHttpStatusErrors: true,
		// Bounds the wait for headers and any silence on the stream; the deadline bounds the whole.
		timeout,
	};

	const startedAt = Date.now();
	let response: StreamingResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
		)) as StreamingResponse;
	} catch (error) {
		throw connectionError(ctx.getNode(), baseUrl, error, itemIndex, timeout);
	}

	if (response.statusCode < 200 || response.statusCode >= 300) {
		const text = await readBounded(response.body);
		throw httpStatusError(ctx.getNode(), response.statusCode, response.statusMessage, text, itemIndex);
	}
	const release = armDeadline(response.body, timeout, startedAt);
	return {
		body: response.body,
		release: () => {
			release();
			response.body.destroy();
		},
	};
}

export interface GeminiModel extends IDataObject {
	name: string;
	displayName?: string;
	description?: string;
	supportedGenerationMethods?: string[];
}

/** Bounds the page loop against a server that keeps handing out page tokens. */
const MAX_MODEL_PAGES = 20;

/** `GET /v1beta/models`, following page tokens. */
export async function listModels(ctx: ILoadOptionsFunctions): Promise<GeminiModel[]> {
	const baseUrl = await baseUrlOf(ctx);
	const models: GeminiModel[] = [];
	let pageToken: string | undefined;
	let pages = 0;
	do {
		const page = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
			method: 'GET',
			url: `${baseUrl}/v1beta/models`,
			qs: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) },
			json: true,
		})) as { models?: GeminiModel[]; nextPageToken?: string };
		models.push(...(page.models ?? []));
		pageToken = page.nextPageToken || undefined;
	} while (pageToken && ++pages < MAX_MODEL_PAGES);
	return models;
}
