/**
 * The model list: `GET /v1beta/models`, page by page, each page sent as every API request is
 * (api-request.ts: under a deadline, redirects reported rather than followed), error bodies
 * read as Google's errors.
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
import { type ApiResponse, RedirectFailure, sendApiRequest } from './api-request';

export interface GeminiModel extends IDataObject {
	name: string;
	displayName?: string;
	description?: string;
	supportedGenerationMethods?: string[];
}

/** Bounds the page loop against a server that keeps handing out page tokens. */
const MAX_MODEL_PAGES = 20;

async function getPage(
	ctx: ILoadOptionsFunctions,
	credential: ApiCredential,
	pageToken: string | undefined,
): Promise<{ models?: unknown; nextPageToken?: unknown }> {
	let response: ApiResponse<unknown>;
	try {
		({ response } = await sendApiRequest<unknown>(ctx, credential, {
			method: 'GET',
			path: MODELS_PATH,
			qs: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) },
			socketTimeout: MODEL_LIST_TIMEOUT_MS,
			deadline: { ms: MODEL_LIST_TIMEOUT_MS, kind: 'notStarted' },
		}));
	} catch (error) {
		const failed =
			error instanceof RedirectFailure
				? redirectError(ctx.getNode(), credential.baseUrl, error.statusCode, error.location)
				: connectionError(ctx.getNode(), credential.baseUrl, error);
		throw redacted(failed, credential.redact);
	}
	const { statusCode, body } = response;
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
