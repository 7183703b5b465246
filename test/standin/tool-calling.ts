/**
 * The stand-in as a Gemini 3 model that uses one tool: asked a question, it calls the tool,
 * once or several times in parallel (the first call signed); sent every result with the
 * signed calls in the history, it answers in pieces. Like Gemini 3, it refuses a history whose
 * first call lost its signature, and one that splits a parallel step.
 */
import { errorReply, type RecordedRequest, type ReplyScript } from './server';
import { encodeSse, functionCallChunk, textChunk } from './sse';

interface Part {
	text?: string;
	functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
	functionResponse?: { id?: string; name?: string; response?: unknown };
	thoughtSignature?: string;
}

interface Turn {
	role?: string;
	parts?: Part[];
}

export interface ToolCallingScript {
	tool: string;
	/** The arguments of each call of the step; more than one makes parallel calls. */
	calls: Array<Record<string, unknown>>;
	signature: string;
	/** Gemini 3's `functionCall.id` of each call, when the model sends them. */
	ids?: string[];
	/** The final answer's pieces, given the tool's responses in call order. */
	answer: (responses: unknown[]) => string[];
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
		const responses = (last?.parts ?? []).filter(
			(part) => part.functionResponse?.name === script.tool,
		);
		if (responses.length === 0) {
			return {
				status: 200,
				headers: SSE,
				body: encodeSse([
					functionCallChunk(script.tool, script.calls, {
						thoughtSignature: script.signature,
						ids: script.ids,
						usage: { promptTokenCount: 20, candidatesTokenCount: 8, totalTokenCount: 28 },
					}),
				]),
			};
		}
		const calls = (contents[contents.length - 2]?.parts ?? []).filter((part) => part.functionCall);
		if (calls[0]?.thoughtSignature !== script.signature) {
			return errorReply(
				400,
				'INVALID_ARGUMENT',
				`Function call \`${script.tool}\` in the ${contents.length - 1}. content block is missing a \`thought_signature\`.`,
			);
		}
		if (calls.length !== script.calls.length || responses.length !== script.calls.length) {
			return errorReply(
				400,
				'INVALID_ARGUMENT',
				'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
			);
		}
		const pieces = script.answer(responses.map((part) => part.functionResponse?.response));
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
