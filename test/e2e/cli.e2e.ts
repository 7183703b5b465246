/**
 * The packed package inside the real n8n application: workflows imported and run with the
 * n8n CLI, and a Webhook workflow served by `n8n start`, against the stand-in on 127.0.0.1.
 * `npm run test:e2e` runs this file in n8n 2.41.1 and in n8n 1.123.81 (the last 1.x); in 1.x
 * it also checks that the chat model says which n8n it needs.
 */
import { pairedIndex } from '../helpers/items';
import {
	errorReply,
	lastUserText,
	type RecordedRequest,
	type ScriptedReply,
	STANDIN_TOKEN,
} from '../standin/server';
import { encodeSse, rpcError, textChunk } from '../standin/sse';
import { e2eEnvironment, outputOf, readStreamedLines } from './n8n';
import { useN8nWithStandin } from './suite';
import {
	agentWorkflow,
	attachmentWorkflow,
	geminiNode,
	rowsWorkflow,
	streamingWebhookWorkflow,
	webhookWorkflow,
} from './workflows';

/** A PNG header: enough to be a file with a type, small enough to read in a failure message. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d494844520000000100000001', 'hex').toString(
	'base64',
);

const fifty = '={{ Array.from({ length: 50 }, (_, i) => ({ q: "row " + i })) }}';

/** The stand-in's answer per prompt: most echo, some fail in a chosen way. */
function byPrompt(request: RecordedRequest): ScriptedReply {
	const prompt = lastUserText(request.body);
	if (prompt === 'quota') return errorReply(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded');
	if (prompt === 'breaks')
		return {
			body:
				encodeSse([textChunk('half')]) + JSON.stringify(rpcError(500, 'INTERNAL', 'Stream broke')),
		};
	if (prompt === 'Describe this picture.') {
		return {
			body: encodeSse([
				textChunk('A tiny cat, and here it is redrawn.'),
				{
					candidates: [
						{
							content: {
								role: 'model',
								parts: [{ inlineData: { mimeType: 'image/png', data: PNG } }],
							},
							finishReason: 'STOP',
						},
					],
				},
			]),
		};
	}
	if (prompt === 'Name a prime number.') {
		return {
			body: encodeSse([
				{
					candidates: [
						{
							content: { role: 'model', parts: [{ text: '7', thoughtSignature: 'c2lnLTc=' }] },
							finishReason: 'STOP',
						},
					],
				},
			]),
		};
	}
	return {
		body: encodeSse([
			textChunk('Echo: '),
			textChunk(prompt),
			textChunk('.', { finishReason: 'STOP', usage: { totalTokenCount: 7 } }),
		]),
		split: 7,
	};
}

const { major } = e2eEnvironment().install;

/** The AI Agent with this chat model, at the agent's highest version in n8n 1.x (3). */
function agentInN8n1() {
	const workflow = agentWorkflow('qrE2eAgentOnN8n1', 'What is 6 * 7?');
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.name === 'AI Agent' ? { ...node, typeVersion: 3 } : node,
		),
	};
}

const workflows = {
	collect: rowsWorkflow('qrE2eCollect01', 'Fifty rows, whole answers', fifty, [
		geminiNode('Quickrouter Gemini', { prompt: '={{ $json.q }}' }, [660, 0]),
	]),
	perChunk: rowsWorkflow('qrE2ePerChunk01', 'Fifty rows, one item per chunk', fifty, [
		geminiNode(
			'Quickrouter Gemini',
			{ prompt: '={{ $json.q }}', outputMode: 'perChunk' },
			[660, 0],
		),
	]),
	mixed: rowsWorkflow(
		'qrE2eMixed01',
		'Some rows fail',
		'={{ ["a", "quota", "b", "", "breaks", "c"].map(q => ({ q })) }}',
		[
			geminiNode(
				'Quickrouter Gemini',
				{ prompt: '={{ $json.q }}', options: { maxRetries: 0 } },
				[660, 0],
				{ onError: 'continueRegularOutput' },
			),
		],
	),
	multiTurn: rowsWorkflow(
		'qrE2eMultiTurn01',
		'Multi-turn',
		'={{ [{ q: "Name a prime number." }] }}',
		[
			geminiNode('Quickrouter Gemini', { prompt: '={{ $json.q }}' }, [660, 0]),
			geminiNode(
				'Follow Up',
				{
					contentsMode: 'json',
					contentsJson:
						'={{ [{ "role": "user", "parts": [{ "text": "Name a prime number." }] }, $json.content, { "role": "user", "parts": [{ "text": "Now double it." }] }] }}',
				},
				[880, 0],
			),
		],
	),
	webhook: webhookWorkflow('qrE2eWebhook01', 'ask', { prompt: '={{ $json.body.question }}' }),
	streaming: streamingWebhookWorkflow('qrE2eStreaming01', 'ask-live'),
	attachment: attachmentWorkflow('qrE2eAttachment01', PNG, 'image/png'),
	...(major === 1 ? { agentOnN8n1: agentInN8n1() } : {}),
};

const PACE_MS = 200;

/** Four events, one per network write, 200 ms apart. */
function paced(prompt: string): ScriptedReply {
	const texts = ['Meow', ', ', prompt, '!'];
	return {
		pieces: texts.map((text, index) =>
			encodeSse([textChunk(text, index === 3 ? { finishReason: 'STOP' } : {})]),
		),
		delayMs: PACE_MS,
	};
}

const { n8n, standin } = useN8nWithStandin(Object.values(workflows), byPrompt);

describe('n8n execute', () => {
	test('50 rows, whole answers: one item per row, in order, paired', async () => {
		const result = await n8n.execute(workflows.collect.id);
		expect(result.data.resultData.error).toBeUndefined();
		const items = outputOf(result, 'Quickrouter Gemini');
		expect(items).toHaveLength(50);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({
				text: `Echo: row ${index}.`,
				finishReason: 'STOP',
				chunkCount: 3,
			});
			expect(pairedIndex(item)).toBe(index);
		});
		expect(standin.generateRequests).toHaveLength(50);
		expect(
			standin.generateRequests.every(
				(request) => request.headers.authorization === `Bearer ${STANDIN_TOKEN}`,
			),
		).toBe(true);
	});

	test('50 rows, one item per chunk: three chunks per row, rows in order', async () => {
		const items = outputOf(await n8n.execute(workflows.perChunk.id), 'Quickrouter Gemini');
		expect(items).toHaveLength(150);
		items.forEach((item, index) => {
			const row = Math.floor(index / 3);
			expect(pairedIndex(item)).toBe(row);
			expect(item.json.chunkIndex).toBe(index % 3);
			expect(item.json.text).toBe(['Echo: ', `row ${row}`, '.'][index % 3]);
		});
	});

	test('Continue On Fail: every row comes out in its place, failures on the failing rows', async () => {
		const result = await n8n.execute(workflows.mixed.id);
		expect(result.data.resultData.error).toBeUndefined();
		const items = outputOf(result, 'Quickrouter Gemini');
		expect(items.map((item) => [pairedIndex(item), item.json.text ?? item.json.error])).toEqual([
			[0, 'Echo: a.'],
			[1, '429 RESOURCE_EXHAUSTED: Quota exceeded'],
			[2, 'Echo: b.'],
			[3, '"Prompt" of item 3 is empty'],
			[4, '500 INTERNAL: Stream broke'],
			[5, 'Echo: c.'],
		]);
		expect(JSON.stringify(result)).not.toContain(STANDIN_TOKEN);
	});

	test("a multi-turn request built from the previous answer's content, signature included", async () => {
		const result = await n8n.execute(workflows.multiTurn.id);
		expect(result.data.resultData.error).toBeUndefined();
		expect(outputOf(result, 'Follow Up')[0].json.text).toBe('Echo: Now double it..');
		expect(standin.generateRequests[1].body).toEqual({
			contents: [
				{ role: 'user', parts: [{ text: 'Name a prime number.' }] },
				{ role: 'model', parts: [{ text: '7', thoughtSignature: 'c2lnLTc=' }] },
				{ role: 'user', parts: [{ text: 'Now double it.' }] },
			],
		});
	});
});

test('a binary file made by n8n goes out as inline data, and an image answer comes back as binary data', async () => {
	const result = await n8n.execute(workflows.attachment.id);
	expect(result.data.resultData.error).toBeUndefined();
	expect(standin.generateRequests[0].body).toEqual({
		contents: [
			{
				role: 'user',
				parts: [
					{ text: 'Describe this picture.' },
					{ inlineData: { mimeType: 'image/png', data: PNG } },
				],
			},
		],
	});
	const [item] = outputOf(result, 'Quickrouter Gemini') as Array<{
		json: Record<string, unknown>;
		binary?: Record<string, { mimeType: string; fileName?: string }>;
	}>;
	expect(item.json.text).toBe('A tiny cat, and here it is redrawn.');
	expect(item.binary?.data).toMatchObject({ mimeType: 'image/png', fileName: 'image.png' });
});

if (major === 1) {
	test('n8n 1.x: the chat model under an AI Agent fails saying it needs n8n 2.41, and sends nothing', async () => {
		const result = await n8n.execute('qrE2eAgentOnN8n1', { failing: true });
		// The agent reports "Error in sub-node …" with the model's message as its description.
		expect(result.data.resultData.error?.message).toBe(
			'Error in sub-node Quickrouter Gemini Chat Model',
		);
		const [model] = result.data.resultData.runData['Quickrouter Gemini Chat Model'];
		expect(model.error?.message).toBe('Quickrouter Gemini Chat Model needs n8n 2.41 or later');
		expect(standin.generateRequests).toHaveLength(0);
	});
}

describe('n8n start', () => {
	beforeAll(async () => {
		await n8n.publish(workflows.webhook.id);
		await n8n.publish(workflows.streaming.id);
		await n8n.start();
	});

	test('a Webhook workflow answers the caller with the node’s answer', async () => {
		const response = await n8n.callWebhook('ask', { question: 'Is the webhook live?' });
		expect(response.status).toBe(200);
		const body = (await response.json()) as Record<string, unknown>;
		expect(body).toMatchObject({ text: 'Echo: Is the webhook live?.', finishReason: 'STOP' });
		expect(standin.generateRequests).toHaveLength(1);
	});

	test('a streaming Webhook gets each answer in pieces while the stand-in is still writing', async () => {
		standin.reset((request) => paced(lastUserText(request.body)));
		const started = Date.now();
		const response = await n8n.callWebhook('ask-live', { questions: [{ q: 'one' }, { q: 'two' }] });
		expect(response.status).toBe(200);
		const received = (await readStreamedLines(response))
			.filter((line) => line.metadata?.nodeName === 'Quickrouter Gemini')
			.map(({ at, type, content, metadata }) => ({
				at,
				type,
				content,
				itemIndex: metadata?.itemIndex,
			}));
		expect(
			received.map(({ type, content, itemIndex }) => [itemIndex, type, content ?? null]),
		).toEqual([
			[0, 'begin', null],
			[0, 'item', 'Meow'],
			[0, 'item', ', '],
			[0, 'item', 'one'],
			[0, 'item', '!'],
			[0, 'end', null],
			[1, 'begin', null],
			[1, 'item', 'Meow'],
			[1, 'item', ', '],
			[1, 'item', 'two'],
			[1, 'item', '!'],
			[1, 'end', null],
		]);
		const [first] = standin.generateRequests;
		const firstText = received.find((chunk) => chunk.type === 'item') as { at: number };
		// The stand-in needs 3 more paces after the first event to finish the first answer.
		expect(firstText.at).toBeLessThan(first.at + 3 * PACE_MS);
		const items = received.filter((chunk) => chunk.type === 'item' && chunk.itemIndex === 0);
		const gaps = items.slice(1).map((chunk, index) => chunk.at - items[index].at);
		// The typical gap, so one late timer on a loaded machine does not decide it.
		expect([...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(
			PACE_MS / 2,
		);
		expect(Date.now() - started).toBeGreaterThanOrEqual(6 * PACE_MS);
	});
});
