/**
 * The model list: `GET /v1beta/models`, page by page, under a deadline, redirects reported
 * rather than followed, and error bodies read as Google's errors.
 */
import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isPlainObject } from '../gemini/json';
import { snippet } from '../gemini/server-text';
import { connectionError, httpStatusError, redacted, redirectError } from '../runtime/errors';
import {
	type ApiCredential,
	apiCredentialOf,
	MODEL_LIST_TIMEOUT_MS,
	MODELS_PATH,
} from './credentials';
import { awaitAnswer, isRedirect, redirectTarget } from './http-stream';

export interface GeminiModel extends IDataObject {
	name: string;
	displayName?: string;
	description?: string;
	supportedGenerationMethods?: string[];
}

/** Bounds the page loop against a server that keeps handing out page tokens. */
const MAX_MODEL_PAGES = 20;

interface JsonResponse {
	body: unknown;
	headers: IDataObject;
	statusCode: number;
	statusMessage?: string;
}

async function getPage(
	ctx: ILoadOptionsFunctions,
	credential: ApiCredential,
	pageToken: string | undefined,
): Promise<{ models?: unknown; nextPageToken?: unknown }> {
	const url = `${credential.baseUrl}${MODELS_PATH}`;
	const connection = new AbortController();
	let response: JsonResponse;
	try {
		response = await awaitAnswer(
			// As openGenerateStream sends its request: the token in the header, cancellable.
			ctx.helpers.httpRequest({
				method: 'GET',
				url,
				qs: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) },
				headers: { Authorization: credential.authorization },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				abortSignal: connection.signal,
				timeout: MODEL_LIST_TIMEOUT_MS,
			}) as Promise<JsonResponse>,
			{ ms: MODEL_LIST_TIMEOUT_MS, kind: 'notStarted' },
			connection,
		);
	} catch (error) {
		throw redacted(connectionError(ctx.getNode(), credential.baseUrl, error), credential.redact);
	}
	const { statusCode, headers, body } = response;
	const target = isRedirect(statusCode) ? redirectTarget(headers, url) : undefined;
	if (target) {
		throw redacted(
			redirectError(ctx.getNode(), credential.baseUrl, statusCode, credential.redact(target)),
			credential.redact,
		);
	}
	// Redacted before any snippet is cut, so no token is cut in two past the redactor's reach.
	const text = () =>
		credential.redact(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
	if (statusCode < 200 || statusCode >= 300) {
		throw redacted(
			httpStatusError(ctx.getNode(), statusCode, response.statusMessage, text()),
			credential.redact,
		);
	}
	if (!isPlainObject(body)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The Base URL did not answer with a model list: ${snippet(text())}`,
			{ description: 'Check the Base URL in the Quickrouter API credential.' },
		);
	}
	return body;
}

/**
 * `GET /v1beta/models`, following page tokens. Entries without a `name` (seen from relays)
 * are skipped instead of breaking the list.
 */
export async function listModels(ctx: ILoadOptionsFunctions): Promise<GeminiModel[]> {
	const credential = await apiCredentialOf(ctx);
	const models: GeminiModel[] = [];
	let pageToken: string | undefined;
	let pages = 0;
	do {
		const page = await getPage(ctx, credential, pageToken);
		const entries = Array.isArray(page.models) ? page.models : [];
		for (const entry of entries) {
			if (isPlainObject(entry) && typeof entry.name === 'string' && entry.name !== '') {
				models.push(entry as GeminiModel);
			}
		}
		pageToken =
			typeof page.nextPageToken === 'string' && page.nextPageToken !== ''
				? page.nextPageToken
				: undefined;
	} while (pageToken && ++pages < MAX_MODEL_PAGES);
	return models;
}
