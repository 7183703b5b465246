/**
 * The chat model under a key-wide limit, driven in bursts of 5 as n8n's chains send them
 * (Basic LLM Chain, Text Classifier, Sentiment Analysis). Its own file: n8n 1.x has no AI
 * node SDK, so the 1.x matrix skips it with the other chat-model tests.
 */
import {
	chatModelWorkflow,
	CREDENTIAL_TYPE,
	inBatches,
	runWorkflow,
	type RunOptions,
} from '../harness/n8n';
import { useStandin } from '../helpers/workflow';
import { delayed, KeyWideLimit } from '../standin/rate-limit';
import { echoScript, lastUserText, STANDIN_TOKEN } from '../standin/server';

const server = useStandin();

const rowsOf = (count: number) => Array.from({ length: count }, (_, index) => `row ${index}`);
const modelOf = (value: string) => ({ __rl: true, mode: 'id', value });

describe('the chat model under bursts of 5, as n8n’s Basic LLM Chain sends them', () => {
	test('every row answered, refusals bounded', async () => {
		const limit = new KeyWideLimit({ limit: 5, windowMs: 1000 });
		server.reset(limit.wrap(delayed(echoScript, 20)));
		const rows = rowsOf(30);
		const options: RunOptions = {
			...chatModelWorkflow({ model: modelOf('gemini-2.5-flash') }, inBatches(rows)),
			credentials: { [CREDENTIAL_TYPE]: { apiToken: STANDIN_TOKEN, baseUrl: server.baseUrl } },
		};
		const run = await runWorkflow(options);
		expect(run.error).toBeUndefined();
		expect(run.output('Chat Root')[0].json.answers).toEqual(rows.map((row) => `Echo: ${row}.`));
		expect(limit.served).toBe(30);
		expect(limit.refused).toBeLessThanOrEqual(8);
		expect(
			server.generateRequests.every((request) => lastUserText(request.body).startsWith('row')),
		).toBe(true);
	}, 30_000);
});
