/**
 * Live streaming to the HTTP caller, in a run that streams as a Webhook or Chat Trigger with
 * response mode Streaming does: answer deltas go out as they arrive, framed per item.
 */
import type { StreamedChunk } from '../harness/n8n';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { errorReply, lastUserText } from '../standin/server';
import { encodeSse, rpcError, textChunk } from '../standin/sse';

const server = useStandin();

function answer(prompt: string, pace = 0) {
	return {
		body: encodeSse([
			textChunk('Thinking about it.', { thought: true }),
			textChunk(`Meow, `),
			textChunk(prompt),
			textChunk('!', { finishReason: 'STOP' }),
		]),
		split: pace ? 1 << 20 : undefined,
		delayMs: pace,
	};
}

const framed = (chunks: StreamedChunk[]) =>
	chunks.map((chunk) => [chunk.metadata.itemIndex, chunk.type, chunk.content ?? null]);

test('each item is streamed as begin, its text deltas, end, and the output is still produced', async () => {
	server.reset((request) => answer(lastUserText(request.body)));
	const chunks: StreamedChunk[] = [];
	const { output, error } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 1 } },
		{ rows: [{ q: 'one' }, { q: 'two' }], onChunk: (chunk) => chunks.push(chunk) },
	);
	expect(error).toBeUndefined();
	expect(framed(chunks)).toEqual([
		[0, 'begin', null],
		[0, 'item', 'Meow, '],
		[0, 'item', 'one'],
		[0, 'item', '!'],
		[0, 'end', null],
		[1, 'begin', null],
		[1, 'item', 'Meow, '],
		[1, 'item', 'two'],
		[1, 'item', '!'],
		[1, 'end', null],
	]);
	expect(chunks.every((chunk) => chunk.metadata.nodeName === GEMINI)).toBe(true);
	expect(output(GEMINI).map((item) => item.json.text)).toEqual(['Meow, one!', 'Meow, two!']);
});

test('chunks go out as the stand-in sends them, not when the answer is complete', async () => {
	const body = encodeSse(['a', 'b', 'c', 'd'].map((text) => textChunk(text)));
	// One event per write (they are the same length), 150 ms apart.
	server.reset(() => ({ body, split: body.length / 4, delayMs: 150 }));
	const chunks: StreamedChunk[] = [];
	await runGemini(server, { prompt: 'x' }, { onChunk: (chunk) => chunks.push(chunk) });
	const items = chunks.filter((chunk) => chunk.type === 'item');
	expect(items.map((chunk) => chunk.content)).toEqual(['a', 'b', 'c', 'd']);
	// The stand-in writes an event every 150 ms; each delta left the node as it came.
	const gaps = items
		.slice(1)
		.map((chunk, index) => chunk.metadata.timestamp - items[index].metadata.timestamp);
	// The typical gap, so one late timer on a loaded machine does not decide it.
	expect([...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(100);
});

test('thought summaries are streamed only with Stream Thoughts', async () => {
	server.reset(() => answer('x'));
	const withThoughts: StreamedChunk[] = [];
	await runGemini(
		server,
		{ prompt: 'x', options: { streamThoughts: true } },
		{ onChunk: (chunk) => withThoughts.push(chunk) },
	);
	expect(
		withThoughts.filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content),
	).toEqual(['Thinking about it.', 'Meow, ', 'x', '!']);
});

test('Stream to Response off sends nothing to the caller', async () => {
	server.reset(() => answer('x'));
	const chunks: StreamedChunk[] = [];
	const { output } = await runGemini(
		server,
		{ prompt: 'x', options: { streamToResponse: false } },
		{ onChunk: (chunk) => chunks.push(chunk) },
	);
	expect(chunks).toEqual([]);
	expect(output(GEMINI)[0].json.text).toBe('Meow, x!');
});

describe('a stream that fails after it began', () => {
	function failSecondTime() {
		let calls = 0;
		return () =>
			++calls === 1
				? errorReply(503, 'UNAVAILABLE', 'Busy')
				: {
						body:
							encodeSse([textChunk('half ')]) + JSON.stringify(rpcError(500, 'INTERNAL', 'Broke')),
					};
	}

	test('stops the node: the retried first attempt sent nothing, and n8n sends its error chunk', async () => {
		server.reset(failSecondTime());
		const chunks: StreamedChunk[] = [];
		const { error } = await runGemini(
			server,
			{ prompt: 'x', options: { maxRetryDelay: 100 } },
			{ onChunk: (chunk) => chunks.push(chunk) },
		);
		expect(error?.message).toBe('500 INTERNAL: Broke');
		expect(framed(chunks).slice(0, 2)).toEqual([
			[0, 'begin', null],
			[0, 'item', 'half '],
		]);
		expect(chunks.slice(2).map((chunk) => chunk.type)).toEqual(['error']);
		expect(chunks[2].content).toContain('Text received before the failure: half');
	});

	test("with Continue On Fail, the item's stream ends with an error chunk naming the failure", async () => {
		server.reset(failSecondTime());
		const chunks: StreamedChunk[] = [];
		await runGemini(
			server,
			{ prompt: 'x', options: { maxRetryDelay: 100 } },
			{ onChunk: (chunk) => chunks.push(chunk), settings: { onError: 'continueRegularOutput' } },
		);
		expect(framed(chunks)).toEqual([
			[0, 'begin', null],
			[0, 'item', 'half '],
			[0, 'error', '500 INTERNAL: Broke'],
		]);
	});
});

test('a failing request reaches the streaming caller with Google’s status and message first, then the hint', async () => {
	server.reset(() => errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for this key.'));
	const chunks: StreamedChunk[] = [];
	const { error } = await runGemini(
		server,
		{ prompt: 'x', options: { maxRetries: 0 } },
		{ onChunk: (chunk) => chunks.push(chunk) },
	);
	expect(error?.message).toBe('429 RESOURCE_EXHAUSTED: Quota exceeded for this key.');
	// n8n streams a failed node's description only.
	expect(framed(chunks)).toEqual([
		[
			0,
			'error',
			'429 RESOURCE_EXHAUSTED: Quota exceeded for this key.\n\nRate limit or quota reached. Wait and retry, lower the number of parallel requests, or check your quota.',
		],
	]);
});

test('only the first answer (candidate index 0) is streamed, in whatever order candidates come', async () => {
	const twoCandidates = (first: string, second: string, finishReason?: string) => ({
		candidates: [
			{ index: 1, content: { role: 'model', parts: [{ text: second }] }, finishReason },
			{ index: 0, content: { role: 'model', parts: [{ text: first }] }, finishReason },
		],
	});
	server.reset(() => ({
		body: encodeSse([twoCandidates('Meow', 'Woof'), twoCandidates('!', '?', 'STOP')]),
	}));
	const chunks: StreamedChunk[] = [];
	const { output } = await runGemini(
		server,
		{ prompt: 'x', outputMode: 'perChunk', generationConfig: { candidateCount: 2 } },
		{ onChunk: (chunk) => chunks.push(chunk) },
	);
	expect(framed(chunks)).toEqual([
		[0, 'begin', null],
		[0, 'item', 'Meow'],
		[0, 'item', '!'],
		[0, 'end', null],
	]);
	expect(output(GEMINI).map((item) => [item.json.text, item.json.finishReason ?? null])).toEqual([
		['Meow', null],
		['!', 'STOP'],
	]);
});
