/**
 * The fault suite: every way the provider or the network misbehaves, each in both output
 * modes, with the exact outcome, the number of requests it took, no token in the error, no
 * unhandled rejection, and (checked after every test by useStandin) no connection left open.
 */
import type { IDataObject } from 'n8n-workflow';

import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import {
	errorReply,
	lastUserText,
	type RecordedRequest,
	type ScriptedReply,
	STANDIN_TOKEN,
} from '../standin/server';
import { encodeSse, rpcError, textChunk } from '../standin/sse';

const server = useStandin();

const SSE = { 'content-type': 'text/event-stream' };
const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

const answer = (text: string): ScriptedReply => ({
	headers: SSE,
	body: encodeSse([
		textChunk(text.slice(0, 3)),
		textChunk(text.slice(3), { finishReason: 'STOP' }),
	]),
});
const retryInfo = (delay: string) => [
	{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay },
];
const threeEvents = encodeSse([textChunk('one '), textChunk('two '), textChunk('three ')]);
const HTML_502 =
	'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/** Replies in turn: the first request gets the first reply, and the last one repeats. */
function inTurn(...replies: ScriptedReply[]) {
	return (request: RecordedRequest) => {
		const index = server.generateRequests.indexOf(request);
		return replies[Math.min(index, replies.length - 1)];
	};
}

interface Fault {
	name: string;
	script: (request: RecordedRequest) => ScriptedReply;
	options?: IDataObject;
	/** The answer text on success, or the exact error message. */
	text?: string;
	error?: string | RegExp;
	/** Part of the error's description, e.g. the partial text. */
	description?: string;
	requests: number;
	/** Least time between the first and the second request, for retries that must wait. */
	minGapMs?: number;
}

// Backoff is capped low so the suite stays quick; waits the server asks for are kept.
const FAST = { maxRetryDelay: 300 };

const faults: Fault[] = [
	{
		name: '400',
		script: inTurn(
			errorReply(400, 'INVALID_ARGUMENT', 'Invalid value at generation_config.temperature'),
		),
		error: '400 INVALID_ARGUMENT: Invalid value at generation_config.temperature',
		requests: 1,
	},
	{
		name: '401',
		script: inTurn(errorReply(401, 'UNAUTHENTICATED', 'API key not valid.')),
		error: '401 UNAUTHENTICATED: API key not valid.',
		description: 'Check the API token',
		requests: 1,
	},
	{
		name: '403',
		script: inTurn(errorReply(403, 'PERMISSION_DENIED', 'Permission denied.')),
		error: '403 PERMISSION_DENIED: Permission denied.',
		requests: 1,
	},
	{
		name: '404',
		script: inTurn(errorReply(404, 'NOT_FOUND', 'models/nope is not found.')),
		error: '404 NOT_FOUND: models/nope is not found.',
		description: 'Check the model name',
		requests: 1,
	},
	{
		name: '429 with Retry-After, then success',
		script: inTurn(
			errorReply(429, 'RESOURCE_EXHAUSTED', 'Slow down', { headers: { 'retry-after': '1' } }),
			answer('recovered'),
		),
		options: { maxRetryDelay: 2000 },
		text: 'recovered',
		requests: 2,
		minGapMs: 950,
	},
	{
		name: '429 with RetryInfo, then success',
		script: inTurn(
			errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { details: retryInfo('0.400s') }),
			answer('recovered'),
		),
		text: 'recovered',
		requests: 2,
		minGapMs: 380,
	},
	{
		name: '429 asking for a wait longer than Max Retry Delay',
		script: inTurn(
			errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { details: retryInfo('45s') }),
		),
		options: { maxRetryDelay: 1000 },
		error: '429 RESOURCE_EXHAUSTED: Quota exceeded',
		description:
			'The API asked to wait 45000 ms before retrying, longer than Max Retry Delay (1000 ms).',
		requests: 1,
	},
	{
		name: '429 forever',
		script: inTurn(errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded')),
		options: FAST,
		error: '429 RESOURCE_EXHAUSTED: Quota exceeded',
		description: 'Rate limit or quota',
		requests: 3,
	},
	{
		name: '500, then success',
		script: inTurn(errorReply(500, 'INTERNAL', 'Internal error'), answer('recovered')),
		options: FAST,
		text: 'recovered',
		requests: 2,
	},
	{
		name: '503, then success',
		script: inTurn(errorReply(503, 'UNAVAILABLE', 'Overloaded'), answer('recovered')),
		options: FAST,
		text: 'recovered',
		requests: 2,
	},
	{
		name: 'an HTML 502 page from a proxy, every time',
		script: inTurn({ status: 502, headers: { 'content-type': 'text/html' }, body: HTML_502 }),
		options: FAST,
		error: '502: 502 Bad Gateway 502 Bad Gateway nginx',
		requests: 3,
	},
	{
		name: 'a connection reset before headers, then success',
		script: inTurn({ resetBeforeHeaders: true }, answer('recovered')),
		options: FAST,
		text: 'recovered',
		requests: 2,
	},
	{
		name: 'connection resets before headers, every time',
		script: inTurn({ resetBeforeHeaders: true }),
		options: FAST,
		error: /closed unexpectedly/,
		description: 'failed before any answer (ECONNRESET)',
		requests: 3,
	},
	{
		name: 'a reset after three events (not retried: output had begun)',
		script: inTurn({
			headers: SSE,
			body: threeEvents + threeEvents,
			split: 40,
			delayMs: 5,
			resetAfterBytes: threeEvents.length,
		}),
		options: FAST,
		error: /^The stream was interrupted: /,
		description: 'Text received before the failure: one two three ',
		requests: 1,
	},
	{
		name: 'a stall mid-stream',
		script: inTurn({
			headers: SSE,
			body: threeEvents + threeEvents,
			stallAfterBytes: threeEvents.length,
		}),
		options: { idleTimeout: 300 },
		error: 'The stream stopped for 300 ms after it began (Idle Timeout)',
		description: 'Text received before the failure: one two three ',
		requests: 1,
	},
	{
		name: 'no answer at all',
		script: inTurn({ body: threeEvents, stallAfterBytes: 0 }),
		options: { idleTimeout: 300 },
		error: 'No answer has started after 300 ms',
		description: 'The model may still be thinking: raise Idle Timeout',
		requests: 1,
	},
	{
		name: 'headers at once, then no answer (a relay while the model thinks)',
		script: inTurn({ headers: SSE, body: threeEvents, stallAfterBytes: 0, flushHeaders: true }),
		options: { idleTimeout: 300 },
		error: 'No answer has started after 300 ms',
		description: 'The model may still be thinking: raise Idle Timeout',
		requests: 1,
	},
	{
		name: 'an error tail after a 200',
		script: inTurn({
			headers: SSE,
			body: threeEvents + JSON.stringify(rpcError(500, 'INTERNAL', 'Stream broke'), null, 2),
		}),
		options: FAST,
		error: '500 INTERNAL: Stream broke',
		description: 'Text received before the failure: one two three ',
		requests: 1,
	},
	{
		name: 'an error as the only thing in a 200 stream, then success',
		script: inTurn(
			{ headers: SSE, body: encodeSse([rpcError(503, 'UNAVAILABLE', 'Overloaded')]) },
			answer('recovered'),
		),
		options: FAST,
		text: 'recovered',
		requests: 2,
	},
	{
		name: 'a malformed JSON event',
		script: inTurn({ headers: SSE, body: `${threeEvents}data: {"candidates": [{"content": \n\n` }),
		error: 'The stream sent an event that is not valid JSON: {"candidates": [{"content":',
		requests: 1,
	},
	{
		name: 'an oversized event',
		script: inTurn({ headers: SSE, body: encodeSse([textChunk('x'.repeat(40_000))]), split: 4096 }),
		options: { maxEventSize: 0.01 },
		error: 'A stream event exceeded the limit of 10486 characters',
		requests: 1,
	},
	{
		name: 'an oversized response',
		script: inTurn({
			headers: SSE,
			body: encodeSse(Array.from({ length: 100 }, () => textChunk('y'.repeat(200)))),
			split: 1024,
		}),
		options: { maxResponseSize: 0.01 },
		error: 'The response exceeded the limit of 10486 bytes',
		requests: 1,
	},
	{
		name: '100,000 tiny events',
		script: inTurn({
			headers: SSE,
			body: encodeSse(
				// The last one ends the answer, as Gemini's last chunk does.
				Array.from({ length: 100_000 }, (_, index) => ({
					candidates: [
						{
							content: { parts: [{ text: 'x' }] },
							...(index === 99_999 ? { finishReason: 'STOP' } : {}),
						},
					],
				})),
			),
			split: 65536,
		}),
		text: 'x'.repeat(100_000),
		requests: 1,
	},
	{
		name: 'a 200 with a body that is not SSE',
		script: inTurn({
			headers: JSON_TYPE,
			body: JSON.stringify({ candidates: [{ content: { parts: [{ text: 'hi' }] } }] }),
		}),
		error:
			'The response is not an SSE stream: {"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}',
		requests: 1,
	},
];

describe.each(['collect', 'perChunk'])('%s output', (outputMode) => {
	test.each(faults)('$name', async (fault) => {
		server.reset(fault.script);
		const { error, output } = await runGemini(server, {
			prompt: 'hi',
			outputMode,
			options: fault.options ?? {},
		});
		expect(server.generateRequests).toHaveLength(fault.requests);
		if (fault.minGapMs !== undefined) {
			const [first, second] = server.generateRequests;
			expect(second.at - first.at).toBeGreaterThanOrEqual(fault.minGapMs);
		}
		if (fault.text !== undefined) {
			expect(error).toBeUndefined();
			const items = output(GEMINI);
			const text = items.map((item) => item.json.text).join('');
			expect(text).toBe(fault.text);
			if (outputMode === 'collect') expect(items).toHaveLength(1);
			return;
		}
		expect(error).toBeDefined();
		if (typeof fault.error === 'string') expect(error?.message).toBe(fault.error);
		else expect(error?.message).toMatch(fault.error as RegExp);
		const description = (error as { description?: string }).description ?? '';
		if (fault.description) expect(description).toContain(fault.description);
		expect(`${error?.message}\n${description}\n${error?.stack}`).not.toContain(STANDIN_TOKEN);
	});
});

test('a 1,000-row batch with 5% of rows failing in assorted ways: every row out, in order, errors on the failing rows only', async () => {
	const failures: Array<(prompt: string) => ScriptedReply> = [
		() => errorReply(400, 'INVALID_ARGUMENT', 'Bad request'),
		() => errorReply(404, 'NOT_FOUND', 'No such model'),
		(prompt) => ({
			headers: SSE,
			body:
				encodeSse([textChunk(`part of ${prompt}`)]) +
				JSON.stringify(rpcError(500, 'INTERNAL', 'Broke')),
		}),
		() => ({ headers: SSE, body: 'data: {oops\n\n' }),
		() => ({ headers: JSON_TYPE, body: '{"not": "sse"}' }),
	];
	const expectedErrors = [
		'400 INVALID_ARGUMENT: Bad request',
		'404 NOT_FOUND: No such model',
		'500 INTERNAL: Broke',
		'The stream sent an event that is not valid JSON: {oops',
		'The response is not an SSE stream: {"not": "sse"}',
	];
	const failing = (row: number) => row % 20 === 7;
	const kind = (row: number) => Math.floor(row / 20) % failures.length;
	server.reset((request) => {
		const prompt = lastUserText(request.body);
		const row = Number(prompt.split(' ')[1]);
		return failing(row) ? failures[kind(row)](prompt) : answer(`done ${prompt}`);
	});
	const rows = Array.from({ length: 1000 }, (_, index) => ({ q: `row ${index}` }));
	const { error, output } = await runGemini(
		server,
		{ prompt: '={{ $json.q }}', options: { concurrency: 8 } },
		{ rows, settings: { onError: 'continueRegularOutput' } },
	);
	expect(error).toBeUndefined();
	const items = output(GEMINI);
	expect(items).toHaveLength(1000);
	items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		if (failing(index)) expect(item.json.error).toBe(expectedErrors[kind(index)]);
		else expect(item.json).toMatchObject({ text: `done row ${index}`, finishReason: 'STOP' });
	});
	expect(items.filter((item) => item.json.error)).toHaveLength(50);
	expect(server.generateRequests).toHaveLength(1000);
}, 120_000);
