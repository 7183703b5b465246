/**
 * The node as an AI Agent's tool: n8n runs it under its type name with `Tool` appended. It
 * then never streams to the caller (the agent's answer does), even when the execution streams,
 * and gives the agent a compact result instead of the whole item.
 */
import type { StreamedChunk } from '../harness/n8n';
import { GEMINI_NODE_TYPE } from '../harness/n8n';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { encodeSse, functionCallChunk, textChunk } from '../standin/sse';

const server = useStandin();

const AS_TOOL = { type: `${GEMINI_NODE_TYPE}Tool` };

test('as a tool under a streaming trigger it streams nothing and returns only the text', async () => {
	server.reset(() => ({
		body: encodeSse([
			textChunk('Paris is the ', { usage: { promptTokenCount: 3, totalTokenCount: 3 } }),
			textChunk('capital.', { finishReason: 'STOP' }),
		]),
	}));
	const chunks: StreamedChunk[] = [];
	const { output, error } = await runGemini(
		server,
		{ prompt: 'Capital of France?', outputMode: 'perChunk', options: { concurrency: 4 } },
		{ settings: AS_TOOL, onChunk: (chunk) => chunks.push(chunk), rows: [{}, {}] },
	);
	expect(error).toBeUndefined();
	expect(chunks).toEqual([]);
	expect(output(GEMINI).map((item) => item.json)).toEqual([
		{ text: 'Paris is the capital.' },
		{ text: 'Paris is the capital.' },
	]);
});

test('as a tool in JSON mode it returns the parsed JSON; function calls come along', async () => {
	server.reset(() => ({
		body: encodeSse([textChunk('{"city": "Paris"}', { finishReason: 'STOP' })]),
	}));
	const json = await runGemini(
		server,
		{ prompt: 'hi', generationConfig: { responseMimeType: 'application/json' } },
		{ settings: AS_TOOL },
	);
	expect(json.output(GEMINI)[0].json).toEqual({ json: { city: 'Paris' } });

	server.reset(() => ({ body: encodeSse([functionCallChunk('lookup', [{ q: 'x' }])]) }));
	const calls = await runGemini(server, { prompt: 'hi' }, { settings: AS_TOOL });
	expect(calls.output(GEMINI)[0].json).toEqual({
		text: '',
		functionCalls: [{ name: 'lookup', args: { q: 'x' } }],
	});
});
