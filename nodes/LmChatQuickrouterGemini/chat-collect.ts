/**
 * `generate` reads the same stream as `stream`: this folds its chunks into the SDK's whole
 * answer.
 */
import type { GenerateResult, MessageContent, StreamChunk } from '@n8n/ai-node-sdk';

/** Deltas joined in order of arrival, each tool call whole, the finish's reason and usage. */
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
