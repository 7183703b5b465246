/**
 * One chat turn's answer as the SDK's stream chunks: the shared client's response chunks ->
 * text, reasoning and tool-call deltas, then the finish with token usage.
 */
import type { FinishReason, StreamChunk, TokenUsage } from '@n8n/ai-node-sdk';
import type { ISupplyDataFunctions } from 'n8n-workflow';

import { AnswerCollector, type CollectedAnswer } from '../shared/gemini/answer-collector';
import type { GenerateContentRequest, GeminiResponseChunk } from '../shared/gemini/types';
import { streamGenerateContent } from '../shared/transport/generate-stream';
import { toolCallIdFor } from './chat-messages';
import type { ChatSettings } from './chat-settings';

/** The deltas of one streamed event (first candidate only: a chat has one answer). */
function* deltasOf(chunk: GeminiResponseChunk): Generator<StreamChunk> {
	const candidate = chunk.candidates?.find((entry) => (entry.index ?? 0) === 0);
	for (const part of candidate?.content?.parts ?? []) {
		if (part.functionCall) {
			yield {
				type: 'tool-call-delta',
				id: toolCallIdFor(part.thoughtSignature),
				name: String(part.functionCall.name ?? ''),
				argumentsDelta: JSON.stringify(part.functionCall.args ?? {}),
			};
		} else if (typeof part.text === 'string' && part.text !== '') {
			yield { type: part.thought ? 'reasoning-delta' : 'text-delta', delta: part.text };
		}
	}
}

const FINISH_REASONS: Record<string, FinishReason> = {
	STOP: 'stop',
	MAX_TOKENS: 'length',
	SAFETY: 'content-filter',
	RECITATION: 'content-filter',
	BLOCKLIST: 'content-filter',
	PROHIBITED_CONTENT: 'content-filter',
	SPII: 'content-filter',
	IMAGE_SAFETY: 'content-filter',
	MALFORMED_FUNCTION_CALL: 'error',
};

function usageOf(answer: CollectedAnswer): TokenUsage | undefined {
	const usage = answer.usageMetadata;
	if (!usage) return undefined;
	const count = (key: string) => (typeof usage[key] === 'number' ? (usage[key] as number) : 0);
	const thoughts = count('thoughtsTokenCount');
	const completion = count('candidatesTokenCount') + thoughts;
	return {
		promptTokens: count('promptTokenCount'),
		completionTokens: completion,
		totalTokens: count('totalTokenCount') || count('promptTokenCount') + completion,
		...(usage.cachedContentTokenCount !== undefined
			? { inputTokenDetails: { cacheRead: count('cachedContentTokenCount') } }
			: {}),
		...(thoughts > 0 ? { outputTokenDetails: { reasoning: thoughts } } : {}),
	};
}

function finishOf(answer: CollectedAnswer): StreamChunk {
	const candidate = answer.candidates[0];
	const called = candidate?.content.parts.some((part) => part.functionCall) ?? false;
	const reason = candidate?.finishReason;
	const usage = usageOf(answer);
	return {
		type: 'finish',
		finishReason: called ? 'tool-calls' : reason ? (FINISH_REASONS[reason] ?? 'other') : 'stop',
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
	for await (const chunk of streamGenerateContent(ctx, {
		model: settings.model,
		body,
		options: settings,
		itemIndex: settings.itemIndex,
		signal,
		collector,
	})) {
		yield* deltasOf(chunk);
	}
	yield finishOf(collector.result());
}
