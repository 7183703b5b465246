/**
 * The credential's Test button and the model list, run the way the n8n editor runs them,
 * against the stand-in server.
 */
import { loadPackage, searchModels, testCredential } from '../harness/n8n';
import { useStandin } from '../helpers/workflow';
import { STANDIN_TOKEN } from '../standin/server';

const server = useStandin();

describe('the credential test', () => {
	test('succeeds with the right token, listing models with the token in the header only', async () => {
		const result = await testCredential({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(server.requests).toHaveLength(1);
		const [request] = server.requests;
		expect(request.method).toBe('GET');
		expect(request.path).toBe('/v1beta/models');
		expect(request.headers.authorization).toBe(`Bearer ${STANDIN_TOKEN}`);
		expect(JSON.stringify(request.query)).not.toContain(STANDIN_TOKEN);
	});

	test('fails clearly with a wrong token', async () => {
		const result = await testCredential({ apiToken: 'not-the-token', baseUrl: server.baseUrl });
		expect(result.status).toBe('Error');
		// n8n 2.x reports the status text; 1.x its own wording for a 401.
		expect(result.message).toMatch(
			/^(Unauthorized|Authorization failed - please check your credentials)$/,
		);
	});

	test('accepts a base URL with a trailing slash', async () => {
		const result = await testCredential({ apiToken: STANDIN_TOKEN, baseUrl: `${server.baseUrl}/` });
		expect(result.status).toBe('OK');
		expect(server.requests[0].path).toBe('/v1beta/models');
	});

	test("gives up on a silent server at the model list's deadline, not n8n's 300 s", async () => {
		server.modelsScript = () => ({ stallAfterBytes: 0 });
		const result = await testCredential({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl });
		expect(result.status).toBe('Error');
		expect(server.requests).toHaveLength(1);
		// Without a deadline of its own the Test waits n8n's 300 s, past this test's 45 s.
	}, 45_000);

	test('defaults the base URL to the public API', async () => {
		const { credentialTypes } = await loadPackage();
		const baseUrl = credentialTypes.quickrouterApi.properties.find(
			(property) => property.name === 'baseUrl',
		);
		expect(baseUrl?.default).toBe('https://api.quickrouter.ai');
	});
});

describe('the model list', () => {
	test('offers only models that generate content, by bare ID', async () => {
		const { results } = await searchModels({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl });
		expect(results).toEqual([
			{ name: 'Gemini 2.5 Flash (gemini-2.5-flash)', value: 'gemini-2.5-flash' },
			{ name: 'Gemini 3 Pro Preview (gemini-3-pro-preview)', value: 'gemini-3-pro-preview' },
		]);
		expect(server.requests[0].query).toEqual({ pageSize: '1000' });
	});

	test('filters by the search text', async () => {
		const { results } = await searchModels(
			{ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl },
			'PRO',
		);
		expect(results.map((result) => result.value)).toEqual(['gemini-3-pro-preview']);
	});

	test("follows the page tokens past the API's largest page (1,000 models)", async () => {
		const ids = Array.from({ length: 1001 }, (_, index) => String(index).padStart(4, '0'));
		server.models = ids.map((id) => ({
			name: `models/gemini-test-${id}`,
			displayName: `Test ${id}`,
			supportedGenerationMethods: ['generateContent'],
		}));
		const { results } = await searchModels({ apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl });
		expect(results).toHaveLength(1001);
		expect(results.at(-1)?.value).toBe('gemini-test-1000');
		expect(server.requests.map((request) => request.query)).toEqual([
			{ pageSize: '1000' },
			{ pageSize: '1000', pageToken: '1000' },
		]);
	});
});

describe('the package as n8n loads it', () => {
	test('registers the node with its codex and the credential', async () => {
		const { loader } = await loadPackage();
		expect(Object.keys(loader.nodeTypes)).toEqual(['quickrouterGemini', 'lmChatQuickrouterGemini']);
		expect(Object.keys(loader.credentialTypes)).toEqual(['quickrouterApi']);
		const description = loader.types.nodes[0] as unknown as Record<string, unknown>;
		// Filed where n8n files its own Gemini node: AI, as an agent's tool and a root node.
		expect(description.codex).toMatchObject({
			categories: ['AI'],
			subcategories: { AI: ['Agents', 'Miscellaneous', 'Root Nodes'] },
		});
		expect(description.iconUrl).toEqual({
			light: 'icons/n8n-nodes-quickrouter/dist/nodes/shared/n8n/quickrouter.svg',
			dark: 'icons/n8n-nodes-quickrouter/dist/nodes/shared/n8n/quickrouter.dark.svg',
		});
		expect(description.usableAsTool).toBe(true);
	});
});

test('registers the chat model as a language model sub-node, with the same credential and icon', async () => {
	const { loader } = await loadPackage();
	const description = loader.types.nodes.find(
		(node) => node.name === 'lmChatQuickrouterGemini',
	) as unknown as Record<string, unknown>;
	expect(description).toMatchObject({
		displayName: 'Quickrouter Gemini Chat Model',
		inputs: [],
		outputs: ['ai_languageModel'],
		credentials: [{ name: 'quickrouterApi', required: true }],
		// From its .node.json, the one place the codex is written.
		codex: {
			categories: ['AI'],
			subcategories: {
				AI: ['Language Models', 'Root Nodes'],
				'Language Models': ['Chat Models (Recommended)'],
			},
			alias: ['LLM', 'Gemini', 'Google', 'Quickrouter', 'Chat Model', 'Agent'],
		},
		iconUrl: {
			light: 'icons/n8n-nodes-quickrouter/dist/nodes/shared/n8n/quickrouter.svg',
			dark: 'icons/n8n-nodes-quickrouter/dist/nodes/shared/n8n/quickrouter.dark.svg',
		},
	});
});
