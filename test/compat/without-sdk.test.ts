/**
 * An n8n without `@n8n/ai-node-sdk` (every 1.x): run by `npm run test:n8n1` only, where the
 * SDK is mapped away. The package still loads, the main node still works, and the chat model
 * says which n8n it needs.
 */
import { chatModelWorkflow, CREDENTIAL_TYPE, loadPackage, runWorkflow } from '../harness/n8n';
import { GEMINI, runGemini, useStandin } from '../helpers/workflow';
import { STANDIN_TOKEN } from '../standin/server';

const server = useStandin();

test('the SDK really is missing here', () => {
	expect(() => require('@n8n/ai-node-sdk')).toThrow();
});

test('both nodes load', async () => {
	const { loader } = await loadPackage();
	expect(Object.keys(loader.nodeTypes).sort()).toEqual([
		'lmChatQuickrouterGemini',
		'quickrouterGemini',
	]);
});

test('the main node works', async () => {
	const { output, error } = await runGemini(server, { prompt: 'Hi' });
	expect(error).toBeUndefined();
	expect(output(GEMINI)[0].json.text).toBe('Echo: Hi.');
});

test('the chat model explains which n8n it needs, and sends nothing', async () => {
	const { error } = await runWorkflow({
		...chatModelWorkflow({}, async () => ({})),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
	});
	expect(error?.message).toBe('Error in sub-node Chat Model');
	expect(error?.description).toBe('Quickrouter Gemini Chat Model needs n8n 2.41 or later');
	expect(server.generateRequests).toHaveLength(0);
});
