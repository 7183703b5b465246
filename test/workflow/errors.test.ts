/**
 * Failures, as n8n users meet them: the message and hint of each API error, streams that break,
 * bad parameters caught before any request, and Continue On Fail keeping every row in place.
 */
import type { IDataObject, IRun } from 'n8n-workflow';

import { pairedIndex } from '../helpers/items';
import { GEMINI, type GeminiRunOptions, runGemini, useStandin } from '../helpers/workflow';
import {
	errorReply,
	lastUserText,
	type ScriptedReply,
	STANDIN_TOKEN,
	UNAUTHENTICATED_MESSAGE,
} from '../standin/server';
import { encodeSse, rpcError, textChunk } from '../standin/sse';

const server = useStandin();

/** These tests read the error of a single attempt; retries have their own tests (faults.test.ts). */
async function runOnce(parameters: IDataObject, options?: GeminiRunOptions) {
	const withOptions = {
		...parameters,
		options: { maxRetries: 0, ...(parameters.options as IDataObject) },
	};
	return await runGemini(server, withOptions, options);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8' };
const SSE_HEADERS = { 'content-type': 'text/event-stream' };

type RunError = NonNullable<IRun['data']['resultData']['error']> & {
	description?: string;
	httpCode?: string;
	context: { itemIndex?: number };
};

describe('API errors carry the status, Google’s status and message, and a hint', () => {
	const cases: Array<[number, string, string, RegExp]> = [
		[400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', /Check the contents/],
		[
			403,
			'PERMISSION_DENIED',
			'The caller does not have permission',
			/not allowed to use this model/,
		],
		[
			404,
			'NOT_FOUND',
			'models/gemini-9 is not found for API version v1beta',
			/Check the model name/,
		],
		[429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric', /Rate limit or quota/],
		[500, 'INTERNAL', 'An internal error has occurred.', /internal error/],
		[
			503,
			'UNAVAILABLE',
			'The model is overloaded. Please try again later.',
			/overloaded or unavailable/,
		],
	];
	test.each(
		cases.flatMap(
			(row) =>
				[
					[...row, 'collect'],
					[...row, 'perChunk'],
				] as const,
		),
	)('%i %s (%s, %s)', async (code, status, message, hint, outputMode) => {
		server.reset(() => errorReply(code, status, message));
		const { error, output } = await runOnce({ prompt: 'hi', outputMode });
		const failure = error as RunError;
		expect(failure.message).toBe(`${code} ${status}: ${message}`);
		expect(failure.description).toMatch(hint);
		expect(failure.httpCode).toBe(String(code));
		expect(failure.context.itemIndex).toBe(0);
		expect(output(GEMINI)).toEqual([]);
	});

	test('401 from a wrong token points at the credential', async () => {
		const { error } = await runOnce({ prompt: 'hi' }, { token: 'wrong-token' });
		const failure = error as RunError;
		expect(failure.message).toBe(`401 UNAUTHENTICATED: ${UNAUTHENTICATED_MESSAGE}`);
		expect(failure.description).toBe('Check the API token in the Quickrouter API credential.');
	});

	test.each([
		[
			'a JSON body under a text/event-stream content type',
			errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { headers: SSE_HEADERS }),
		],
		[
			'a JSON error sent as an SSE event',
			{
				status: 429,
				headers: SSE_HEADERS,
				body: encodeSse([rpcError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded')]),
			},
		],
		[
			'a JSON error in an array',
			{
				status: 429,
				headers: JSON_HEADERS,
				body: JSON.stringify([rpcError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded')]),
			},
		],
	])('Google’s error is read from %s', async (_label, reply) => {
		server.reset(() => reply);
		const { error } = await runOnce({ prompt: 'hi' });
		expect(error?.message).toBe('429 RESOURCE_EXHAUSTED: Quota exceeded');
	});

	test('an HTML error page from a proxy becomes its text', async () => {
		server.reset(() => ({
			status: 502,
			headers: { 'content-type': 'text/html' },
			body: '<html><head><title>502 Bad Gateway</title><style>p{}</style></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
		}));
		const { error } = await runOnce({ prompt: 'hi' });
		const failure = error as RunError;
		expect(failure.message).toBe('502: 502 Bad Gateway 502 Bad Gateway nginx');
		expect(failure.description).toMatch(/proxy or gateway/);
	});
});

describe('streams that break after a 200', () => {
	test.each(['collect', 'perChunk'])(
		'an error body appended to the stream keeps the partial text (%s)',
		async (outputMode) => {
			server.reset(() => ({
				headers: SSE_HEADERS,
				body:
					encodeSse([textChunk('Partial '), textChunk('answer')]) +
					JSON.stringify(rpcError(503, 'UNAVAILABLE', 'The model is overloaded.'), null, 2),
				split: 16,
			}));
			const { error } = await runOnce({ prompt: 'hi', outputMode });
			const failure = error as RunError;
			expect(failure.message).toBe('503 UNAVAILABLE: The model is overloaded.');
			expect(failure.description).toContain('Text received before the failure: Partial answer');
			expect(failure.httpCode).toBe('503');
		},
	);

	test('a connection reset mid-stream is an error that keeps the partial text', async () => {
		const body = encodeSse([
			textChunk('one '),
			textChunk('two '),
			textChunk('three '),
			textChunk('four'),
		]);
		const cut = body.indexOf('data:', body.indexOf('three'));
		server.reset(() => ({
			headers: SSE_HEADERS,
			body,
			split: 32,
			delayMs: 5,
			resetAfterBytes: cut,
		}));
		const { error } = await runOnce({ prompt: 'hi' });
		const failure = error as RunError;
		expect(failure.message).toMatch(/^The stream was interrupted: /);
		expect(failure.description).toContain('Text received before the failure: one two three ');
	});

	test('a stream that stalls past the timeout fails with the timeout and the partial text', async () => {
		const body = encodeSse([textChunk('slow '), textChunk('never')]);
		server.reset(() => ({ headers: SSE_HEADERS, body, stallAfterBytes: body.indexOf('data:', 5) }));
		const started = Date.now();
		const { error } = await runOnce({ prompt: 'hi', options: { timeout: 400 } });
		const failure = error as RunError;
		expect(Date.now() - started).toBeLessThan(5000);
		expect(failure.message).toBe('The request took longer than the timeout of 400 ms');
		expect(failure.description).toContain('Text received before the failure: slow ');
	});

	test('an error body that trickles is read under the timeout; its status is kept', async () => {
		// A byte every 100 ms for 40 s: only the 1.5 s timeout can end the run within jest's 30 s.
		server.reset(() => ({
			status: 500,
			headers: { 'content-type': 'text/plain' },
			body: `Internal error, please retry later${' '.repeat(366)}.`,
			split: 1,
			delayMs: 100,
		}));
		const { error } = await runOnce({ prompt: 'hi', options: { timeout: 1500 } });
		const failure = error as RunError;
		expect(failure.message).toMatch(/^500: Internal/);
		expect(failure.httpCode).toBe('500');
	});

	test('an error status whose body never comes is reported by its status at the idle timeout', async () => {
		server.reset(() => ({
			status: 503,
			headers: { 'content-type': 'application/json' },
			body: '{}',
			stallAfterBytes: 0,
			flushHeaders: true,
		}));
		const { error } = await runOnce({ prompt: 'hi', options: { idleTimeout: 400 } });
		const failure = error as RunError;
		expect(failure.message).toBe('503: Service Unavailable');
		expect(failure.description).toMatch(/overloaded or unavailable/);
	});

	test('a server that never answers fails at the whole-request timeout when that comes first', async () => {
		server.reset(() => ({ body: 'unused', stallAfterBytes: 0 }));
		const { error } = await runOnce({ prompt: 'hi', options: { timeout: 300 } });
		const failure = error as RunError;
		expect(failure.message).toBe('The request took longer than the timeout of 300 ms');
		expect(failure.description).toBe('No answer text was received before the failure.');
	});

	test('a server that never answers fails at the idle timeout, which says the model may be thinking', async () => {
		server.reset(() => ({ body: 'unused', stallAfterBytes: 0 }));
		const { error } = await runOnce({ prompt: 'hi', options: { idleTimeout: 300 } });
		const failure = error as RunError;
		expect(failure.message).toBe('No answer has started after 300 ms');
		expect(failure.description).toBe(
			`The model may still be thinking: raise Idle Timeout (Options) for answers that take long to start. If no request to ${server.baseUrl} ever gets an answer, check the Base URL in the Quickrouter API credential and any proxy between n8n and the API.`,
		);
	});

	test.each([
		['0', 0],
		['more than a timer can hold', 3_000_000_000],
	])('Timeout %s means no limit: a slow healthy answer is not cut off', async (_name, timeout) => {
		const body = encodeSse([textChunk('slow '), textChunk('but fine', { finishReason: 'STOP' })]);
		server.reset(() => ({ headers: SSE_HEADERS, body, split: body.length / 2, delayMs: 400 }));
		const { error, output } = await runOnce({
			prompt: 'hi',
			options: { timeout, idleTimeout: 3_000_000_000 },
		});
		expect(error).toBeUndefined();
		expect(output(GEMINI)[0].json.text).toBe('slow but fine');
	});

	test('a connection reset before any answer names the reset', async () => {
		server.reset(() => ({ resetBeforeHeaders: true }));
		const { error } = await runOnce({ prompt: 'hi' });
		const failure = error as RunError;
		expect(failure.message).toMatch(/closed unexpectedly/);
		expect(failure.description).toContain(
			`The request to ${server.baseUrl} failed before any answer (ECONNRESET)`,
		);
	});

	test('a 200 with a body that is not SSE is an error quoting the body', async () => {
		server.reset(() => ({ headers: JSON_HEADERS, body: '{"candidates": []}\n' }));
		const { error } = await runOnce({ prompt: 'hi' });
		expect(error?.message).toBe('The response is not an SSE stream: {"candidates": []}');
	});
});

test('an unreachable server is a clear connection error naming the address', async () => {
	const { error } = await runOnce({ prompt: 'hi' }, { baseUrl: 'http://127.0.0.1:9' });
	const failure = error as RunError;
	expect(failure.message).toBe('The service refused the connection - perhaps it is offline');
	expect(failure.description).toContain(
		'The request to http://127.0.0.1:9 failed before any answer (ECONNREFUSED)',
	);
	expect(failure.context.itemIndex).toBe(0);
});

describe('bad parameters fail before any request, naming the item and the field', () => {
	/** An expression that is good on the first row and bad on the second. */
	const pick = (good: unknown, bad: unknown) =>
		`={{ $json.bad ? ${JSON.stringify(bad)} : ${JSON.stringify(good)} }}`;
	const turns = '[{"role": "user", "parts": [{"text": "fine"}]}]';
	const json = (bad: string) => ({ contentsMode: 'json', contentsJson: pick(turns, bad) });
	const cases: Array<[string, IDataObject, string]> = [
		['an empty prompt', { prompt: pick('fine', '   ') }, '"Prompt" of item 1 is empty'],
		[
			'contents that are not JSON',
			json('[{"role": "user",'),
			'"Contents (JSON)" of item 1 is not valid JSON: ',
		],
		[
			'contents that are not an array',
			json('{"role": "user", "parts": [{"text": "x"}]}'),
			'"Contents (JSON)" of item 1 is not an array',
		],
		[
			'an unknown role',
			json(
				'[{"role": "user", "parts": [{"text": "a"}]}, {"role": "assistant", "parts": [{"text": "b"}]}]',
			),
			'"Contents (JSON)" of item 1 has the unknown role "assistant" in turn 2; use "user" or "model"',
		],
		[
			'a turn without parts',
			json('[{"role": "user"}]'),
			'"Contents (JSON)" of item 1 has no "parts" array in turn 1',
		],
		[
			'a message without text',
			{
				contentsMode: 'messages',
				messages: { values: [{ role: 'user', text: pick('fine', '') }] },
			},
			'"Messages" of item 1 has no text in message 1',
		],
		[
			'a model ID with a space',
			{
				prompt: 'fine',
				model: { __rl: true, mode: 'id', value: pick('gemini-2.5-flash', 'gemini 3') },
			},
			'"Model" of item 1 is not a model ID: "gemini 3"',
		],
		[
			'a response schema that is not an object',
			{
				prompt: 'fine',
				// Item 0's schema is one the API takes (a schema needs a MIME type that uses it).
				generationConfig: {
					responseMimeType: 'text/x.enum',
					responseSchema: pick('{"type": "string", "enum": ["yes", "no"]}', '[1]'),
				},
			},
			'"Response Schema" of item 1 is not a JSON object',
		],
		[
			'extra JSON that does not parse',
			{ prompt: 'fine', generationConfig: { extraJson: pick('{}', '{oops') } },
			'"Extra Generation Config (JSON)" of item 1 is not valid JSON: ',
		],
	];

	test.each(cases)('%s', async (_label, parameters, message) => {
		const { error } = await runOnce(parameters, { rows: [{}, { bad: true }] });
		expect(error?.message.startsWith(message)).toBe(true);
		expect((error as RunError).context.itemIndex).toBe(1);
		// Item 0 was sent; item 1 never was.
		expect(server.generateRequests).toHaveLength(1);
	});
});

describe('Continue On Fail', () => {
	/** The stand-in fails or answers according to the prompt, so each row picks its fate. */
	function scriptByPrompt(request: Parameters<typeof lastUserText>[0]): ScriptedReply {
		const prompt = lastUserText(request);
		if (prompt === 'quota') return errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded');
		if (prompt === 'breaks') {
			return {
				headers: SSE_HEADERS,
				body:
					encodeSse([textChunk('half')]) +
					JSON.stringify(rpcError(500, 'INTERNAL', 'Stream failed')),
			};
		}
		return {
			headers: SSE_HEADERS,
			body: encodeSse([textChunk(`ok:${prompt}`, { finishReason: 'STOP' })]),
		};
	}
	const rows = [{ q: 'a' }, { q: '' }, { q: 'quota' }, { q: 'b' }, { q: 'breaks' }, { q: 'c' }];

	test.each(['continueRegularOutput', 'continueErrorOutput'] as const)(
		'Whole Answer: every row comes out in order, failures on their own rows (%s)',
		async (onError) => {
			server.reset((request) => scriptByPrompt(request.body));
			const { error, run } = await runOnce(
				{ prompt: '={{ $json.q }}' },
				{ rows, settings: { onError } },
			);
			expect(error).toBeUndefined();
			const outputs = run.data.resultData.runData[GEMINI][0].data?.main ?? [];
			const items = outputs.flatMap((branch) => branch ?? []);
			const ordered = [...items].sort((a, b) => pairedIndex(a) - pairedIndex(b));
			expect(ordered.map((item) => [pairedIndex(item), item.json.text ?? item.json.error])).toEqual(
				[
					[0, 'ok:a'],
					[1, '"Prompt" of item 1 is empty'],
					[2, '429 RESOURCE_EXHAUSTED: Quota exceeded'],
					[3, 'ok:b'],
					[4, '500 INTERNAL: Stream failed'],
					[5, 'ok:c'],
				],
			);
			expect(ordered[2].json.message).toMatch(/^Rate limit or quota reached/);
			expect(ordered[4].json.message).toContain('Text received before the failure: half');
			if (onError === 'continueErrorOutput') {
				expect(outputs[0]?.map((item) => item.json.text)).toEqual(['ok:a', 'ok:b', 'ok:c']);
				expect(outputs[1]?.map((item) => pairedIndex(item))).toEqual([1, 2, 4]);
			} else {
				expect(items).toEqual(ordered);
				// Only these keys let n8n (1.x and 2.x) route an item to the error output.
				for (const failed of [ordered[1], ordered[2], ordered[4]]) {
					expect(Object.keys(failed.json).every((key) => ['error', 'message'].includes(key))).toBe(
						true,
					);
				}
			}
			expect(server.generateRequests.map((request) => lastUserText(request.body))).toEqual([
				'a',
				'quota',
				'b',
				'breaks',
				'c',
			]);
		},
	);

	test('One Item per Chunk: chunks received before a failure stay, followed by the error item', async () => {
		server.reset((request) => scriptByPrompt(request.body));
		const { output } = await runOnce(
			{ prompt: '={{ $json.q }}', outputMode: 'perChunk' },
			{ rows, settings: { onError: 'continueRegularOutput' } },
		);
		expect(
			output(GEMINI).map((item) => [pairedIndex(item), item.json.text ?? item.json.error]),
		).toEqual([
			[0, 'ok:a'],
			[1, '"Prompt" of item 1 is empty'],
			[2, '429 RESOURCE_EXHAUSTED: Quota exceeded'],
			[3, 'ok:b'],
			[4, 'half'],
			[4, '500 INTERNAL: Stream failed'],
			[5, 'ok:c'],
		]);
	});

	test.each([1, 4])(
		'without it, the first failing row in input order stops the node (concurrency %i)',
		async (concurrency) => {
			server.reset((request) => scriptByPrompt(request.body));
			const { error } = await runOnce(
				{ prompt: '={{ $json.q }}', options: { concurrency } },
				{ rows },
			);
			expect(error?.message).toBe('"Prompt" of item 1 is empty');
			expect((error as RunError).context.itemIndex).toBe(1);
			// One by one, nothing after the failing row is sent; in parallel, only rows already started.
			expect(server.generateRequests.length).toBe(concurrency === 1 ? 1 : 3);
		},
	);
});

test('the token appears nowhere in output items or errors, whatever happens', async () => {
	const runs = [];
	server.reset(() => errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'));
	runs.push(await runOnce({ prompt: 'hi' }));
	runs.push(await runOnce({ prompt: 'hi' }, { settings: { onError: 'continueRegularOutput' } }));
	server.reset();
	runs.push(await runOnce({ prompt: 'hi', options: { includeRawChunks: true } }));
	runs.push(await runOnce({ prompt: 'hi' }, { baseUrl: 'http://127.0.0.1:9' }));
	for (const { run, error } of runs) {
		const errorText = error
			? [error.message, (error as RunError).description, error.stack, JSON.stringify(error)].join(
					'\n',
				)
			: '';
		expect(`${JSON.stringify(run)}\n${errorText}`).not.toContain(STANDIN_TOKEN);
	}
	expect(runs.filter(({ error }) => error)).toHaveLength(2);
});

test('stopping the execution mid-batch closes every connection within 200 ms and starts no new request', async () => {
	// 50 events 300 ms apart: about 15 s per row if nothing stopped it.
	const body = encodeSse(Array.from({ length: 50 }, (_, index) => textChunk(`w${index} `)));
	server.reset(() => ({
		headers: SSE_HEADERS,
		body,
		split: Math.ceil(body.length / 50),
		delayMs: 300,
	}));
	const stop = new AbortController();
	let stoppedAt = 0;
	let closedAt = 0;
	const stopping = new Promise((resolve) => setTimeout(resolve, 500)).then(async () => {
		expect(server.openSockets.size).toBe(4);
		stoppedAt = Date.now();
		stop.abort();
		while (server.openSockets.size > 0 && Date.now() - stoppedAt < 2000) {
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		closedAt = Date.now();
	});
	const { run } = await runOnce(
		{ prompt: '={{ $json.q }}', options: { concurrency: 4 } },
		{ rows: Array.from({ length: 10 }, (_, q) => ({ q: `row ${q}` })), abortSignal: stop.signal },
	);
	await stopping;
	expect(run.status).toBe('canceled');
	expect(server.openSockets.size).toBe(0);
	expect(closedAt - stoppedAt).toBeLessThan(200);
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(server.generateRequests.map((request) => lastUserText(request.body))).toEqual([
		'row 0',
		'row 1',
		'row 2',
		'row 3',
	]);
});
