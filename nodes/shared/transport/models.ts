/** The model list: `GET /v1beta/models`, page by page. */
import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { baseUrlOf, CREDENTIAL_TYPE } from './credentials';

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
