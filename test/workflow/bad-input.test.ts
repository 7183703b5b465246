/**
 * Bad input, as a careless user or a broken server gives it: every case ends with a clear
 * error that names the item and the field (or what came back), and, with Continue On Fail,
 * every other row still comes out, in order, paired to its input, in both output modes.
 * (Secrets and Base URLs: secrets.test.ts. Transport faults: faults.test.ts.)
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { pairedIndex } from '../helpers/items';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { echoScript, lastUserText, type ReplyScript, type ScriptedReply } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';

const server = useStandin();

const CONTINUE = { onError: 'continueRegularOutput' } as const;
const OUTPUT_MODES = ['collect', 'perChunk'] as const;
const SSE = { 'content-type': 'text/event-stream' };

/** Three rows; the middle one carries the bad value in `bad` (absent when undefined). */
const rowsWith = (bad: unknown): IDataObject[] => [
	{ q: 'one', bad: 'fine' },
	bad === undefined ? { q: 'two' } : { q: 'two', bad: bad as IDataObject[string] },
	{ q: 'three', bad: 'fine' },
];

interface ParameterCase {
	name: string;
	parameters: IDataObject;
	bad: unknown;
	error: string;
}

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

// The bad row's value comes from `$json.bad`; the other rows' values are fine.
const parameterCases: ParameterCase[] = [
	{
		name: 'a prompt whose expression finds no such column',
		parameters: { prompt: '={{ $json.bad === "fine" ? $json.q : $json.missing }}' },
		bad: undefined,
		error: '"Prompt" of item 1 is empty',
	},
	{
		name: 'a prompt whose expression returns null',
		parameters: { prompt: '={{ $json.bad === "fine" ? $json.q : null }}' },
		bad: null,
		error: '"Prompt" of item 1 is empty',
	},
	{
		name: "a message's text that is missing",
		parameters: {
			contentsMode: 'messages',
			messages: {
				values: [{ role: 'user', text: '={{ $json.bad === "fine" ? $json.q : undefined }}' }],
			},
		},
		bad: undefined,
		error: '"Messages" of item 1 has no text in message 1',
	},
	{
		name: 'Contents (JSON) nested 10,000 levels deep',
		parameters: {
			contentsMode: 'json',
			contentsJson: `={{ $json.bad === "fine" ? [{ role: "user", parts: [{ text: $json.q }] }] : $json.bad }}`,
		},
		bad: deep(10_000),
		error: '"Contents (JSON)" of item 1 is nested more than 100 levels deep',
	},
	{
		name: 'Contents (JSON) from an expression that returns an object nested 10,000 levels deep',
		parameters: {
			contentsMode: 'json',
			contentsJson: `={{ $json.bad === "fine" ? [{ role: "user", parts: [{ text: $json.q }] }] : (() => { let value = [{ role: "user", parts: [{ text: "x" }] }]; for (let i = 0; i < 10000; i++) value = [value]; return value; })() }}`,
		},
		bad: 'deep',
		error: '"Contents (JSON)" of item 1 is nested more than 100 levels deep',
	},
	{
		name: 'a model ID of 1 MB (an expression gone wrong)',
		parameters: {
			prompt: '={{ $json.q }}',
			model: {
				__rl: true,
				mode: 'id',
				value: '={{ $json.bad === "fine" ? "gemini-3-pro-preview" : "a".repeat(1000000) }}',
			},
		},
		bad: 'long',
		error: '"Model" of item 1 is 1000000 characters long; a model ID has at most 256',
	},
	{
		name: 'Contents (JSON) with a null part',
		parameters: {
			contentsMode: 'json',
			contentsJson: `={{ [{ role: "user", parts: $json.bad === "fine" ? [{ text: $json.q }] : [{ text: "x" }, null] }] }}`,
		},
		bad: 'null part',
		error: '"Contents (JSON)" of item 1 has part 2 of turn 1 that is null',
	},
	{
		name: 'Contents (JSON) with an empty part',
		parameters: {
			contentsMode: 'json',
			contentsJson: `={{ [{ role: "user", parts: $json.bad === "fine" ? [{ text: $json.q }] : [{}] }] }}`,
		},
		bad: 'empty part',
		error: '"Contents (JSON)" of item 1 has part 1 of turn 1 that is empty',
	},
	{
		name: 'Contents (JSON) with a part that has no content',
		parameters: {
			contentsMode: 'json',
			contentsJson: `={{ [{ role: "user", parts: $json.bad === "fine" ? [{ text: $json.q }] : [{ thought: true }] }] }}`,
		},
		bad: 'no content',
		error:
			'"Contents (JSON)" of item 1 has part 1 of turn 1 with no content (one of text, inlineData, fileData, functionCall, functionResponse, executableCode, codeExecutionResult)',
	},
	...(
		[
			[
				'temperature "hot"',
				'temperature',
				'"hot"',
				'must be a number from 0 to 2, not "hot"',
				'Temperature',
			],
			[
				'temperature -1',
				'temperature',
				'-1',
				'must be a number from 0 to 2, not -1',
				'Temperature',
			],
			[
				'temperature NaN',
				'temperature',
				'NaN',
				'must be a number from 0 to 2, not NaN',
				'Temperature',
			],
			[
				'temperature Infinity',
				'temperature',
				'Infinity',
				'must be a number from 0 to 2, not Infinity',
				'Temperature',
			],
			[
				'temperature an object',
				'temperature',
				'{ a: 1 }',
				'must be a number from 0 to 2, not {"a":1}',
				'Temperature',
			],
			['top K "abc"', 'topK', '"abc"', 'must be a whole number of at least 1, not "abc"', 'Top K'],
			['top K 2.5', 'topK', '2.5', 'must be a whole number of at least 1, not 2.5', 'Top K'],
			[
				'candidate count 0',
				'candidateCount',
				'0',
				'must be a whole number of at least 1, not 0',
				'Candidate Count',
			],
			['top P 1.5', 'topP', '1.5', 'must be a number from 0 to 1, not 1.5', 'Top P'],
			[
				'stop sequences as a list of objects',
				'stopSequences',
				'[{ a: 1 }]',
				'must be text or a list of texts, not [{"a":1}]',
				'Stop Sequences',
			],
			[
				'six stop sequences',
				'stopSequences',
				'["a", "b", "c", "d", "e", "f"]',
				'has 6 sequences; the API takes at most 5',
				'Stop Sequences',
			],
			[
				'a thinking level that does not exist',
				'thinkingLevel',
				'"extreme"',
				'must be one of minimal, low, medium, high, not "extreme"',
				'Thinking Level',
			],
			[
				'a response MIME type the API does not take',
				'responseMimeType',
				'"text/csv"',
				'must be one of text/plain, application/json, text/x.enum, not "text/csv"',
				'Response MIME Type',
			],
		] as const
	).map(([name, key, expression, problem, field]) => ({
		name,
		parameters: {
			prompt: '={{ $json.q }}',
			generationConfig: { [key]: `={{ $json.bad === "fine" ? undefined : ${expression} }}` },
		},
		bad: 'bad',
		error: `"${field}" of item 1 ${problem}`,
	})),
	{
		name: 'a safety setting that does not exist',
		parameters: {
			prompt: '={{ $json.q }}',
			safetySettings: {
				values: [
					{
						category:
							'={{ $json.bad === "fine" ? "HARM_CATEGORY_HARASSMENT" : "HARM_CATEGORY_ANNOYING" }}',
						threshold: 'BLOCK_ONLY_HIGH',
					},
				],
			},
		},
		bad: 'bad',
		error:
			'"Safety Settings" of item 1 has the unknown category "HARM_CATEGORY_ANNOYING" in setting 1',
	},
];

describe.each(OUTPUT_MODES)(
	'bad parameters (%s): the row fails before any request, the others go on',
	(outputMode) => {
		test.each(parameterCases)('$name', async ({ parameters, bad, error }) => {
			server.reset((request) => echoScript(request));
			const { output, error: runError } = await runGemini(
				server,
				{ ...parameters, outputMode },
				{ rows: rowsWith(bad), settings: CONTINUE },
			);
			expect(runError).toBeUndefined();
			const items = output(GEMINI);
			const failed = items.filter((item) => item.json.error !== undefined);
			expect(failed.map((item) => item.json.error)).toEqual([error]);
			expect(pairedIndex(failed[0])).toBe(1);
			expect(failed[0].json.message).toEqual(expect.any(String));
			expect(failed[0].json.message).not.toBe('undefined');
			// Every row but the bad one was sent; the bad one never was.
			const sentRows = server.generateRequests.map((request) => lastUserText(request.body));
			expect(sentRows).not.toContain('two');
			expect(sentRows).toHaveLength(2);
			// In input order: row 0's items, the error item, row 2's items.
			const order = items.map(pairedIndex);
			expect(order).toEqual([...order].sort());
			expect(new Set(order)).toEqual(new Set([0, 1, 2]));
		});
	},
);

test('a System Instruction whose expression returns a number or an object is sent as its text', async () => {
	await runGemini(
		server,
		{ prompt: 'hi', systemInstruction: '={{ $json.instruction }}' },
		{ rows: [{ instruction: 42 }, { instruction: { persona: 'cat' } }] },
	);
	expect(
		server.generateRequests.map((request) => (request.body as IDataObject).systemInstruction),
	).toEqual([{ parts: [{ text: '42' }] }, { parts: [{ text: '{"persona":"cat"}' }] }]);
});

interface ReplyCase {
	name: string;
	reply: ScriptedReply;
	error: string;
}

const replyCases: ReplyCase[] = [
	{
		name: 'an empty 200',
		reply: { status: 200, headers: SSE, body: '' },
		error: 'The API answered with an empty stream: no answer and no error',
	},
	{
		name: 'a 204',
		reply: { status: 204, headers: {}, body: '' },
		error: 'The API answered with an empty stream: no answer and no error',
	},
	{
		name: 'a stream of only comments and [DONE]',
		reply: { headers: SSE, body: ': PING\n\n: PING\n\ndata: [DONE]\n\n' },
		error: 'The API answered with an empty stream: no answer and no error',
	},
	{
		name: 'events without candidates or promptFeedback',
		reply: {
			headers: SSE,
			body: encodeSse([{ usageMetadata: { totalTokenCount: 1 } }, { modelVersion: 'x' }]),
		},
		error: 'The API answered with 2 events but no Gemini answer (no candidates, no promptFeedback)',
	},
	{
		name: 'an error given as text',
		reply: { headers: SSE, body: encodeSse([{ error: 'quota exceeded' }]) },
		error: 'The stream reported an error: quota exceeded',
	},
	{
		name: 'candidates that are not a list',
		reply: { headers: SSE, body: 'data: {"candidates": {"text": "hi"}}\n\n' },
		error:
			'The stream sent an event that is not a Gemini response (candidates is not a list): {"candidates": {"text": "hi"}}',
	},
	{
		name: 'parts that are not a list',
		reply: { headers: SSE, body: 'data: {"candidates": [{"content": {"parts": "hi"}}]}\n\n' },
		error:
			'The stream sent an event that is not a Gemini response (content.parts is not a list): {"candidates": [{"content": {"parts": "hi"}}]}',
	},
	{
		name: 'a text that is not text',
		reply: {
			headers: SSE,
			body: 'data: {"candidates": [{"content": {"parts": [{"text": 7}]}}]}\n\n',
		},
		error:
			'The stream sent an event that is not a Gemini response (a part\'s text is not text): {"candidates": [{"content": {"parts": [{"text": 7}]}}]}',
	},
	{
		name: 'an event nested 100,000 levels deep',
		reply: {
			headers: SSE,
			body: `data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": {"a": ${deep(100_000)}}}}]}}]}\n\n`,
		},
		error: 'The stream sent an event nested more than 100 levels deep',
	},
];

describe.each(OUTPUT_MODES)(
	'a 200 that is no Gemini answer (%s): an error naming what came back',
	(outputMode) => {
		test.each(replyCases)('$name', async ({ reply, error }) => {
			server.reset((request) =>
				lastUserText(request.body) === 'two' ? reply : echoScript(request),
			);
			const { output, error: runError } = await runGemini(
				server,
				{ prompt: '={{ $json.q }}', outputMode },
				{ rows: rowsWith('x'), settings: CONTINUE },
			);
			expect(runError).toBeUndefined();
			const items = output(GEMINI);
			const failed = items.filter((item) => item.json.error !== undefined);
			expect(failed.map((item) => item.json.error)).toEqual([error]);
			expect(pairedIndex(failed[0])).toBe(1);
			const order = items.map(pairedIndex);
			expect(order).toEqual([...order].sort());
			// The same in both modes: not retried.
			const sent = server.generateRequests.filter(
				(request) => lastUserText(request.body) === 'two',
			);
			expect(sent).toHaveLength(1);
		});
	},
);

test('a wait asked for beyond what a timer holds fails at once, naming it', async () => {
	server.reset((request) =>
		lastUserText(request.body) === 'two'
			? {
					status: 429,
					headers: { 'content-type': 'application/json', 'retry-after': '3000000' },
					body: JSON.stringify({
						error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Slow down' },
					}),
				}
			: echoScript(request),
	);
	// Waiting would last 35 days: a run that ends within jest's 30 s did not wait.
	const { output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { maxRetryDelay: 3_000_000_000 } },
		{ rows: rowsWith('x'), settings: CONTINUE },
	);
	expect(output(GEMINI)[1].json).toEqual({
		error: '429 RESOURCE_EXHAUSTED: Slow down',
		message:
			'Rate limit or quota reached. Wait and retry, lower the number of parallel requests, or check your quota.\n\nThe API asked to wait 3000000000 ms before retrying, longer than Max Retry Delay (2147483647 ms).',
	});
});

describe('Max Response Size bounds what the node holds', () => {
	// 100 small events, about 7 KB in all, under a 10 KB limit.
	const events = encodeSse(
		Array.from({ length: 100 }, (_, index) => ({
			candidates: [
				{
					content: { parts: [{ text: String(index % 10) }] },
					...(index === 99 ? { finishReason: 'STOP' } : {}),
				},
			],
		})),
	);
	const options = { maxResponseSize: 0.01, maxRetries: 0 };

	test('Whole Answer: the bytes, which fit', async () => {
		server.reset(() => ({ headers: SSE, body: events }));
		const { output, error } = await runGemini(server, { prompt: 'hi', options });
		expect(error).toBeUndefined();
		expect(String(output(GEMINI)[0].json.text)).toHaveLength(100);
	});

	test('One Item per Chunk: the items those events become, which do not', async () => {
		server.reset(() => ({ headers: SSE, body: events }));
		const { error } = await runGemini(server, { prompt: 'hi', outputMode: 'perChunk', options });
		expect(error?.message).toMatch(
			/^The answer's \d+ chunks, one item each, would hold more than Max Response Size \(0.01 MB\)$/,
		);
	});
});

/** Runs three rows, the middle one answered by `reply`; returns the items and the middle ones. */
async function runWithMiddleReply(
	reply: ScriptedReply,
	parameters: IDataObject,
	others: ReplyScript = echoScript,
): Promise<{ items: INodeExecutionData[]; middle: IDataObject[] }> {
	server.reset((request) => (lastUserText(request.body) === 'two' ? reply : others(request)));
	const { output, error } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', ...parameters },
		{ rows: rowsWith('x'), settings: CONTINUE },
	);
	expect(error).toBeUndefined();
	const items = output(GEMINI);
	// In input order, every row there, each item paired with its row.
	const order = items.map(pairedIndex);
	expect(order).toEqual([...order].sort());
	expect(new Set(order)).toEqual(new Set([0, 1, 2]));
	return {
		items,
		middle: items.filter((item) => pairedIndex(item) === 1).map((item) => item.json),
	};
}

describe.each(OUTPUT_MODES)('a stream that ends cleanly mid-answer (%s)', (outputMode) => {
	test("is the row's error, with the partial text, not a success", async () => {
		// No finishReason on any chunk: a relay or proxy cut the answer at its own timeout.
		const { middle } = await runWithMiddleReply(
			{ headers: SSE, body: encodeSse([textChunk('Half an '), textChunk('answer')]) },
			{ outputMode },
		);
		const failed = middle.filter((json) => json.error !== undefined);
		expect(failed).toEqual([
			{
				error:
					'The answer ended without a finish reason after 14 characters: the stream was cut off',
				message: 'Text received before the failure: Half an answer',
			},
		]);
		// What came before the cut was handed on (as chunk items): not sent again.
		expect(server.generateRequests.filter((r) => lastUserText(r.body) === 'two')).toHaveLength(1);
	});
});

describe.each(OUTPUT_MODES)('events that carry nothing (%s)', (outputMode) => {
	test('keep-alive events ({}) give no item', async () => {
		const { middle } = await runWithMiddleReply(
			{
				headers: SSE,
				body: encodeSse([{}, {}, textChunk('Hi'), {}, textChunk('.', { finishReason: 'STOP' })]),
			},
			{ outputMode },
		);
		if (outputMode === 'perChunk') {
			expect(middle.map((json) => [json.chunkIndex, json.text])).toEqual([
				[0, 'Hi'],
				[1, '.'],
			]);
		} else {
			expect(middle).toHaveLength(1);
			expect(middle[0]).toMatchObject({ text: 'Hi.', finishReason: 'STOP', chunkCount: 2 });
		}
	});

	test('an OpenAI-shaped stream is only its error, no blank items before it', async () => {
		const openAiChunk = (content: string) => ({
			id: 'chatcmpl-1',
			object: 'chat.completion.chunk',
			choices: [{ index: 0, delta: { content } }],
		});
		const { middle } = await runWithMiddleReply(
			{ headers: SSE, body: encodeSse([openAiChunk('Hi'), openAiChunk('!'), '[DONE]']) },
			{ outputMode },
		);
		expect(middle.map((json) => json.error)).toEqual([
			'The API answered with 2 events but no Gemini answer (no candidates, no promptFeedback)',
		]);
	});
});

test("a JSON-mode answer nested 100,000 levels deep is the row's error, not kept in json", async () => {
	const { items, middle } = await runWithMiddleReply(
		{ headers: SSE, body: encodeSse([textChunk(deep(100_000), { finishReason: 'STOP' })]) },
		{ generationConfig: { responseMimeType: 'application/json' } },
		() => ({
			headers: SSE,
			body: encodeSse([textChunk('{"ok": true}', { finishReason: 'STOP' })]),
		}),
	);
	expect(items.filter((item) => pairedIndex(item) !== 1).map((item) => item.json.json)).toEqual([
		{ ok: true },
		{ ok: true },
	]);
	expect(middle).toHaveLength(1);
	expect(middle[0].error).toBe('The answer is JSON nested more than 100 levels deep');
	expect(middle[0].json).toBeUndefined();
});
