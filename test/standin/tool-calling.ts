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
	toolCall?: Record<string, unknown>;
	toolResponse?: Record<string, unknown>;
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

/**
 * The stand-in as Gemini 3 with Google Search beside one function: it searches (a signed
 * `toolCall` and `toolResponse`, the shape of Google's example in
 * https://ai.google.dev/gemini-api/docs/generate-content/tool-combination), then calls the
 * function, all in one model turn. Sent the function's result, it answers from the search only
 * when the history gives its steps back as they came; the contract (contract.ts) refuses them
 * unsigned.
 */
export interface SearchThenCallScript {
	tool: string;
	args: Record<string, unknown>;
	query: string;
	/** What the search found, as its response says. */
	found: string;
	signatures: { toolCall: string; toolResponse: string; functionCall: string };
}

export function searchStepParts(script: SearchThenCallScript): Part[] {
	return [
		{
			toolCall: { toolType: 'GOOGLE_SEARCH_WEB', args: { queries: [script.query] }, id: 'srch1' },
			thoughtSignature: script.signatures.toolCall,
		},
		{
			toolResponse: {
				toolType: 'GOOGLE_SEARCH_WEB',
				response: { search_suggestions: script.found },
				id: 'srch1',
			},
			thoughtSignature: script.signatures.toolResponse,
		},
		{
			functionCall: { id: 'call1', name: script.tool, args: script.args },
			thoughtSignature: script.signatures.functionCall,
		},
	];
}

export function searchThenCallScript(script: SearchThenCallScript): ReplyScript {
	const step = searchStepParts(script);
	return (request) => {
		const contents = contentsOf(request);
		const last = contents[contents.length - 1];
		const response = last?.parts?.find((part) => part.functionResponse?.name === script.tool);
		if (!response) {
			return {
				status: 200,
				headers: SSE,
				body: encodeSse([
					{
						candidates: [
							{ content: { role: 'model', parts: step }, finishReason: 'STOP', index: 0 },
						],
						usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 9, totalTokenCount: 39 },
						modelVersion: 'gemini-3-pro-preview',
						responseId: 'standin-search-step',
					},
				]),
			};
		}
		const history = JSON.stringify(contents[contents.length - 2]?.parts ?? []);
		const kept = step
			.slice(0, 2)
			.every((part) => history.includes(JSON.stringify(part).slice(1, -1)));
		const answer = kept
			? `The search found ${script.found}; ${script.tool} says ${JSON.stringify(response.functionResponse?.response)}.`
			: 'I no longer have the search.';
		return {
			status: 200,
			headers: SSE,
			body: encodeSse([textChunk(answer, { finishReason: 'STOP' })]),
		};
	};
}
