/**
 * What the API does with `serviceTier` beyond the request's shape (which contract.ts checks):
 * which tier serves a request, Flex's queue and its shedding, Priority's downgrade; and what a
 * cached request reports. (Which caches exist: caches.ts.)
 *
 * Sources, named on every rule:
 * [DOC:flex]     https://ai.google.dev/gemini-api/docs/generate-content/flex-inference
 * [DOC:priority] https://ai.google.dev/gemini-api/docs/generate-content/priority-inference
 * [OBS]          a real answer of the API, quoted where it was published.
 * [UNVERIFIED]   no published capture; the text is a plausible stand-in.
 */
import { errorReply, lastUserText, type RecordedRequest, type ReplyScript } from './server';
import { encodeSse, textChunk } from './sse';

/**
 * [DOC:flex] errors table: "503 Service Unavailable: The system is currently at capacity."
 * Flex is "sheddable" and has "No server-side fallback". No body of a shed request has been
 * published: the shape is the Developer API's 503 (google.rpc.Status, status UNAVAILABLE;
 * [OBS] `{"error":{"code":503,"message":"This model is currently experiencing high demand. …",
 * "status":"UNAVAILABLE"}}`, continuedev/continue#12767), the message the Flex page's
 * [UNVERIFIED].
 */
export const FLEX_SHED_MESSAGE = 'The system is currently at capacity.';

export const flexShedReply = () => errorReply(503, 'UNAVAILABLE', FLEX_SHED_MESSAGE);

export interface TierOptions {
	/** How many Flex requests are shed (503) before Flex serves again. */
	shedFlex?: number;
	/** How long a Flex request waits in the queue before anything is sent, in ms. */
	flexQueueMs?: number;
	/** How many Priority requests are served on Priority; later ones are served on Standard. */
	priorityLimit?: number;
	/** Tokens of the prompt read from the cache when the request names one. */
	cachedTokens?: number;
}

/** The tier a request asked for: none (or `unspecified`) is Standard. */
function askedTier(request: RecordedRequest): string {
	const tier = (request.body as { serviceTier?: unknown } | undefined)?.serviceTier;
	const asked = typeof tier === 'string' ? tier.toLowerCase() : '';
	return asked === '' || asked === 'unspecified' ? 'standard' : asked;
}

/**
 * Echoes the prompt as the default script does, on the tier that serves it, which the answer's
 * `usageMetadata.serviceTier` names on every chunk ([OBS] a stream of 2026-09-16 with
 * `"serviceTier": "standard"` on each chunk, vercel/ai `packages/google/src/__fixtures__/
 * google-stream-gemini-3.7-flash-2026-09-16.chunks.txt`; theopenco/llmgateway#3594: asked
 * `flex` -> served `flex`, `priority` -> `priority`).
 * - Flex: the first `shedFlex` requests get the shed 503; the others wait `flexQueueMs` before
 *   anything is sent ([DOC:flex] "Minutes (1–15 min target)"; a request may queue before its
 *   first byte).
 * - Priority: past `priorityLimit` requests, served on Standard, with no error and no flag but
 *   the served tier ([DOC:priority] "automatically and gracefully downgraded to Standard
 *   processing, rather than failing with 503 or 429").
 * - A cached request reports `cachedContentTokenCount`, a part of `promptTokenCount` ([OBS] the
 *   live probe quoted in caches.ts: `"promptTokenCount":7036,…,"cachedContentTokenCount":7021`).
 */
export function tieredScript(options: TierOptions = {}): ReplyScript {
	let shed = options.shedFlex ?? 0;
	let priority = 0;
	return (request) => {
		const asked = askedTier(request);
		if (asked === 'flex' && shed > 0) {
			shed--;
			return flexShedReply();
		}
		const served =
			asked === 'priority' && ++priority > (options.priorityLimit ?? Number.POSITIVE_INFINITY)
				? 'standard'
				: asked;
		const cached =
			typeof (request.body as { cachedContent?: unknown }).cachedContent === 'string'
				? (options.cachedTokens ?? 1000)
				: 0;
		const usage = {
			promptTokenCount: 4 + cached,
			candidatesTokenCount: 3,
			totalTokenCount: 7 + cached,
			...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
			serviceTier: served,
		};
		return {
			...(asked === 'flex' && options.flexQueueMs ? { waitMs: options.flexQueueMs } : {}),
			status: 200,
			headers: { 'content-type': 'text/event-stream' },
			body: encodeSse([
				textChunk('Echo: ', { usage }),
				textChunk(`${lastUserText(request.body)}.`, { finishReason: 'STOP', usage }),
			]),
		};
	};
}
