/**
 * One chat turn's answer as the SDK's stream chunks: the shared client's response chunks ->
 * text, reasoning and tool-call deltas, then the finish with token usage.
 */
import type { FinishReason, StreamChunk, TokenUsage } from '@n8n/ai-node-sdk';
import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AnswerCollector, type CollectedAnswer } from '../shared/gemini/answer-collector';
import { candidateOf } from '../shared/gemini/candidates';
import {
	describeFinish,
	FAILED_FINISHES,
	FILTERED_FINISHES,
	NORMAL_FINISH,
} from '../shared/gemini/finish-reasons';
import { isPlainObject } from '../shared/gemini/json';
import { snippet } from '../shared/gemini/server-text';
import type {
	GenerateContentRequest,
	GeminiFunctionCall,
	GeminiResponseChunk,
} from '../shared/gemini/types';
import { tokenCounts } from '../shared/gemini/usage';
import { isStreamingRun } from '../shared/runtime/context';
import { forStreamingCaller } from '../shared/runtime/errors';
import { streamGenerateContent } from '../shared/transport/generate-stream';
import { toolCallIdFor } from './chat-messages';
import type { ChatSettings } from './chat-settings';
import { rememberTurn } from './server-side-turns';

/**
 * A function call the agent can run, or an error: Gemini names every call and sends its
 * arguments as an object (https://ai.google.dev/api/caching#FunctionCall), and an agent handed
 * a call named '' or string arguments fails far from the cause.
 */
function checkedCall(
	ctx: ISupplyDataFunctions,
	itemIndex: number,
	call: GeminiFunctionCall,
	number: number,
): { name: string; args: IDataObject } {
	const fail = (problem: string) =>
		new NodeOperationError(ctx.getNode(), `The model sent function call ${number} ${problem}`, {
			itemIndex,
			description: `The call as it came: ${snippet(JSON.stringify(call))}. A relay between n8n and Gemini may have changed it.`,
		});
	const { name, args } = call;
	if (typeof name !== 'string' || name === '') throw fail('without a name');
	if (args !== undefined && !isPlainObject(args)) {
		throw fail(`(${JSON.stringify(name)}) with arguments that are not an object`);
	}
	return { name, args: args ?? {} };
}

/** The deltas of one streamed event (first candidate only: a chat has one answer). */
function* deltasOf(
	chunk: GeminiResponseChunk,
	check: (call: GeminiFunctionCall) => { name: string; args: IDataObject },
): Generator<StreamChunk> {
	const candidate = candidateOf(chunk);
	for (const part of candidate?.content?.parts ?? []) {
		if (part.functionCall) {
			const { name, args } = check(part.functionCall);
			yield {
				type: 'tool-call-delta',
				id: toolCallIdFor({
					geminiId: typeof part.functionCall.id === 'string' ? part.functionCall.id : undefined,
					signature: part.thoughtSignature,
				}),
				name,
				argumentsDelta: JSON.stringify(args),
			};
		} else if (typeof part.text === 'string' && part.text !== '') {
			yield { type: part.thought ? 'reasoning-delta' : 'text-delta', delta: part.text };
		}
	}
}

/** Gemini's finish reason as the SDK's: every reason the API lists today has its place. */
function sdkFinishReason(reason: string | undefined, calledTools: boolean): FinishReason {
	if (calledTools) return 'tool-calls';
	if (reason === undefined || reason === NORMAL_FINISH) return 'stop';
	if (reason === 'MAX_TOKENS') return 'length';
	if (FILTERED_FINISHES.has(reason)) return 'content-filter';
	if (FAILED_FINISHES.has(reason)) return 'error';
	return 'other';
}

function usageOf(answer: CollectedAnswer): TokenUsage | undefined {
	const usage = answer.usageMetadata;
	if (!usage) return undefined;
	const counts = tokenCounts(usage);
	const completion = counts.candidates + counts.thoughts;
	return {
		promptTokens: counts.prompt,
		completionTokens: completion,
		totalTokens: counts.total || counts.prompt + completion,
		...(usage.cachedContentTokenCount !== undefined
			? { inputTokenDetails: { cacheRead: counts.cached } }
			: {}),
		...(counts.thoughts > 0 ? { outputTokenDetails: { reasoning: counts.thoughts } } : {}),
	};
}

/**
 * The finish of a stream, or, for an answer with neither text nor tool calls that stopped for
 * another reason than a normal stop, an error saying why: an agent given an empty reply would
 * carry on as if the model had answered.
 */
function finishOf(
	ctx: ISupplyDataFunctions,
	answer: CollectedAnswer,
	itemIndex: number,
): StreamChunk {
	const candidate = answer.candidates.find((entry) => entry.index === 0);
	const parts = candidate?.content.parts ?? [];
	const calledTools = parts.some((part) => part.functionCall);
	const reason = candidate?.finishReason;
	const answered = calledTools || parts.some((part) => !part.thought && part.text);
	if (!answered && reason !== undefined && reason !== NORMAL_FINISH) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The model gave no answer: ${describeFinish(reason)}`,
			{
				itemIndex,
				description:
					candidate?.finishMessage ?? `Gemini ended the answer with finishReason ${reason}.`,
			},
		);
	}
	const usage = usageOf(answer);
	return {
		type: 'finish',
		finishReason: sdkFinishReason(reason, calledTools),
		...(usage ? { usage } : {}),
	};
}

/**
 * Streams one answer. A failure after a chunk was passed on is not retried (the caller already
 * has part of the answer); it ends the stream with the same error the main node reports.
 */
export async function* streamChat(
	ctx: ISupplyDataFunctions,
	settings: ChatSettings,
	body: GenerateContentRequest,
	signal?: AbortSignal,
): AsyncGenerator<StreamChunk> {
	const collector = new AnswerCollector();
	const chunks = streamGenerateContent(ctx, {
		model: settings.model,
		body,
		options: settings,
		itemIndex: settings.itemIndex,
		signal,
		collector,
	});
	let calls = 0;
	const check = (call: GeminiFunctionCall) => checkedCall(ctx, settings.itemIndex, call, ++calls);
	try {
		for await (const chunk of chunks) yield* deltasOf(chunk, check);
		const answer = collector.result();
		rememberTurn(answer.candidates.find((candidate) => candidate.index === 0)?.content.parts ?? []);
		yield finishOf(ctx, answer, settings.itemIndex);
	} catch (error) {
		// Under a streaming trigger, the agent's failure reaches the caller as a description.
		throw isStreamingRun(ctx) ? forStreamingCaller(error as NodeOperationError) : error;
	}
}
