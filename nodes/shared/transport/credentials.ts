/**
 * The Quickrouter API credential as the transport uses it: the Base URL, checked before any
 * request is made, and a redactor for the secrets the credential holds.
 */
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError, UserError } from 'n8n-workflow';

import { type Redact, redactorOf } from '../gemini/server-text';
import type { NodeContext } from '../runtime/context';

export const CREDENTIAL_TYPE = 'quickrouterApi';

const DEFAULT_BASE_URL = 'https://api.quickrouter.ai';

/** The model list, which the node's Model field and the credential's Test both ask for. */
export const MODELS_PATH = '/v1beta/models';

/** Longest wait for one page of the model list, in ms: the editor is waiting. */
export const MODEL_LIST_TIMEOUT_MS = 30_000;

export interface ApiCredential {
	/** Scheme, host, port and path; no trailing slash. */
	baseUrl: string;
	/** The Authorization header's value, `Bearer <token>`: the one place the token goes. */
	authorization: string;
	/** Replaces the token in text that came from the server. */
	redact: Redact;
}

/** The Base URL as an error may show it: any user name and password left out. */
function shown(text: string): string {
	return text.replace(/^([^/]*\/\/)?[^/@]*@/, (_match, scheme: string = '') => `${scheme}…@`);
}

/** Why a Base URL cannot be used, or undefined when it can. */
function baseUrlProblem(url: URL | undefined, text: string): string | undefined {
	if (!url || !/^https?:$/.test(url.protocol)) {
		return `The Base URL "${shown(text)}" must start with https:// (or http:// for a server on your network)`;
	}
	// n8n's HTTP stack would send these as Basic auth instead of the token, and repeat the
	// password in every connection error.
	if (url.username || url.password) {
		return `The Base URL must not contain a user name or password (${url.protocol}//…@${url.host})`;
	}
	const path = url.pathname.replace(/\/+$/, '');
	if (url.search || url.hash || text.endsWith('?') || text.endsWith('#')) {
		return `The Base URL must not contain a query (?…) or a fragment (#…): use ${url.origin}${path}`;
	}
	// A common paste from Google's docs; the node adds /v1beta/models/… to the Base URL itself.
	const apiPath = /\/v1beta(\/models)?$/i.exec(path);
	if (apiPath) {
		return `The Base URL must not end in ${apiPath[0]} (the node adds it): use ${url.origin}${path.slice(0, apiPath.index)}`;
	}
	return undefined;
}

function tryUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/** The Base URL ready for request paths, or the reason it cannot be used. */
function parseBaseUrl(value: unknown): { baseUrl: string } | { problem: string } {
	const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_BASE_URL;
	const problem = baseUrlProblem(tryUrl(text), text);
	return problem ? { problem } : { baseUrl: text.replace(/\/+$/, '') };
}

/** The credential's Base URL and secrets; a Base URL that cannot work fails before any request. */
export async function apiCredentialOf(
	ctx: NodeContext | ILoadOptionsFunctions,
	itemIndex?: number,
): Promise<ApiCredential> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; apiToken?: string }>(
		CREDENTIAL_TYPE,
		itemIndex,
	);
	const parsed = parseBaseUrl(credentials.baseUrl);
	if ('problem' in parsed) {
		throw new NodeOperationError(ctx.getNode(), parsed.problem, {
			itemIndex,
			description: 'Edit the Base URL in the Quickrouter API credential.',
		});
	}
	return {
		baseUrl: parsed.baseUrl,
		authorization: authorizationOf(credentials.apiToken),
		redact: redactorOf([credentials.apiToken]),
	};
}

const authorizationOf = (token: unknown) => `Bearer ${typeof token === 'string' ? token : ''}`;

/**
 * The credential's `authenticate`, for the requests n8n makes with it itself (its Test button):
 * the Base URL must pass the node's own rules, so the Test refuses what the node refuses, before
 * anything is sent; then the token goes in the Authorization header, and a model list gets the
 * model list's deadline.
 */
export async function authenticateRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const parsed = parseBaseUrl(credentials.baseUrl);
	if ('problem' in parsed) throw new UserError(parsed.problem);
	return {
		...requestOptions,
		headers: { ...requestOptions.headers, Authorization: authorizationOf(credentials.apiToken) },
		// n8n sets its own 300 s on the Test's request, whatever the test asks for.
		...(requestOptions.url === MODELS_PATH ? { timeout: MODEL_LIST_TIMEOUT_MS } : {}),
	};
}
