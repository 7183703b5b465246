/**
 * The sample workflows `npm run dev` imports, built from the node shapes the e2e suite proves
 * in the real n8n (test/e2e/workflows.ts), all using the one "Quickrouter API" credential.
 */
import {
	chain,
	chatWithMemoryWorkflow,
	geminiNode,
	rowsWorkflow,
	streamingWebhook,
	type Workflow,
	type WorkflowNode,
} from '../../test/e2e/workflows';

export const DEV_CREDENTIAL = { id: 'qrDevCredential1', name: 'Quickrouter API' };

export const ROWS_WORKFLOW_ID = 'qrDevRows0000001';
export const STREAMING_WORKFLOW_ID = 'qrDevStreaming01';
export const AGENT_WORKFLOW_ID = 'qrDevAgentChat01';

/** The Webhook's path: `POST /webhook/quickrouter-stream` with `{"question": "..."}`. */
export const STREAMING_PATH = 'quickrouter-stream';

/** The Chat Trigger's webhook id (chatWithMemoryWorkflow's): its chat API is at `/webhook/<id>/chat`. */
export const CHAT_WEBHOOK_ID = `${AGENT_WORKFLOW_ID}-chat`;

export const SAMPLE_ROWS = [
	'Write a haiku about a river.',
	'Name three prime numbers.',
	'Say good morning in French.',
	'What is the capital of Japan?',
	'Suggest a name for a cat.',
];

export function credentialFile(baseUrl: string, apiToken: string) {
	return [{ ...DEV_CREDENTIAL, type: 'quickrouterApi', data: { apiToken, baseUrl } }];
}

/** Every node's Quickrouter credential becomes the dev one. */
function withDevCredential(workflow: Workflow): Workflow {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.credentials?.quickrouterApi
				? { ...node, credentials: { ...node.credentials, quickrouterApi: DEV_CREDENTIAL } }
				: node,
		),
	};
}

/** Manual Trigger -> five rows -> Quickrouter Gemini, one answer per row. */
function rows(): Workflow {
	return rowsWorkflow(
		ROWS_WORKFLOW_ID,
		'Rows through Quickrouter Gemini',
		`={{ ${JSON.stringify(SAMPLE_ROWS)}.map(q => ({ q })) }}`,
		[geminiNode('Quickrouter Gemini', { prompt: '={{ $json.q }}' }, [660, 0])],
	);
}

/** Webhook (Respond: Streaming) -> Quickrouter Gemini: the answer streams to the caller. */
function streaming(): Workflow {
	const nodes: WorkflowNode[] = [
		streamingWebhook(STREAMING_WORKFLOW_ID, STREAMING_PATH),
		geminiNode('Quickrouter Gemini', { prompt: '={{ $json.body.question }}' }, [260, 0]),
	];
	return {
		id: STREAMING_WORKFLOW_ID,
		name: 'Streaming webhook',
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Chat Trigger (streaming) -> AI Agent with the Quickrouter Gemini Chat Model, n8n's
 * Calculator tool and Simple Memory. Ask "What is 6 * 7?" in the editor's chat (Open chat).
 * The trigger is public in webhook mode, so the chat API answers at
 * `/webhook/<id>/chat` too; n8n's hosted chat page is not used: it loads its script from a CDN.
 */
function agent(): Workflow {
	const workflow = chatWithMemoryWorkflow(AGENT_WORKFLOW_ID);
	return {
		...workflow,
		name: 'AI Agent with a tool',
		// Left to right under the agent as its slots are: model, memory, tool.
		nodes: workflow.nodes.map((node) =>
			node.name === 'Calculator' ? { ...node, position: [540, 220] } : node,
		),
	};
}

/** The samples; `live` ones are activated so their webhooks answer at once. */
export function sampleWorkflows(): Array<{ workflow: Workflow; live: boolean }> {
	return [
		{ workflow: rows(), live: false },
		{ workflow: streaming(), live: true },
		{ workflow: agent(), live: true },
	].map(({ workflow, live }) => ({ workflow: withDevCredential(workflow), live }));
}
