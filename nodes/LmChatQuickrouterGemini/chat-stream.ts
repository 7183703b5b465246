/**
 * One chat turn over `streamGenerateContent`: the SDK's messages and tools -> the request body,
 * and the package's one transport, SSE reader and answer collector -> the SDK's stream chunks
 * (text, reasoning and tool-call deltas, then the finish with token usage). Requests that fail
 * before any chunk was passed on are retried like the main node's.
 */
import type {
	FinishReason,
	GenerateResult,
	Message,
	MessageContent,
	StreamChunk,
	TokenUsage,
	Tool,
} from '@n8n/ai-node-sdk';
import type { ISupplyDataFunctions } from 'n8n-workflow';

import { AnswerCollector, type CollectedAnswer } from '../QuickrouterGemini/collect';
import { blockedPromptError } from '../QuickrouterGemini/errors';
import { classify, decideRetry, type Failure, toNodeError } from '../QuickrouterGemini/failures';
import { readGeminiStream } from '../QuickrouterGemini/stream';
import { openGenerateStream } from '../QuickrouterGemini/transport';
import type { GenerateContentRequest, GeminiResponseChunk } from '../QuickrouterGemini/types';
import { wait } from '../QuickrouterGemini/wait';
import {
	type SchemaOf,
	toFunctionDeclarations,
	toGeminiConversation,
	toolCallIdFor,
} from '../shared/chat-messages';
import type { ChatSettings } from './chat-settings';

export function chatRequestBody(
	settings: ChatSettings,
	messages: Message[],
	tools: Tool[],
	schemaOf: SchemaOf,
): GenerateContentRequest {
	const declarations = toFunctionDeclarations(tools, schemaOf);
	return {
		...toGeminiConversation(messages),
		...(declarations.length > 0 ? { tools: [{ functionDeclarations: declarations }] } : {}),
		...(settings.safetySettings ? { safetySettings: settings.safetySettings } : {}),
		...(settings.generationConfig ? { generationConfig: settings.generationConfig } : {}),
	};
}

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
 * Streams one answer. A failure after a delta was passed on is not retried (the caller already
 * has part of the answer); it ends the stream with the same error the main node reports.
 */
export async function* streamChat(
	ctx: ISupplyDataFunctions,
	settings: ChatSettings,
	body: GenerateContentRequest,
	signal?: AbortSignal,
): AsyncGenerator<StreamChunk> {
	const { itemIndex, retry } = settings;
	for (let attempt = 0; ; attempt++) {
		const collector = new AnswerCollector();
		let opened = false;
		let passedOn = 0;
		let failure: Failure | undefined;
		try {
			const stream = await openGenerateStream(ctx, {
				baseUrl: settings.baseUrl,
				model: settings.model,
				body,
				limits: settings.limits,
				signal,
			});
			opened = true;
			try {
				for await (const chunk of readGeminiStream(stream.body, {
					maxEventChars: settings.maxEventChars,
				})) {
					collector.add(chunk);
					for (const delta of deltasOf(chunk)) {
						passedOn++;
						yield delta;
					}
				}
			} finally {
				stream.release();
			}
		} catch (error) {
			failure = classify(error, opened);
		}

		if (!failure) {
			const answer = collector.result();
			const blocked = blockedPromptError(ctx.getNode(), answer, itemIndex);
			if (blocked) throw blocked;
			yield finishOf(answer);
			return;
		}
		const decision = signal?.aborted
			? { retry: false as const }
			: decideRetry(failure, attempt, retry, passedOn > 0);
		if (!decision.retry) {
			throw toNodeError(failure, {
				node: ctx.getNode(),
				itemIndex,
				baseUrl: settings.baseUrl,
				partialText: collector.partialText,
				note: decision.note,
			});
		}
		await wait(decision.delayMs, signal);
	}
}

/** Folds a stream into the SDK's whole answer: deltas joined in order, calls whole. */
export async function collectChat(chunks: AsyncIterable<StreamChunk>): Promise<GenerateResult> {
	const content: MessageContent[] = [];
	const calls = new Map<string, MessageContent & { type: 'tool-call' }>();
	let finish: (StreamChunk & { type: 'finish' }) | undefined;
	for await (const chunk of chunks) {
		const last = content[content.length - 1];
		if (chunk.type === 'text-delta' || chunk.type === 'reasoning-delta') {
			const type = chunk.type === 'text-delta' ? 'text' : 'reasoning';
			if (last?.type === type) last.text += chunk.delta;
			else content.push({ type, text: chunk.delta });
		} else if (chunk.type === 'tool-call-delta' && chunk.id) {
			const call = calls.get(chunk.id);
			if (call) call.input += chunk.argumentsDelta ?? '';
			else {
				const created = {
					type: 'tool-call' as const,
					toolCallId: chunk.id,
					toolName: chunk.name ?? '',
					input: chunk.argumentsDelta ?? '',
				};
				calls.set(chunk.id, created);
				content.push(created);
			}
		} else if (chunk.type === 'finish') finish = chunk;
	}
	return {
		message: { role: 'assistant', content },
		...(finish ? { finishReason: finish.finishReason } : {}),
		...(finish?.usage ? { usage: finish.usage } : {}),
	};
}
