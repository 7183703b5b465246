/**
 * The stand-in as a Gemini 3 model that uses one tool: asked a question, it calls the tool
 * (the call signed); sent the tool's result with the signed call in the history, it answers
 * in pieces. Like Gemini 3, it refuses a history whose function call lost its signature.
 */
import type { RecordedRequest, ReplyScript } from './server';
import { encodeSse, functionCallChunk, rpcError, textChunk } from './sse';

interface Part {
	text?: string;
	functionCall?: { name?: string; args?: Record<string, unknown> };
	functionResponse?: { name?: string; response?: unknown };
	thoughtSignature?: string;
}

interface Turn {
	role?: string;
	parts?: Part[];
}

export interface ToolCallingScript {
	tool: string;
	args: Record<string, unknown>;
	signature: string;
	/** The final answer's pieces, given the tool's response. */
	answer: (response: unknown) => string[];
	/** Pause between the answer's pieces, in ms. */
	delayMs?: number;
}

const SSE = { 'content-type': 'text/event-stream' };

function contentsOf(request: RecordedRequest): Turn[] {
	return (request.body as { contents?: Turn[] } | undefined)?.contents ?? [];
}

export function toolCallingScript(script: ToolCallingScript): ReplyScript {
	return (request) => {
		const contents = contentsOf(request);
		const last = contents[contents.length - 1];
		const response = last?.parts?.find((part) => part.functionResponse?.name === script.tool);
		if (!response) {
			return {
				status: 200,
				headers: SSE,
				body: encodeSse([
					functionCallChunk(script.tool, script.args, {
						thoughtSignature: script.signature,
						usage: { promptTokenCount: 20, candidatesTokenCount: 8, totalTokenCount: 28 },
					}),
				]),
			};
		}
		const call = contents[contents.length - 2]?.parts?.find((part) => part.functionCall);
		if (call?.thoughtSignature !== script.signature) {
			return {
				status: 400,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(
					rpcError(
						400,
						'INVALID_ARGUMENT',
						`Function call \`${script.tool}\` in the ${contents.length - 1}. content block is missing a \`thought_signature\`.`,
					),
				),
			};
		}
		const pieces = script.answer(response.functionResponse?.response);
		return {
			status: 200,
			headers: SSE,
			pieces: pieces.map((piece, index) =>
				encodeSse([
					textChunk(
						piece,
						index === pieces.length - 1
							? {
									finishReason: 'STOP',
									usage: { promptTokenCount: 40, candidatesTokenCount: 12, totalTokenCount: 52 },
								}
							: {},
					),
				]),
			),
			delayMs: script.delayMs,
		};
	};
}
