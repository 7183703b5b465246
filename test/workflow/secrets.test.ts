/**
 * The token never leaves: not to another host by a redirect, not back into the execution when
 * a server or proxy echoes it, and a Base URL that would leak or break it fails before any
 * request, with a message saying what to change.
 */
import type { IDataObject } from 'n8n-workflow';

import { searchModels, testCredential } from '../harness/n8n';
import { pairedIndex } from '../helpers/items';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { errorReply, type ScriptedReply, StandinServer, STANDIN_TOKEN } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';

const server = useStandin();

/** Another origin (another port) a redirect may point at; it must never see a request. */
const elsewhere = new StandinServer();
beforeAll(async () => {
	await elsewhere.start();
});
beforeEach(() => elsewhere.reset());
afterAll(async () => {
	await elsewhere.stop();
});

const CONTINUE = { onError: 'continueRegularOutput' } as const;
const SSE = { 'content-type': 'text/event-stream' };
const OUTPUT_MODES = ['collect', 'perChunk'] as const;

const redirectTo = (location: string, status = 307): ScriptedReply => ({
	status,
	headers: { location },
	body: '',
});

describe('Base URL', () => {
	const cases: Array<[string, (url: string) => string, string]> = [
		[
			'with a user name and password',
			(url) => url.replace('http://', 'http://admin:s3cret-pass@'),
			'The Base URL must not contain a user name or password (http://…@127.0.0.1:PORT)',
		],
		[
			'with a query',
			(url) => `${url}/?key=abc`,
			'The Base URL must not contain a query (?…) or a fragment (#…): use http://127.0.0.1:PORT',
		],
		[
			'with a fragment',
			(url) => `${url}/v#x`,
			'The Base URL must not contain a query (?…) or a fragment (#…): use http://127.0.0.1:PORT/v',
		],
		[
			'ending in /v1beta (a common paste)',
			(url) => `${url}/v1beta`,
			'The Base URL must not end in /v1beta (the node adds it): use http://127.0.0.1:PORT',
		],
		[
			'ending in /v1beta/',
			(url) => `${url}/v1beta/`,
			'The Base URL must not end in /v1beta (the node adds it): use http://127.0.0.1:PORT',
		],
		[
			'ending in /v1beta/models behind a path',
			(url) => `${url}/relay/v1beta/models`,
			'The Base URL must not end in /v1beta/models (the node adds it): use http://127.0.0.1:PORT/relay',
		],
		[
			'without a scheme',
			(url) => url.replace('http://', ''),
			'The Base URL "127.0.0.1:PORT" must start with https:// (or http:// for a server on your network)',
		],
		[
			'with file://',
			() => 'file:///etc/passwd',
			'The Base URL "file:///etc/passwd" must start with https:// (or http:// for a server on your network)',
		],
		[
			'with javascript:',
			() => 'javascript:alert(1)',
			'The Base URL "javascript:alert(1)" must start with https:// (or http:// for a server on your network)',
		],
	];

	test.each(cases)(
		'%s: every row fails before any request, naming the problem',
		async (_name, baseUrlOf, message) => {
			const expected = message.replace('PORT', new URL(server.baseUrl).port);
			const rows = [{ q: 'a' }, { q: 'b' }];
			const { error, output, run } = await runGemini(
				server,
				{ prompt: '={{ $json.q }}' },
				{ rows, baseUrl: baseUrlOf(server.baseUrl), settings: CONTINUE },
			);
			expect(error).toBeUndefined();
			const items = output(GEMINI);
			expect(items.map((item) => item.json)).toEqual([
				{ error: expected, message: 'Edit the Base URL in the Quickrouter API credential.' },
				{ error: expected, message: 'Edit the Base URL in the Quickrouter API credential.' },
			]);
			expect(items.map(pairedIndex)).toEqual([0, 1]);
			expect(server.requests).toEqual([]);
			expect(JSON.stringify(run)).not.toContain('s3cret-pass');
		},
	);

	test.each(cases)(
		'%s: the credential Test refuses it the same way, sending nothing',
		async (_name, baseUrlOf, message) => {
			const result = await testCredential({
				apiToken: STANDIN_TOKEN,
				baseUrl: baseUrlOf(server.baseUrl),
			});
			expect(result).toEqual({
				status: 'Error',
				message: message.replace('PORT', new URL(server.baseUrl).port),
			});
			expect(server.requests).toEqual([]);
			expect(JSON.stringify(result)).not.toContain('s3cret-pass');
		},
	);

	test('the model list checks it the same way', async () => {
		await expect(
			searchModels({
				apiToken: STANDIN_TOKEN,
				baseUrl: server.baseUrl.replace('http://', 'http://admin:s3cret-pass@'),
			}),
		).rejects.toThrow(
			`The Base URL must not contain a user name or password (http://…@${new URL(server.baseUrl).host})`,
		);
		expect(server.requests).toEqual([]);
	});
});

describe('redirects are reported, not followed', () => {
	test.each(OUTPUT_MODES)(
		'to another origin (%s): the error names it, and it sees no request',
		async (outputMode) => {
			server.reset(() => redirectTo(`${elsewhere.baseUrl}/v1beta/models/x:streamGenerateContent`));
			const { error } = await runGemini(server, { prompt: 'hi', outputMode });
			expect(error?.message).toBe(
				`The Base URL redirects to ${elsewhere.baseUrl}; use that address`,
			);
			expect((error as { description?: string }).description).toContain(
				`If ${elsewhere.baseUrl} is the API, set it as the Base URL`,
			);
			expect(server.generateRequests).toHaveLength(1);
			expect(elsewhere.requests).toEqual([]);
		},
	);

	test('to another path of the same origin: named, not followed, not retried', async () => {
		server.reset(() => redirectTo('/moved/v1beta/models/x:streamGenerateContent', 308));
		const { error } = await runGemini(server, { prompt: 'hi' });
		expect(error?.message).toBe(
			'The API redirected the request to /moved/v1beta/models/x:streamGenerateContent (HTTP 308)',
		);
		expect(server.requests).toHaveLength(1);
	});

	test('by the model list', async () => {
		server.modelsScript = () => redirectTo(`${elsewhere.baseUrl}/v1beta/models`, 301);
		await expect(
			searchModels({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl }),
		).rejects.toThrow(`The Base URL redirects to ${elsewhere.baseUrl}; use that address`);
		expect(elsewhere.requests).toEqual([]);
	});

	test('by the credential test', async () => {
		server.modelsScript = () => redirectTo(`${elsewhere.baseUrl}/v1beta/models`, 302);
		const result = await testCredential({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl });
		expect(result.status).toBe('Error');
		// n8n 2.x reports the test's rule for the status; 1.x's RoutingNode drops the response.
		expect([
			'The Base URL answers with a redirect (HTTP 302), which is not followed so that the token is not sent elsewhere. Set the Base URL to the address it redirects to.',
			'Request failed with status code 302',
		]).toContain(result.message);
		expect(server.requests).toHaveLength(1);
		expect(elsewhere.requests).toEqual([]);
	});
});

describe('a server that echoes the token', () => {
	const echoes: Array<[string, ScriptedReply, string]> = [
		[
			'a 401 JSON error quoting it',
			errorReply(401, 'UNAUTHENTICATED', `API key ${STANDIN_TOKEN} is not valid.`),
			'401 UNAUTHENTICATED: API key *** is not valid.',
		],
		[
			'a 500 HTML page quoting the Authorization header',
			{
				status: 500,
				headers: { 'content-type': 'text/html' },
				body: `<html><body><h1>Internal error</h1><pre>Authorization: Bearer ${STANDIN_TOKEN}</pre></body></html>`,
			},
			'500: Internal error Authorization: Bearer ***',
		],
		[
			'an error event after a 200 quoting it',
			{
				headers: SSE,
				body: encodeSse([
					textChunk('Hel'),
					{ error: { code: 400, status: 'INVALID_ARGUMENT', message: `bad key ${STANDIN_TOKEN}` } },
				]),
			},
			'400 INVALID_ARGUMENT: bad key ***',
		],
		[
			'text after the stream quoting it',
			{
				headers: SSE,
				body: `${encodeSse([textChunk('Hel')])}upstream said: token=${STANDIN_TOKEN}\n`,
			},
			'The stream ended with text that is not an SSE event: upstream said: token=***',
		],
	];

	test.each(
		echoes.flatMap(([name, reply, message]) =>
			OUTPUT_MODES.map((mode) => [name, mode, reply, message] as const),
		),
	)('%s (%s): redacted everywhere in the execution', async (_name, outputMode, reply, message) => {
		server.reset(() => reply);
		const { error, output, run } = await runGemini(
			server,
			{ prompt: 'hi', outputMode, options: { maxRetries: 0 } },
			{ rows: [{}, {}], settings: CONTINUE },
		);
		expect(error).toBeUndefined();
		const errors = output(GEMINI).filter((item) => item.json.error);
		expect(errors.map((item) => item.json.error)).toEqual([message, message]);
		expect(JSON.stringify(run)).not.toContain(STANDIN_TOKEN);
	});

	test('without Continue On Fail, the node error holds no token either', async () => {
		server.reset(() => echoes[1][1]);
		const { error, run } = await runGemini(server, { prompt: 'hi', options: { maxRetries: 0 } });
		expect(error?.message).toBe('500: Internal error Authorization: Bearer ***');
		expect(JSON.stringify(run)).not.toContain(STANDIN_TOKEN);
		const failure = error as unknown as IDataObject;
		expect(JSON.stringify({ ...failure, stack: error?.stack })).not.toContain(STANDIN_TOKEN);
	});

	test('an answer quoting it (a relay echoing the request) comes out redacted', async () => {
		server.reset(() => ({
			headers: SSE,
			body: encodeSse([textChunk(`You sent Bearer ${STANDIN_TOKEN}`, { finishReason: 'STOP' })]),
		}));
		const { output, run } = await runGemini(server, { prompt: 'hi' });
		expect(output(GEMINI)[0].json.text).toBe('You sent Bearer ***');
		expect(JSON.stringify(run)).not.toContain(STANDIN_TOKEN);
	});

	test('the model list redacts an error page that quotes it', async () => {
		server.modelsScript = () => errorReply(403, 'PERMISSION_DENIED', `key ${STANDIN_TOKEN} denied`);
		await expect(
			searchModels({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl }),
		).rejects.toThrow('403 PERMISSION_DENIED: key *** denied');
	});
});
