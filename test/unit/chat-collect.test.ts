import type { StreamChunk } from '@n8n/ai-node-sdk';

import { collectChat } from '../../nodes/LmChatQuickrouterGemini/chat-collect';

async function* streamOf(chunks: StreamChunk[]): AsyncGenerator<StreamChunk> {
	yield* chunks;
}

test('joins deltas of one kind in order, keeps reasoning apart, and takes the finish', async () => {
	const result = await collectChat(
		streamOf([
			{ type: 'reasoning-delta', delta: 'Think' },
			{ type: 'reasoning-delta', delta: 'ing' },
			{ type: 'text-delta', delta: 'Hel' },
			{ type: 'text-delta', delta: 'lo' },
			{
				type: 'finish',
				finishReason: 'stop',
				usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
			},
		]),
	);
	expect(result).toEqual({
		message: {
			role: 'assistant',
			content: [
				{ type: 'reasoning', text: 'Thinking' },
				{ type: 'text', text: 'Hello' },
			],
		},
		finishReason: 'stop',
		usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
	});
});

test('tool-call deltas with the same id are one call; parallel calls stay apart', async () => {
	const result = await collectChat(
		streamOf([
			{ type: 'tool-call-delta', id: 'a', name: 'add', argumentsDelta: '{"x":' },
			{ type: 'tool-call-delta', id: 'b', name: 'add', argumentsDelta: '{"x":2}' },
			{ type: 'tool-call-delta', id: 'a', argumentsDelta: '1}' },
			{ type: 'finish', finishReason: 'tool-calls' },
		]),
	);
	expect(result.message.content).toEqual([
		{ type: 'tool-call', toolCallId: 'a', toolName: 'add', input: '{"x":1}' },
		{ type: 'tool-call', toolCallId: 'b', toolName: 'add', input: '{"x":2}' },
	]);
	expect(result.finishReason).toBe('tool-calls');
	expect(result.usage).toBeUndefined();
});
