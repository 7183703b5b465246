import { AnswerCollector, blockedPromptReason } from '../../nodes/shared/gemini/answer-collector';
import { readGeminiStream } from '../../nodes/shared/gemini/sse-reader';
import type { GeminiPart, GeminiResponseChunk } from '../../nodes/shared/gemini/types';
import { asStream, EXPECTED, expectText, FIXTURE_NAMES, readFixture } from '../helpers/fixtures';

function collect(chunks: GeminiResponseChunk[]) {
	const collector = new AnswerCollector();
	for (const chunk of chunks) collector.add(chunk);
	return collector.result();
}

function partsChunk(
	parts: GeminiPart[],
	extra: Partial<GeminiResponseChunk> = {},
): GeminiResponseChunk {
	return { candidates: [{ content: { role: 'model', parts }, index: 0 }], ...extra };
}

describe('collecting each recorded stream', () => {
	test.each(FIXTURE_NAMES)('%s', async (name) => {
		const expected = EXPECTED[name];
		const collector = new AnswerCollector();
		for await (const chunk of readGeminiStream(asStream([readFixture(name)]))) collector.add(chunk);
		const answer = collector.result();
		const first = answer.candidates[0];

		expect(answer.chunkCount).toBe(expected.events);
		expectText(first?.text ?? '', { text: expected.text, digest: expected.textDigest });
		if (expected.thoughts) expectText(first.thoughts, { digest: expected.thoughts });
		else expect(first?.thoughts ?? '').toBe('');
		expect(first?.finishReason ?? null).toBe(expected.finishReason);
		if (expected.usageMetadata) expect(answer.usageMetadata).toEqual(expected.usageMetadata);
		if (expected.modelVersion) expect(answer.fields.modelVersion).toBe(expected.modelVersion);
		expect(blockedPromptReason(answer)).toBe(expected.blockReason);
		if (expected.functionCalls) {
			expect(first.content.parts.map((part) => part.functionCall)).toEqual(expected.functionCalls);
		}
	});

	test('thought summaries stay apart from the answer in content, as two merged parts', async () => {
		const name = FIXTURE_NAMES.find((file) => file.includes('thought-summary')) as string;
		const collector = new AnswerCollector();
		for await (const chunk of readGeminiStream(asStream([readFixture(name)]))) collector.add(chunk);
		const { parts } = collector.result().candidates[0].content;
		expect(parts.map((part) => Boolean(part.thought))).toEqual([true, false]);
		expect(parts[1].text).toBe(EXPECTED[name].text);
	});

	test('grounding metadata sent with the last chunk is kept', async () => {
		const name = FIXTURE_NAMES.find((file) => file.includes('search-grounding')) as string;
		const collector = new AnswerCollector();
		for await (const chunk of readGeminiStream(asStream([readFixture(name)]))) collector.add(chunk);
		const grounding = collector.result().candidates[0].fields.groundingMetadata as Record<
			string,
			unknown
		>;
		expect(grounding.webSearchQueries).toEqual(['what is the current google stock price']);
	});

	test('a field sent in one chunk only is kept, and so is every field the collector does not know', async () => {
		const name = FIXTURE_NAMES.find((file) => file.includes('url-context')) as string;
		const collector = new AnswerCollector();
		for await (const chunk of readGeminiStream(asStream([readFixture(name)]))) collector.add(chunk);
		collector.add({
			candidates: [{ index: 0, avgLogprobs: -0.25, futureField: { kept: true } }],
			modelStatus: { modelStage: 'STABLE' },
		});
		const answer = collector.result();
		// In the recorded stream, urlContextMetadata comes with the first of 4 chunks only.
		expect(answer.candidates[0].fields).toEqual({
			groundingMetadata: expect.objectContaining({ groundingChunks: expect.any(Array) }),
			urlContextMetadata: {
				urlMetadata: [
					{
						retrievedUrl: 'https://google.com',
						urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS',
					},
				],
			},
			avgLogprobs: -0.25,
			futureField: { kept: true },
		});
		expect(answer.fields).toEqual({
			modelVersion: 'gemini-2.5-flash',
			responseId: 'IJLJaPGIL7uN1MkPvI6K0QQ',
			modelStatus: { modelStage: 'STABLE' },
		});
	});

	test("citation sources are kept once each, though every chunk repeats them (Google's recorded stream)", async () => {
		const name = FIXTURE_NAMES.find((file) => file.includes('citations')) as string;
		const collector = new AnswerCollector();
		let repeated = 0;
		for await (const chunk of readGeminiStream(asStream([readFixture(name)]))) {
			repeated += chunk.candidates?.[0]?.citationMetadata?.citationSources?.length ?? 0;
			collector.add(chunk);
		}
		expect(repeated).toBe(6);
		expect(collector.result().candidates[0].citationSources).toEqual([
			{ startIndex: 574, endIndex: 705, uri: 'https://www.example.com', license: '' },
			{ startIndex: 899, endIndex: 1026, uri: 'https://www.example.com', license: '' },
		]);
	});

	test('the partial text of an interrupted answer is the first answer, whatever order candidates come in', () => {
		const collector = new AnswerCollector();
		collector.add({
			candidates: [
				{ index: 1, content: { parts: [{ text: 'second' }] } },
				{ index: 0, content: { parts: [{ text: 'first' }] } },
			],
		});
		expect(collector.partialText).toBe('first');
	});
});

describe('merging parts into content', () => {
	test('adjacent answer text parts merge into one', () => {
		const answer = collect([partsChunk([{ text: 'Hel' }]), partsChunk([{ text: 'lo' }])]);
		expect(answer.candidates[0].content).toEqual({ role: 'model', parts: [{ text: 'Hello' }] });
	});

	test('a part with a thought signature is never merged with its neighbours', () => {
		const answer = collect([
			partsChunk([{ text: 'a' }]),
			partsChunk([{ text: 'b', thoughtSignature: 'sig-1' }]),
			partsChunk([{ text: 'c' }]),
			partsChunk([{ text: 'd' }]),
		]);
		expect(answer.candidates[0].content.parts).toEqual([
			{ text: 'a' },
			{ text: 'b', thoughtSignature: 'sig-1' },
			{ text: 'cd' },
		]);
		expect(answer.candidates[0].text).toBe('abcd');
	});

	test('an empty text part that carries a signature is kept; other empty text parts are dropped', () => {
		const answer = collect([
			partsChunk([{ text: 'Done.' }]),
			partsChunk([{ text: '' }]),
			partsChunk([{ text: '', thoughtSignature: 'sig-end' }]),
		]);
		expect(answer.candidates[0].content.parts).toEqual([
			{ text: 'Done.' },
			{ text: '', thoughtSignature: 'sig-end' },
		]);
	});

	test('function calls keep their place, signature and arguments', () => {
		const call = { functionCall: { name: 'lookup', args: { id: 7 } }, thoughtSignature: 'sig-fc' };
		const answer = collect([
			partsChunk([{ text: 'Checking.' }, call]),
			partsChunk([{ text: ' Wait.' }]),
		]);
		expect(answer.candidates[0].content.parts).toEqual([
			{ text: 'Checking.' },
			call,
			{ text: ' Wait.' },
		]);
	});

	test('merging does not change the chunks it was given', () => {
		const first = partsChunk([{ text: 'a' }]);
		collect([first, partsChunk([{ text: 'b' }])]);
		expect(first.candidates?.[0].content?.parts).toEqual([{ text: 'a' }]);
	});
});

describe('sparse chunks', () => {
	test('chunks without candidates, content or parts are counted and change nothing else', () => {
		const answer = collect([
			{},
			{ candidates: [] },
			{ candidates: [{ index: 0 }] },
			{ candidates: [{ content: {} }] },
			{ candidates: [{ content: { parts: [] } }] },
			partsChunk([{ text: 'ok' }]),
		]);
		expect(answer.chunkCount).toBe(6);
		expect(answer.candidates[0].text).toBe('ok');
	});

	test('usage metadata is cumulative: the last one is kept', () => {
		const answer = collect([
			partsChunk([{ text: 'a' }], { usageMetadata: { totalTokenCount: 3 } }),
			partsChunk([{ text: 'b' }]),
			partsChunk([{ text: 'c' }], { usageMetadata: { totalTokenCount: 9 } }),
		]);
		expect(answer.usageMetadata).toEqual({ totalTokenCount: 9 });
	});

	test('several candidates are collected apart, by index', () => {
		const answer = collect([
			{
				candidates: [
					{ index: 1, content: { parts: [{ text: 'B1' }] } },
					{ index: 0, content: { parts: [{ text: 'A1' }] } },
				],
			},
			{ candidates: [{ index: 0, content: { parts: [{ text: 'A2' }] }, finishReason: 'STOP' }] },
			{
				candidates: [
					{ index: 1, content: { parts: [{ text: 'B2' }] }, finishReason: 'MAX_TOKENS' },
				],
			},
		]);
		expect(answer.candidates.map((c) => [c.index, c.text, c.finishReason])).toEqual([
			[0, 'A1A2', 'STOP'],
			[1, 'B1B2', 'MAX_TOKENS'],
		]);
	});

	test('a block reason with an answer is not a blocked prompt', () => {
		const answer = collect([
			partsChunk([{ text: 'hi' }], { promptFeedback: { blockReason: 'OTHER' } }),
		]);
		expect(blockedPromptReason(answer)).toBeUndefined();
	});

	test('partial text is available while the stream is still running', () => {
		const collector = new AnswerCollector();
		collector.add(partsChunk([{ text: 'so ' }, { text: 'thinking', thought: true }]));
		collector.add(partsChunk([{ text: 'far' }]));
		expect(collector.partialText).toBe('so far');
	});
});
