/**
 * The context caches the stand-in knows, and what Google answers a request whose
 * `cachedContent` names one that does not exist or serves another model. In the real API a
 * cache is made with `POST /v1beta/cachedContents` (https://ai.google.dev/api/caching), outside
 * n8n; here a test names the caches that exist (`StandinServer.caches`), and there are none by
 * default, as for a key that made none.
 *
 * [DOC:caching] https://ai.google.dev/gemini-api/docs/caching
 * [OBS]         a real answer of the API, quoted where it was published.
 */
import type { RecordedRequest, ScriptedReply } from './server';
import { rpcError } from './sse';

/**
 * [OBS] the answer to a `cachedContent` that names no cache (deleted, expired or never made):
 * 403 `{"error":{"code":403,"message":"CachedContent not found (or permission denied)",
 * "status":"PERMISSION_DENIED"}}`, verbatim from a live probe of 2026-09-07 against
 * generativelanguage.googleapis.com/v1beta (gemini-3.5-flash-lite; public probe notes,
 * repository not recorded); public clients match on the same string to recreate an expired
 * cache. [DOC:caching] a cache lives for its TTL, 1 hour by default, then is deleted.
 */
export const CACHE_NOT_FOUND_MESSAGE = 'CachedContent not found (or permission denied)';

/** Google's error body (google.rpc.Status) with its status. */
const refusal = (code: number, status: string, message: string): ScriptedReply => ({
	status: code,
	headers: { 'content-type': 'application/json; charset=UTF-8' },
	body: JSON.stringify(rpcError(code, status, message)),
});

/**
 * [OBS] a cache made for another model: 400 `Model used by GenerateContent request
 * (models/gemini-2.5-pro) and CachedContent (models/gemini-2.5-flash) has to be the same.`
 * (quoted in public client code and notes, one measured 2026-09-06; repositories not
 * recorded). [DOC:caching] the cache serves the model it was created for.
 */
const modelMismatch = (model: string, cacheModel: string) =>
	`Model used by GenerateContent request (models/${model}) and CachedContent (models/${cacheModel}) has to be the same.`;

/**
 * The refusal Google sends for the request's `cachedContent`, given the caches that exist
 * (name -> the model each was made for), or undefined when the cache serves the request.
 */
export function cacheRefusal(
	request: RecordedRequest,
	caches: ReadonlyMap<string, string>,
): ScriptedReply | undefined {
	const name = (request.body as { cachedContent?: unknown } | undefined)?.cachedContent;
	if (typeof name !== 'string') return undefined;
	const model = caches.get(name);
	if (model === undefined) return refusal(403, 'PERMISSION_DENIED', CACHE_NOT_FOUND_MESSAGE);
	const asked = (request.model ?? '').replace(/^models\//, '');
	if (model !== asked) return refusal(400, 'INVALID_ARGUMENT', modelMismatch(asked, model));
	return undefined;
}
