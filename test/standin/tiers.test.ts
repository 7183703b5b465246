/**
 * The stand-in's tiers and caches are test infrastructure the node's tests rely on: these
 * tests pin what it answers, through its HTTP server, for each tier and each cache.
 */
import { CACHE_NOT_FOUND_MESSAGE } from './caches';
import { StandinServer, STANDIN_TOKEN } from './server';
import { FLEX_SHED_MESSAGE, tieredScript } from './tiers';

const server = new StandinServer();
beforeAll(async () => {
	await server.start();
});
beforeEach(() => server.reset(tieredScript({ shedFlex: 1, priorityLimit: 1, cachedTokens: 500 })));
afterAll(async () => {
	await server.stop();
});

async function ask(body: object, model = 'gemini-2.5-flash') {
	const response = await fetch(
		`${server.baseUrl}/v1beta/models/${model}:streamGenerateContent?alt=sse`,
		{
			method: 'POST',
			headers: { authorization: `Bearer ${STANDIN_TOKEN}`, 'content-type': 'application/json' },
			body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], ...body }),
		},
	);
	const text = await response.text();
	const events = text
		.split(/\r?\n/)
		.filter((line) => line.startsWith('data: '))
		.map((line) => JSON.parse(line.slice(6)) as { usageMetadata?: Record<string, unknown> });
	const error = events.length === 0 ? (JSON.parse(text) as { error: object }).error : undefined;
	return { status: response.status, error, usage: events.at(-1)?.usageMetadata };
}

test('no tier, or unspecified, is served on Standard', async () => {
	expect((await ask({})).usage?.serviceTier).toBe('standard');
	expect((await ask({ serviceTier: 'unspecified' })).usage?.serviceTier).toBe('standard');
});

test('Flex: shed with the 503 of the Flex page as many times as set, then served on Flex', async () => {
	expect(await ask({ serviceTier: 'flex' })).toEqual({
		status: 503,
		error: { code: 503, message: FLEX_SHED_MESSAGE, status: 'UNAVAILABLE' },
		usage: undefined,
	});
	expect((await ask({ serviceTier: 'flex' })).usage?.serviceTier).toBe('flex');
});

test('Priority: served on Priority up to its limit, then on Standard, with no error', async () => {
	expect((await ask({ serviceTier: 'priority' })).usage?.serviceTier).toBe('priority');
	expect(await ask({ serviceTier: 'priority' })).toMatchObject({
		status: 200,
		usage: { serviceTier: 'standard' },
	});
});

test('a cache that does not exist is a 403; one made for another model a 400; its own model is served', async () => {
	expect(await ask({ cachedContent: 'cachedContents/none' })).toMatchObject({
		status: 403,
		error: { code: 403, status: 'PERMISSION_DENIED', message: CACHE_NOT_FOUND_MESSAGE },
	});
	server.caches.set('cachedContents/doc', 'gemini-2.5-pro');
	expect(await ask({ cachedContent: 'cachedContents/doc' })).toMatchObject({
		status: 400,
		error: {
			message:
				'Model used by GenerateContent request (models/gemini-2.5-flash) and CachedContent (models/gemini-2.5-pro) has to be the same.',
		},
	});
	expect(await ask({ cachedContent: 'cachedContents/doc' }, 'gemini-2.5-pro')).toMatchObject({
		status: 200,
		usage: { promptTokenCount: 504, cachedContentTokenCount: 500 },
	});
});

test("the contract's 400 comes first: a cache with a system instruction, whether or not it exists", async () => {
	const withSystem = {
		cachedContent: 'cachedContents/none',
		systemInstruction: { parts: [{ text: 'Be brief.' }] },
	};
	expect(await ask(withSystem)).toMatchObject({ status: 400 });
});

test('reset forgets the caches', () => {
	server.caches.set('cachedContents/doc', 'gemini-2.5-flash');
	server.reset();
	expect(server.caches.size).toBe(0);
});
