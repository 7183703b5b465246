/**
 * n8n's AI Agent with this chat model and tools as users build them, in the real n8n, against
 * the stand-in that enforces the API's request contract (test/standin/contract.ts): Code Tools
 * whose manual input schemas use JSON Schema that Gemini's `parameters` would refuse, a tool
 * without arguments, called in parallel, their call ids and signature carried through the
 * agent's round trip; and this package's main node as the agent's tool, under a streaming
 * Webhook, which must stream nothing itself and hand back only its answer.
 */
import type { IDataObject } from 'n8n-workflow';

import { lastUserText, type RecordedRequest, type ScriptedReply } from '../standin/server';
import { encodeSse, textChunk } from '../standin/sse';
import { outputOf, readStreamedLines } from './n8n';
import { useN8nWithStandin } from './suite';
import {
	agentWithModelAndCalculator,
	chain,
	CREDENTIAL,
	GEMINI_TYPE,
	MANUAL_TRIGGER,
	streamingWebhook,
	type Workflow,
	type WorkflowNode,
} from './workflows';

const SIGNATURE = 'CiQBjz1rX2Zvci10aGUtdG9vbHMtc3RlcA==';
const SSE = { 'content-type': 'text/event-stream' };

/**
 * A manual JSON Schema with what only JSON Schema has: Gemini's `parameters` refuses each.
 * (Not `additionalProperties: false`: n8n 2.41 adds the agent's input and the call's id to a
 * tool's arguments before it checks them, so such a tool refuses every call, whatever model.)
 */
const MONEY_SCHEMA = {
	type: 'object',
	properties: {
		amount: { type: 'number', exclusiveMinimum: 0, description: 'How much' },
		currency: { type: 'string', enum: ['EUR', 'GBP'], default: 'EUR' },
		note: { type: ['string', 'null'] },
		rounding: { type: 'string', const: 'cents' },
	},
	required: ['amount', 'currency'],
};

function codeTool(name: string, position: [number, number], jsCode: string, schema: object) {
	return {
		id: `tool-${name}`,
		name,
		type: '@n8n/n8n-nodes-langchain.toolCode',
		typeVersion: 1.3,
		position,
		parameters: {
			description: `The ${name} tool`,
			language: 'javaScript',
			jsCode,
			specifyInputSchema: true,
			schemaType: 'manual',
			inputSchema: JSON.stringify(schema),
		},
	} satisfies WorkflowNode;
}

/** Manual Trigger -> a question -> AI Agent with this model and two Code Tools. */
function toolsWorkflow(): Workflow {
	const question: WorkflowNode = {
		id: 'question',
		name: 'Question',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [220, 0],
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{
						id: 'q',
						name: 'chatInput',
						value: 'Convert 20 EUR, and what day is it?',
						type: 'string',
					},
				],
			},
			options: {},
		},
	};
	const agent = agentWithModelAndCalculator([480, 0], {
		promptType: 'define',
		text: '={{ $json.chatInput }}',
		options: {},
	});
	// This agent's tools are the two Code Tools, not the Calculator.
	const [agentNode, model] = agent.nodes;
	const money = codeTool(
		'convert_money',
		[560, 220],
		'return JSON.stringify({ usd: query.amount * 2, note: query.note });',
		MONEY_SCHEMA,
	);
	const today = codeTool('today', [680, 220], "return '2026-11-30';", {
		type: 'object',
		properties: {},
	});
	return {
		id: 'qrE2eAgentTools01',
		name: 'Agent with JSON Schema tools',
		active: false,
		nodes: [MANUAL_TRIGGER, question, agentNode, model, money, today],
		connections: {
			...chain([MANUAL_TRIGGER, question, agentNode]),
			'Quickrouter Gemini Chat Model': agent.connections['Quickrouter Gemini Chat Model'],
			convert_money: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			today: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Streaming Webhook -> AI Agent (streaming) with this model and the main node as its tool. */
function nodeAsToolWorkflow(): Workflow {
	const webhook = streamingWebhook('qrE2eNodeAsTool01', 'agent-with-gemini-tool');
	const agent = agentWithModelAndCalculator([260, 0], {
		promptType: 'define',
		text: '={{ $json.body.question }}',
		options: { enableStreaming: true },
	});
	const [agentNode, model] = agent.nodes;
	const tool: WorkflowNode = {
		id: 'ask-gemini',
		name: 'ask_gemini',
		// n8n's name for a node used as a tool: the type with `Tool` appended.
		type: `${GEMINI_TYPE}Tool`,
		typeVersion: 1,
		position: [420, 220],
		parameters: {
			toolDescription: 'Asks Gemini a question and gives its answer',
			model: { __rl: true, mode: 'id', value: 'gemini-2.5-flash' },
			prompt: "={{ $fromAI('question', 'The question to ask', 'string') }}",
			options: { concurrency: 4 },
		},
		credentials: { quickrouterApi: CREDENTIAL },
	};
	return {
		id: 'qrE2eNodeAsTool01',
		name: 'Agent with Quickrouter Gemini as a tool',
		active: false,
		nodes: [webhook, agentNode, model, tool],
		connections: {
			...chain([webhook, agentNode]),
			'Quickrouter Gemini Chat Model': agent.connections['Quickrouter Gemini Chat Model'],
			ask_gemini: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

interface Turn {
	role: string;
	parts: IDataObject[];
}

const contentsOf = (request: RecordedRequest) => (request.body as { contents: Turn[] }).contents;
const declarationsOf = (request: RecordedRequest) =>
	(request.body as { tools?: Array<{ functionDeclarations?: IDataObject[] }> }).tools?.[0]
		?.functionDeclarations ?? [];
const answered = (request: RecordedRequest) =>
	contentsOf(request)
		.at(-1)
		?.parts.some((part) => part.functionResponse) ?? false;

/** Gemini 3 calling tools: a step of calls (the first signed, each with an id), then an answer. */
function callThenAnswer(calls: IDataObject[], answer: (request: RecordedRequest) => string[]) {
	return (request: RecordedRequest): ScriptedReply =>
		answered(request)
			? {
					headers: SSE,
					pieces: answer(request).map((piece, index, all) =>
						encodeSse([textChunk(piece, index === all.length - 1 ? { finishReason: 'STOP' } : {})]),
					),
					delayMs: 100,
				}
			: {
					headers: SSE,
					body: encodeSse([
						{
							candidates: [
								{
									content: {
										role: 'model',
										parts: calls.map((functionCall, index) => ({
											functionCall,
											...(index === 0 ? { thoughtSignature: SIGNATURE } : {}),
										})),
									},
									finishReason: 'STOP',
									index: 0,
								},
							],
						},
					]),
				};
}

const responseOf = (request: RecordedRequest, name: string) =>
	(
		contentsOf(request)
			.at(-1)
			?.parts.find((part) => (part.functionResponse as IDataObject | undefined)?.name === name)
			?.functionResponse as IDataObject
	)?.response;

const toolsScript = callThenAnswer(
	[
		{ id: 'fc-money', name: 'convert_money', args: { amount: 20, currency: 'EUR', note: null } },
		{ id: 'fc-today', name: 'today', args: {} },
	],
	(request) => [
		'20 EUR is ',
		`${JSON.stringify(responseOf(request, 'convert_money'))}; `,
		`today is ${JSON.stringify(responseOf(request, 'today'))}.`,
	],
);

const agentAsksGemini = callThenAnswer(
	[{ id: 'fc-ask', name: 'ask_gemini', args: { question: 'What is the capital of France?' } }],
	(request) => ['Gemini says: ', JSON.stringify(responseOf(request, 'ask_gemini'))],
);

/** The tool node's own request has no tools; the agent's requests declare ask_gemini. */
const script = (request: RecordedRequest): ScriptedReply => {
	const names = declarationsOf(request).map((declaration) => declaration.name);
	if (names.includes('ask_gemini')) return agentAsksGemini(request);
	if (names.includes('convert_money')) return toolsScript(request);
	return {
		headers: SSE,
		pieces: ['Paris is ', 'the capital.'].map((piece, index) =>
			encodeSse([textChunk(piece, index === 1 ? { finishReason: 'STOP' } : {})]),
		),
		delayMs: 100,
	};
};

const workflows = { tools: toolsWorkflow(), nodeAsTool: nodeAsToolWorkflow() };

const { n8n, standin } = useN8nWithStandin(Object.values(workflows), script);

test('Code Tools with JSON-Schema-only schemas and no arguments: declared as Gemini takes them, called in parallel, answered', async () => {
	const result = await n8n.execute(workflows.tools.id);
	expect(result.data.resultData.error).toBeUndefined();
	expect(outputOf(result, 'AI Agent')[0].json.output).toBe(
		'20 EUR is {"result":[{"response":"{\\"usd\\":40,\\"note\\":null}"}]}; today is {"result":[{"response":"2026-11-30"}]}.',
	);
	const [first, second] = standin.generateRequests;
	expect(standin.generateRequests).toHaveLength(2);
	// The strict stand-in took both requests; what was declared:
	const declarations = Object.fromEntries(
		declarationsOf(first).map((declaration) => [declaration.name, declaration]),
	);
	expect(declarations.today).toEqual({ name: 'today', description: 'The today tool' });
	const money = declarations.convert_money;
	expect(money).not.toHaveProperty('parameters');
	// n8n turns the manual schema into Zod and back; what only JSON Schema has survives.
	const schema = JSON.stringify(money.parametersJsonSchema);
	expect(schema).toContain('"exclusiveMinimum":0');
	expect(schema).toContain('"const":"cents"');
	expect(schema).toContain('"null"');
	expect(schema).not.toContain('$schema');
	// One turn of both calls (signed first, each with its id), one turn of both results.
	const contents = contentsOf(second);
	expect(contents.map((turn) => turn.role)).toEqual(['user', 'model', 'user']);
	expect(contents[1].parts).toEqual([
		{
			functionCall: {
				id: 'fc-money',
				name: 'convert_money',
				args: { amount: 20, currency: 'EUR', note: null },
			},
			thoughtSignature: SIGNATURE,
		},
		{ functionCall: { id: 'fc-today', name: 'today', args: {} } },
	]);
	expect(contents[2].parts.map((part) => (part.functionResponse as IDataObject).id)).toEqual([
		'fc-money',
		'fc-today',
	]);
});

describe('n8n start', () => {
	beforeAll(async () => {
		await n8n.publish(workflows.nodeAsTool.id);
		await n8n.start();
	});

	test("the main node as the agent's tool under a streaming Webhook: the caller gets only the agent's answer", async () => {
		const response = await n8n.callWebhook('agent-with-gemini-tool', {
			question: 'Ask Gemini for the capital of France.',
		});
		expect(response.status).toBe(200);
		const lines = await readStreamedLines(response);
		expect(lines.filter((line) => line.type === 'error')).toEqual([]);
		// Nothing from the tool node itself: it ran as a tool, so it streamed nothing.
		expect(new Set(lines.map((line) => line.metadata?.nodeName))).toEqual(new Set(['AI Agent']));
		const answer = lines
			.filter((line) => line.type === 'item')
			.map((line) => line.content)
			.join('');
		expect(answer).toBe('Gemini says: {"result":[{"text":"Paris is the capital."}]}');
		// The agent asked, the tool node asked the stand-in, the agent answered.
		const requests = standin.generateRequests;
		expect(requests.map((request) => declarationsOf(request).length)).toEqual([1, 0, 1]);
		expect(lastUserText(requests[1].body)).toBe('What is the capital of France?');
		// What the tool handed back to the model: the answer's text, not the whole item.
		expect(responseOf(requests[2], 'ask_gemini')).toEqual({
			result: [{ text: 'Paris is the capital.' }],
		});
	});
});
