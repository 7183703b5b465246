/**
 * What comes out: recorded Gemini streams replayed by the stand-in one byte per network
 * write, read by the node inside a real workflow, in both output modes.
 */
import type { IDataObject } from 'n8n-workflow';

import { readGeminiStream } from '../../nodes/shared/gemini/sse-reader';
import type { GeminiResponseChunk } from '../../nodes/shared/gemini/types';
import { asStream, EXPECTED, expectText, FIXTURE_NAMES, readFixture } from '../helpers/fixtures';
import { pairedIndex } from '../helpers/items';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { encodeSse, functionCallChunk, textChunk } from '../standin/sse';

const server = useStandin();

function serveFixture(name: string, split = 1) {
	server.reset(() => ({
		status: 200,
		headers: { 'content-type': 'text/event-stream' },
		body: readFixture(name),
		split,
	}));
}

async function eventsOf(name: string): Promise<GeminiResponseChunk[]> {
	const events: GeminiResponseChunk[] = [];
	for await (const chunk of readGeminiStream(asStream([readFixture(name)]))) events.push(chunk);
	return events;
}

const answered = FIXTURE_NAMES.filter((name) => !EXPECTED[name].blockReason);
const blocked = FIXTURE_NAMES.filter((name) => EXPECTED[name].blockReason);

describe('Whole Answer output', () => {
	test.each(answered)('%s', async (name) => {
		const expected = EXPECTED[name];
		serveFixture(name);
		const { output, error } = await runGemini(server, { prompt: 'hi' });
		expect(error).toBeUndefined();
		const items = output(GEMINI);
		expect(items).toHaveLength(1);
		const [{ json, pairedItem }] = items;
		expect(pairedItem).toEqual({ item: 0 });
		expectText(json.text as string, { text: expected.text, digest: expected.textDigest });
		if (expected.thoughts) expectText(json.thoughts as string, { digest: expected.thoughts });
		else expect(json).not.toHaveProperty('thoughts');
		expect(json.finishReason).toBe(expected.finishReason);
		expect(json.chunkCount).toBe(expected.events);
		if (expected.usageMetadata) expect(json.usageMetadata).toEqual(expected.usageMetadata);
		if (expected.modelVersion) expect(json.modelVersion).toBe(expected.modelVersion);
		if (expected.functionCalls) expect(json.functionCalls).toEqual(expected.functionCalls);
		else expect(json).not.toHaveProperty('functionCalls');
		const content = json.content as {
			role: string;
			parts: Array<{ text?: string; thought?: boolean }>;
		};
		expect(content.role).toBe('model');
		const contentText = content.parts
			.filter((part) => !part.thought)
			.map((part) => part.text ?? '')
			.join('');
		expect(contentText).toBe(json.text);
	});

	test('a safety stop is not an error: the item carries the reason and the ratings', async () => {
		serveFixture('google-gemini__generative-ai-js__streaming-failure-finish-reason-safety.txt');
		const { output, error } = await runGemini(server, { prompt: 'hi' });
		expect(error).toBeUndefined();
		const [{ json }] = output(GEMINI);
		expect(json.finishReason).toBe('SAFETY');
		expect(json.safetyRatings).toContainEqual({
			category: 'HARM_CATEGORY_HATE_SPEECH',
			probability: 'HIGH',
		});
	});

	test('grounding metadata and the response id come out when sent', async () => {
		serveFixture('google-gemini__generative-ai-js__streaming-success-search-grounding.txt');
		const [{ json }] = (await runGemini(server, { prompt: 'hi' })).output(GEMINI);
		expect((json.groundingMetadata as { webSearchQueries: string[] }).webSearchQueries).toEqual([
			'what is the current google stock price',
		]);
		serveFixture(
			'FirebaseExtended__vertexai-sdk-test-data__googleai.streaming-success-thinking-reply-thought-summary.txt',
		);
		const [second] = (await runGemini(server, { prompt: 'hi' })).output(GEMINI);
		expect(second.json.responseId).toBe('0J-HaJetAqv0jrEPwu-tsQ0');
	});

	test('every field Google sends comes out, those of the first chunk only too (URL Context capture)', async () => {
		serveFixture(
			'FirebaseExtended__vertexai-sdk-test-data__googleai.streaming-success-url-context.txt',
		);
		const [{ json }] = (await runGemini(server, { prompt: 'hi' })).output(GEMINI);
		expect(json.urlContextMetadata).toEqual({
			urlMetadata: [
				{ retrievedUrl: 'https://google.com', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' },
			],
		});
		expect(Object.keys(json).sort()).toEqual(
			[
				'text',
				'finishReason',
				'groundingMetadata',
				'urlContextMetadata',
				'usageMetadata',
				'modelVersion',
				'responseId',
				'chunkCount',
				'content',
			].sort(),
		);
		expect((json.usageMetadata as IDataObject).toolUsePromptTokenCount).toBe(619);
	});

	test('Include Raw Chunks adds every event as received', async () => {
		const name = 'google-gemini__generative-ai-js__streaming-success-citations.txt';
		serveFixture(name, 97);
		const [{ json }] = (
			await runGemini(server, { prompt: 'hi', options: { includeRawChunks: true } })
		).output(GEMINI);
		expect(json.chunks).toEqual(await eventsOf(name));
		expect((json.citationMetadata as { citationSources: unknown[] }).citationSources).toHaveLength(
			2,
		);
	});

	test('an image becomes binary data; content keeps the part without its bytes, naming the binary', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
		server.reset(() => ({
			body: encodeSse([
				textChunk('Here is the picture.'),
				{
					candidates: [
						{
							content: {
								role: 'model',
								parts: [{ inlineData: { mimeType: 'image/png', data: png } }],
							},
							finishReason: 'STOP',
						},
					],
				},
			]),
		}));
		const [item] = (await runGemini(server, { prompt: 'draw' })).output(GEMINI);
		expect(item.binary?.data).toMatchObject({
			mimeType: 'image/png',
			fileName: 'image.png',
			fileExtension: 'png',
		});
		expect(item.binary?.data.data).toBe(png);
		expect(item.json.text).toBe('Here is the picture.');
		expect((item.json.content as { parts: unknown[] }).parts).toEqual([
			{ text: 'Here is the picture.' },
			{ inlineData: { mimeType: 'image/png', binaryProperty: 'data' } },
		]);
		expect(item.json.images).toEqual([
			{ binaryProperty: 'data', mimeType: 'image/png', fileName: 'image.png', fileSize: 16 },
		]);
	});

	test('with several candidates, the first is the main output and all are listed', async () => {
		server.reset(() => ({
			body: encodeSse([
				{
					candidates: [
						{ index: 0, content: { parts: [{ text: 'A' }] } },
						{ index: 1, content: { parts: [{ text: 'B' }] } },
					],
				},
				{
					candidates: [
						{ index: 0, finishReason: 'STOP' },
						{ index: 1, finishReason: 'STOP' },
					],
				},
			]),
		}));
		const [{ json }] = (
			await runGemini(server, { prompt: 'hi', generationConfig: { candidateCount: 2 } })
		).output(GEMINI);
		expect(json.text).toBe('A');
		expect(
			(json.candidates as Array<{ index: number; text: string }>).map(({ index, text }) => [
				index,
				text,
			]),
		).toEqual([
			[0, 'A'],
			[1, 'B'],
		]);
	});
});

describe('One Item per Chunk output', () => {
	test.each(answered)('%s', async (name) => {
		const expected = EXPECTED[name];
		serveFixture(name);
		const { output, error } = await runGemini(server, { prompt: 'hi', outputMode: 'perChunk' });
		expect(error).toBeUndefined();
		const items = output(GEMINI);
		const events = await eventsOf(name);
		expect(items).toHaveLength(expected.events);
		expect(items.map((item) => item.json.chunkIndex)).toEqual(events.map((_, index) => index));
		expect(items.map((item) => item.json.chunk)).toEqual(events);
		expect(items.every((item) => pairedIndex(item) === 0)).toBe(true);
		expectText(items.map((item) => item.json.text).join(''), {
			text: expected.text,
			digest: expected.textDigest,
		});
		const reasons = items
			.map((item) => item.json.finishReason)
			.filter((reason) => reason !== undefined);
		expect(reasons[reasons.length - 1] ?? null).toBe(expected.finishReason);
		if (expected.thoughts) {
			expectText(items.map((item) => item.json.thoughts ?? '').join(''), {
				digest: expected.thoughts,
			});
		}
	});

	test('the chunks of several input items come out grouped, in input order, each paired to its row', async () => {
		const { output } = await runGemini(
			server,
			{ prompt: '={{ $json.q }}', outputMode: 'perChunk' },
			{ rows: [{ q: 'a' }, { q: 'b' }, { q: 'c' }] },
		);
		expect(output(GEMINI).map((item) => [pairedIndex(item), item.json.text])).toEqual([
			[0, 'Echo: '],
			[0, 'a'],
			[0, '.'],
			[1, 'Echo: '],
			[1, 'b'],
			[1, '.'],
			[2, 'Echo: '],
			[2, 'c'],
			[2, '.'],
		]);
	});
});

describe('a blocked prompt is an error naming the reason', () => {
	test.each(
		blocked.flatMap((name) => [
			[name, 'collect'],
			[name, 'perChunk'],
		]),
	)('%s (%s)', async (name, outputMode) => {
		serveFixture(name);
		const { error } = await runGemini(server, { prompt: 'hi', outputMode });
		expect(error?.message).toBe('The prompt was blocked: SAFETY');
	});
});

describe('JSON mode (Response MIME Type application/json)', () => {
	// The last chunk ends the answer, as Gemini's last chunk does.
	const jsonAnswer = (parts: string[]) => () => ({
		body: encodeSse(
			parts.map((text, index) =>
				textChunk(text, index === parts.length - 1 ? { finishReason: 'STOP' } : {}),
			),
		),
	});

	test('the item also carries the parsed answer in `json`, even when the JSON came in pieces', async () => {
		server.reset(jsonAnswer(['{"name": "Ne', 'ko", "legs": ', '4}']));
		const [{ json }] = (
			await runGemini(server, {
				prompt: 'hi',
				generationConfig: { responseMimeType: 'application/json' },
			})
		).output(GEMINI);
		expect(json.text).toBe('{"name": "Neko", "legs": 4}');
		expect(json.json).toEqual({ name: 'Neko', legs: 4 });
	});

	test('with Response JSON Schema the answer is parsed into `json` the same way', async () => {
		server.reset(jsonAnswer(['{"name": "Neko", "pet": {"kind": "cat"}, ', '"age": null}']));
		const [{ json }] = (
			await runGemini(server, {
				prompt: 'hi',
				generationConfig: {
					responseMimeType: 'application/json',
					responseJsonSchema:
						'{"type": "object", "properties": {"age": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}}',
				},
			})
		).output(GEMINI);
		expect(json.json).toEqual({ name: 'Neko', pet: { kind: 'cat' }, age: null });
	});

	test('with Response JSON Schema, an answer that is not JSON fails as in JSON mode', async () => {
		server.reset(jsonAnswer(['{"name": ']));
		const { error } = await runGemini(server, {
			prompt: 'hi',
			generationConfig: { responseMimeType: 'application/json', responseJsonSchema: '{}' },
		});
		expect(error?.message).toMatch(/^The answer is not valid JSON: /);
	});

	test('with Response JSON Schema and a MIME type other than JSON, the answer stays text', async () => {
		server.reset(jsonAnswer(['{"a": 1}']));
		const [{ json }] = (
			await runGemini(server, {
				prompt: 'hi',
				generationConfig: { responseMimeType: 'text/plain', responseJsonSchema: '{}' },
			})
		).output(GEMINI);
		expect(json).not.toHaveProperty('json');
		expect(json.text).toBe('{"a": 1}');
	});

	test('an answer that is not JSON is a clear error that keeps the raw text', async () => {
		server.reset(jsonAnswer(['Sure! Here is the JSON: {"name": "Neko"']));
		const { error } = await runGemini(server, {
			prompt: 'hi',
			generationConfig: { responseMimeType: 'application/json' },
		});
		expect(error?.message).toMatch(/^The answer is not valid JSON: /);
		expect((error as { description?: string }).description).toContain(
			'Sure! Here is the JSON: {"name": "Neko"',
		);
	});

	const JSON_MODE = { responseMimeType: 'application/json' };

	test.each([
		[
			'MAX_TOKENS',
			'The answer was cut off at MAX_TOKENS before the JSON was complete',
			'{"name": "Ne',
		],
		[
			'SAFETY',
			'The answer ended with SAFETY (the answer was stopped by the safety filters) before the JSON was complete',
			'{"name": ',
		],
		[
			'RECITATION',
			'The answer ended with RECITATION (the answer was stopped because it recited protected material) before the JSON was complete',
			'',
		],
	])(
		'an answer that stopped with %s names that, not a JSON syntax error',
		async (reason, message, text) => {
			server.reset(() => ({
				body: encodeSse([textChunk(text, { finishReason: reason })]),
			}));
			const { error } = await runGemini(server, { prompt: 'hi', generationConfig: JSON_MODE });
			expect(error?.message).toBe(message);
			expect((error as { description?: string }).description).toBe(
				text
					? `Response MIME Type is application/json, but the model answered:\n${text}`
					: 'Response MIME Type is application/json, but the model sent no text.',
			);
		},
	);

	test('an answer that calls functions instead has its function calls and no `json`', async () => {
		server.reset(() => ({
			body: encodeSse([functionCallChunk('get_weather', [{ city: 'Paris' }])]),
		}));
		const { error, output } = await runGemini(server, {
			prompt: 'hi',
			generationConfig: JSON_MODE,
		});
		expect(error).toBeUndefined();
		const [{ json }] = output(GEMINI);
		expect(json).not.toHaveProperty('json');
		expect(json.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
	});

	test('without JSON mode there is no `json` field', async () => {
		server.reset(jsonAnswer(['{"a": 1}']));
		const [{ json }] = (await runGemini(server, { prompt: 'hi' })).output(GEMINI);
		expect(json).not.toHaveProperty('json');
	});
});

test('code execution parts stay in content, in order, and out of text', async () => {
	const code = { executableCode: { language: 'PYTHON', code: 'print(6 * 7)' } };
	const result = { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' } };
	server.reset(() => ({
		body: encodeSse([
			{ candidates: [{ content: { role: 'model', parts: [{ text: 'Let me compute. ' }, code] } }] },
			{
				candidates: [
					{
						content: { role: 'model', parts: [result, { text: 'It is 42.' }] },
						finishReason: 'STOP',
					},
				],
			},
		]),
	}));
	const [{ json }] = (
		await runGemini(server, { prompt: 'hi', tools: { codeExecution: true } })
	).output(GEMINI);
	expect(json.text).toBe('Let me compute. It is 42.');
	expect(json.content).toEqual({
		role: 'model',
		parts: [{ text: 'Let me compute. ' }, code, result, { text: 'It is 42.' }],
	});
});
