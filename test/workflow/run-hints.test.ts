/**
 * What the editor shows above the output after a run (n8n's execution hints, saved with the
 * run): answers cut off at MAX_TOKENS, safety stops, blocked prompts under Continue On Fail,
 * and the tokens the run used.
 */
import type { NodeExecutionHint } from 'n8n-workflow';

import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { lastUserText } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';

const server = useStandin();

const usage = (prompt: number, answer: number, thoughts = 0) => ({
	promptTokenCount: prompt,
	candidatesTokenCount: answer,
	...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
	totalTokenCount: prompt + answer + thoughts,
});

function byPrompt(request: Parameters<typeof lastUserText>[0]) {
	const prompt = lastUserText(request);
	const body = (() => {
		switch (prompt) {
			case 'long':
				return encodeSse([
					textChunk('It began', { finishReason: 'MAX_TOKENS', usage: usage(10, 5, 995) }),
				]);
			case 'unsafe':
				return encodeSse([textChunk('', { finishReason: 'SAFETY', usage: usage(10, 0) })]);
			case 'unmetered':
				return encodeSse([textChunk('No count.', { finishReason: 'STOP' })]);
			case 'blocked':
				return encodeSse([{ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }]);
			default:
				return encodeSse([textChunk('Fine.', { finishReason: 'STOP', usage: usage(10, 2) })]);
		}
	})();
	return { headers: { 'content-type': 'text/event-stream' }, body };
}

test('items that stopped short or were blocked, and the tokens used, show as hints', async () => {
	server.reset((request) => byPrompt(request.body));
	const rows = ['fine', 'long', 'unsafe', 'blocked', 'long', 'fine'].map((q) => ({ q }));
	const { run, output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}' },
		{ rows, settings: { onError: 'continueRegularOutput' } },
	);
	expect(output(GEMINI)).toHaveLength(6);
	const hints = run.data.resultData.runData[GEMINI][0].hints as NodeExecutionHint[];
	expect(hints).toEqual([
		{
			message:
				'The answer of items 1 and 4 stopped at MAX_TOKENS: it is cut off. Thinking took 1,990 of their tokens. Raise Max Output Tokens, or lower the thinking.',
			type: 'warning',
			location: 'outputPane',
		},
		{
			message: 'The answer of item 2 was stopped with SAFETY: its text is empty or cut off.',
			type: 'warning',
			location: 'outputPane',
		},
		{
			message: 'The prompt of item 3 was blocked (PROHIBITED_CONTENT): see the error in its place.',
			type: 'warning',
			location: 'outputPane',
		},
		{
			message:
				'Tokens of gemini-3-pro-preview for 5 answers: 50 prompt, 14 answer (and 1,990 thinking), 2,054 in all.',
			type: 'info',
			location: 'outputPane',
		},
	]);
});

test('a run where every answer is whole shows only the tokens', async () => {
	server.reset((request) => byPrompt(request.body));
	const { run } = await runGemini(server, { prompt: 'fine' });
	expect(run.data.resultData.runData[GEMINI][0].hints).toEqual([
		{
			message: 'Tokens of gemini-3-pro-preview for 1 answer: 10 prompt, 2 answer, 12 in all.',
			type: 'info',
			location: 'outputPane',
		},
	]);
});

test('answers that came without usageMetadata are not counted as zero tokens', async () => {
	server.reset((request) => byPrompt(request.body));
	const { run } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}' },
		{
			rows: ['fine', 'unmetered', 'fine'].map((q) => ({ q })),
		},
	);
	expect(run.data.resultData.runData[GEMINI][0].hints).toEqual([
		{
			message:
				'Tokens of gemini-3-pro-preview for 2 answers: 20 prompt, 4 answer, 24 in all. 1 more answer reported no token counts.',
			type: 'info',
			location: 'outputPane',
		},
	]);

	const alone = await runGemini(server, { prompt: 'unmetered' });
	expect(alone.run.data.resultData.runData[GEMINI][0].hints).toEqual([]);
});

test('tokens are summed per model by kind, with the answers Flex or a cache served', async () => {
	// usageMetadata as Gemini sends it: cachedContentTokenCount, a part of promptTokenCount
	// (implicit caching fills it too), and the tier that served the answer, `serviceTier`, as in
	// a recorded stream (vercel/ai, packages/google/src/__fixtures__/google-stream-gemini-3.7-
	// flash-2026-09-16.chunks.txt).
	server.reset((request) => {
		const flex = lastUserText(request.body) === 'flex';
		return {
			headers: { 'content-type': 'text/event-stream' },
			body: encodeSse([
				textChunk('Fine.', {
					finishReason: 'STOP',
					usage: {
						promptTokenCount: 1000,
						cachedContentTokenCount: 800,
						candidatesTokenCount: 5,
						totalTokenCount: 1005,
						...(flex ? { serviceTier: 'flex' } : { serviceTier: 'standard' }),
					},
				}),
			]),
		};
	});
	const rows = [
		{ q: 'flex', model: 'gemini-2.5-flash' },
		{ q: 'flex', model: 'gemini-2.5-flash' },
		{ q: 'standard', model: 'gemini-2.5-pro' },
	];
	const { run } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', model: { __rl: true, mode: 'id', value: '={{ $json.model }}' } },
		{ rows },
	);
	expect(run.data.resultData.runData[GEMINI][0].hints).toEqual([
		{
			message:
				'Tokens of gemini-2.5-flash for 2 answers: 2,000 prompt (1,600 of them cached), 10 answer, 2,010 in all; 2 served on flex, 2 read a cache.',
			type: 'info',
			location: 'outputPane',
		},
		{
			message:
				'Tokens of gemini-2.5-pro for 1 answer: 1,000 prompt (800 of them cached), 5 answer, 1,005 in all; 1 read a cache.',
			type: 'info',
			location: 'outputPane',
		},
	]);
});
