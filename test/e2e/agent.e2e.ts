/**
 * The chat model inside the real n8n, as the model of n8n's own AI Agent with n8n's Calculator
 * tool. The stand-in plays Gemini 3: it calls the calculator with a signed call, and answers
 * only once the history carries the calculator's result and the call's signature.
 */
import {
	lastUserText,
	type RecordedRequest,
	type ReplyScript,
	STANDIN_TOKEN,
} from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';
import {
	searchStepParts,
	type SearchThenCallScript,
	searchThenCallScript,
	toolCallingScript,
} from '../standin/tool-calling';
import { outputOf, readStreamedLines } from './n8n';
import { useN8nWithStandin } from './suite';
import { agentWorkflow, chatWithMemoryWorkflow, streamingAgentWorkflow } from './workflows';

const SIGNATURE = 'CiQBjz1rX2Zvci10aGUtY2FsY3VsYXRvci1zdGVwLW9uZQ==';
const PACE_MS = 200;

// n8n names a tool after its node.
const TOOL = 'Calculator';

/** The answer quotes the number in each of the calculator's results, so a lost result shows. */
const numberIn = (response: unknown) => JSON.stringify(response).match(/\d+/)?.[0] ?? 'nothing';

const oneCall = toolCallingScript({
	tool: TOOL,
	calls: [{ input: '6 * 7' }],
	signature: SIGNATURE,
	answer: ([response]) => ['The calculator ', 'says ', numberIn(response), '.'],
	delayMs: PACE_MS,
});

const parallelCalls = toolCallingScript({
	tool: TOOL,
	calls: [{ input: '6 * 7' }, { input: '8 * 9' }],
	signature: SIGNATURE,
	answer: (responses) => ['The calculator says ', responses.map(numberIn).join(' and '), '.'],
});

/** A follow-up in a chat, answered from the history alone, if the history holds the answer. */
const followUp: ReplyScript = (request) => ({
	headers: { 'content-type': 'text/event-stream' },
	body: encodeSse([
		textChunk(
			request.rawBody.includes('The calculator says 42.')
				? 'Doubled, that is 84.'
				: 'I do not remember.',
			{ finishReason: 'STOP' },
		),
	]),
});

/** Google Search beside the calculator: a search and a calculator call in one step. */
const searchStep: SearchThenCallScript = {
	tool: TOOL,
	args: { input: '6 * 7' },
	query: 'meaning of 6 * 7',
	found: 'it is the answer to everything',
	signatures: {
		toolCall: 'ZTJlLXNlYXJjaC1jYWxs',
		toolResponse: 'ZTJlLXNlYXJjaC1yZXNwb25zZQ==',
		functionCall: 'ZTJlLWNhbGN1bGF0b3ItY2FsbA==',
	},
};
const SEARCH_QUESTION = 'What does the web say about 6 * 7?';

/** The questions: one call, two calls in parallel, a search, and a follow-up from history. */
const script: ReplyScript = (request) => {
	const question = lastUserText(request.body);
	if (question === 'And doubled?') return followUp(request);
	if (request.rawBody.includes(SEARCH_QUESTION)) return searchThenCallScript(searchStep)(request);
	return (request.rawBody.includes('8 * 9') ? parallelCalls : oneCall)(request);
};

const workflows = {
	agent: agentWorkflow('qrE2eAgent01', 'What is 6 * 7?'),
	parallel: agentWorkflow('qrE2eAgentParallel01', 'What are 6 * 7 and 8 * 9?'),
	streaming: streamingAgentWorkflow('qrE2eAgentStream01', 'agent-live'),
	chat: chatWithMemoryWorkflow('qrE2eAgentChat01'),
	search: agentWorkflow('qrE2eAgentSearch01', SEARCH_QUESTION, { tools: { googleSearch: true } }),
};

const { n8n, standin } = useN8nWithStandin(Object.values(workflows), script);

interface Turn {
	role: string;
	parts: Array<Record<string, unknown>>;
}

/** The two requests of one agent run: the question, then the question with the tool's result. */
function expectToolRoundTrip(requests: RecordedRequest[], question: string): void {
	expect(requests).toHaveLength(2);
	for (const request of requests) {
		expect(request.path).toBe('/v1beta/models/gemini-3-pro-preview:streamGenerateContent');
		expect(request.headers.authorization).toBe(`Bearer ${STANDIN_TOKEN}`);
		const { tools } = request.body as {
			tools: Array<{ functionDeclarations: Array<Record<string, unknown>> }>;
		};
		expect(tools[0].functionDeclarations.map((declaration) => declaration.name)).toEqual([TOOL]);
		// The calculator's JSON Schema goes as Gemini's `parametersJsonSchema` (which takes JSON
		// Schema, `additionalProperties` included), without `$schema` and without `parameters`.
		const [declaration] = tools[0].functionDeclarations;
		expect(declaration.parametersJsonSchema).toMatchObject({
			type: 'object',
			properties: { input: { type: 'string' } },
		});
		expect(declaration).not.toHaveProperty('parameters');
		expect(JSON.stringify(tools)).not.toContain('$schema');
	}
	const contents = (requests[1].body as { contents: Turn[] }).contents;
	expect(contents.map((turn) => turn.role)).toEqual(['user', 'model', 'user']);
	expect(JSON.stringify(contents[0])).toContain(question);
	expect(contents[1].parts).toEqual([
		{ functionCall: { name: TOOL, args: { input: '6 * 7' } }, thoughtSignature: SIGNATURE },
	]);
	expect(contents[2].parts).toHaveLength(1);
	const { functionResponse } = contents[2].parts[0] as {
		functionResponse: { name: string; response: unknown };
	};
	expect(functionResponse.name).toBe(TOOL);
	// n8n's Calculator (mathjs) worked out 6 * 7.
	expect(JSON.stringify(functionResponse.response)).toContain('42');
}

test('n8n execute: the agent calls the calculator through this model and answers with its result', async () => {
	const result = await n8n.execute(workflows.agent.id);
	expect(result.data.resultData.error).toBeUndefined();
	const [item] = outputOf(result, 'AI Agent');
	expect(item.json.output).toBe('The calculator says 42.');
	expectToolRoundTrip(standin.generateRequests, 'What is 6 * 7?');
});

test('n8n execute: parallel calls go back as Gemini sent them, one turn of calls and one of results', async () => {
	const result = await n8n.execute(workflows.parallel.id);
	expect(result.data.resultData.error).toBeUndefined();
	expect(outputOf(result, 'AI Agent')[0].json.output).toBe('The calculator says 42 and 72.');
	const requests = standin.generateRequests;
	expect(requests).toHaveLength(2);
	const contents = (requests[1].body as { contents: Turn[] }).contents;
	expect(contents.map((turn) => turn.role)).toEqual(['user', 'model', 'user']);
	expect(contents[1].parts).toEqual([
		{ functionCall: { name: TOOL, args: { input: '6 * 7' } }, thoughtSignature: SIGNATURE },
		{ functionCall: { name: TOOL, args: { input: '8 * 9' } } },
	]);
	expect(
		contents[2].parts.map(
			(part) => (part as { functionResponse: { name: string } }).functionResponse.name,
		),
	).toEqual([TOOL, TOOL]);
});

test("n8n execute: with Google Search on, the search's signed steps go back whole beside the calculator's result", async () => {
	const result = await n8n.execute(workflows.search.id);
	expect(result.data.resultData.error).toBeUndefined();
	const [item] = outputOf(result, 'AI Agent');
	// The stand-in answers from the search only when the history gives its steps back as sent.
	expect(item.json.output).toMatch(
		/^The search found it is the answer to everything; Calculator says .*42/,
	);
	const requests = standin.generateRequests;
	expect(requests).toHaveLength(2);
	for (const request of requests) {
		expect(request.body).toMatchObject({
			tools: [
				{ googleSearch: {} },
				{ functionDeclarations: [expect.objectContaining({ name: TOOL })] },
			],
			toolConfig: { includeServerSideToolInvocations: true },
		});
	}
	const contents = (requests[1].body as { contents: Turn[] }).contents;
	expect(contents[1]).toEqual({ role: 'model', parts: searchStepParts(searchStep) });
});

describe('n8n start', () => {
	beforeAll(async () => {
		await n8n.publish(workflows.streaming.id);
		await n8n.publish(workflows.chat.id);
		await n8n.start();
	});

	test("a streaming Webhook gets the agent's answer in pieces while the stand-in is still writing it", async () => {
		const response = await n8n.callWebhook('agent-live', { question: 'What is 6 * 7?' });
		expect(response.status).toBe(200);
		const lines = await readStreamedLines(response);
		expect(lines.filter((line) => line.type === 'error')).toEqual([]);
		const pieces = lines.filter((line) => line.type === 'item' && line.content);
		expect(pieces.map((piece) => piece.content).join('')).toBe('The calculator says 42.');
		expect(pieces.length).toBeGreaterThanOrEqual(3);
		expectToolRoundTrip(standin.generateRequests, 'What is 6 * 7?');
		// The stand-in writes the answer's 4 pieces 200 ms apart after the second request.
		const answerStarted = standin.generateRequests[1].at;
		expect(pieces[0].at).toBeLessThan(answerStarted + 3 * PACE_MS);
	});

	test('a Chat Trigger with Simple Memory: the second message is answered with the first exchange in the history', async () => {
		const say = async (chatInput: string) => {
			const response = await n8n.callWebhook(`${workflows.chat.id}-chat/chat`, {
				action: 'sendMessage',
				sessionId: 'session-1',
				chatInput,
			});
			expect(response.status).toBe(200);
			const lines = await readStreamedLines(response);
			expect(lines.filter((line) => line.type === 'error')).toEqual([]);
			return lines
				.filter((line) => line.type === 'item')
				.map((line) => line.content)
				.join('');
		};
		expect(await say('What is 6 * 7?')).toBe('The calculator says 42.');
		expect(await say('And doubled?')).toBe('Doubled, that is 84.');
		const requests = standin.generateRequests;
		expect(requests).toHaveLength(3);
		const contents = (requests[2].body as { contents: Turn[] }).contents;
		// Simple Memory kept the tool step too; its call comes back signed, from the id.
		expect(contents).toEqual([
			{ role: 'user', parts: [{ text: 'What is 6 * 7?' }] },
			{
				role: 'model',
				parts: [
					{
						functionCall: { name: TOOL, args: { input: '6 * 7' } },
						thoughtSignature: SIGNATURE,
					},
				],
			},
			{
				role: 'user',
				parts: [
					{
						functionResponse: {
							name: TOOL,
							response: { result: [{ response: '42' }] },
						},
					},
				],
			},
			{ role: 'model', parts: [{ text: 'The calculator says 42.' }] },
			{ role: 'user', parts: [{ text: 'And doubled?' }] },
		]);
	});
});
