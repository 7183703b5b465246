/**
 * The Quickrouter API credential as the transport reads it: its type name and the Base URL.
 */
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import type { NodeContext } from '../n8n/context';

export const CREDENTIAL_TYPE = 'quickrouterApi';

export const DEFAULT_BASE_URL = 'https://api.quickrouter.ai';

export function normalizeBaseUrl(value: unknown): string {
	const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '');
}

export async function baseUrlOf(
	ctx: NodeContext | ILoadOptionsFunctions,
	itemIndex?: number,
): Promise<string> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string }>(CREDENTIAL_TYPE, itemIndex);
	return normalizeBaseUrl(credentials.baseUrl);
}
