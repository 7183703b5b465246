/** Writes Gemini responses in the SSE framing `streamGenerateContent?alt=sse` uses. */

export type Framing = 'lf' | 'crlf';

export interface EncodeOptions {
	framing?: Framing;
	/** Leave out the blank line after the last event, as some real streams do. */
	omitFinalBlankLine?: boolean;
	/** Comment lines (`: PING`) put before each event. */
	commentBeforeEach?: string;
}

export function encodeSse(events: unknown[], options: EncodeOptions = {}): string {
	const eol = options.framing === 'lf' ? '\n' : '\r\n';
	const blocks = events.map((event) => {
		const comment =
			options.commentBeforeEach !== undefined ? `: ${options.commentBeforeEach}${eol}` : '';
		return `${comment}data: ${typeof event === 'string' ? event : JSON.stringify(event)}${eol}`;
	});
	const body = blocks.join(eol);
	return options.omitFinalBlankLine ? body.slice(0, -eol.length) : `${body}${eol}`;
}

/** A chunk the way Gemini streams text: one candidate, one text part. */
export function textChunk(
	text: string,
	extra: { thought?: boolean; finishReason?: string; usage?: Record<string, number | string> } = {},
): Record<string, unknown> {
	return {
		candidates: [
			{
				content: { parts: [{ text, ...(extra.thought ? { thought: true } : {}) }], role: 'model' },
				...(extra.finishReason ? { finishReason: extra.finishReason } : {}),
				index: 0,
			},
		],
		...(extra.usage ? { usageMetadata: extra.usage } : {}),
		modelVersion: 'gemini-3-pro-preview',
		responseId: 'standin-response',
	};
}

/**
 * Google's error body (google.rpc.Status), as sent with non-2xx statuses, and in a 200 stream
 * that fails mid-answer: as a `data:` event (`{"error":{"code":503,…,"status":"UNAVAILABLE"}}`,
 * diegosouzapw/OmniRoute#4177) or pretty-printed outside SSE framing, e.g. a 429
 * RESOURCE_EXHAUSTED (maximhq/bifrost#5262).
 */
export function rpcError(
	code: number,
	status: string,
	message: string,
): { error: Record<string, unknown> } {
	return { error: { code, message, status } };
}

/**
 * A chunk with function calls, as Gemini 3 sends a step: only the step's first call carries
 * the thought signature (parallel calls after it carry none).
 */
export function functionCallChunk(
	name: string,
	calls: Array<Record<string, unknown>>,
	extra: { thoughtSignature?: string; usage?: Record<string, number>; ids?: string[] } = {},
): Record<string, unknown> {
	return {
		candidates: [
			{
				content: {
					parts: calls.map((args, index) => ({
						// Gemini 3 numbers each call ("Gemini 3 model APIs now generate a unique id for
						// every function call", https://ai.google.dev/gemini-api/docs/function-calling).
						functionCall: { ...(extra.ids ? { id: extra.ids[index] } : {}), name, args },
						...(index === 0 && extra.thoughtSignature
							? { thoughtSignature: extra.thoughtSignature }
							: {}),
					})),
					role: 'model',
				},
				finishReason: 'STOP',
				index: 0,
			},
		],
		...(extra.usage ? { usageMetadata: extra.usage } : {}),
		modelVersion: 'gemini-3-pro-preview',
		responseId: 'standin-response',
	};
}
