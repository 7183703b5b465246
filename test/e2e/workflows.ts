/**
 * Workflows as n8n exports them, built from n8n's own nodes and this package's node, for the
 * end-to-end suite to import into the real application.
 */
export const CREDENTIAL = { id: 'qrStandinCred01', name: 'Quickrouter stand-in' };

export const GEMINI_TYPE = 'n8n-nodes-quickrouter.quickrouterGemini';

export const CHAT_MODEL_TYPE = 'n8n-nodes-quickrouter.lmChatQuickrouterGemini';

type Parameters = Record<string, unknown>;

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Parameters;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
	webhookId?: string;
}

export interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	/** By source node, then connection type (main, ai_languageModel, ai_tool). */
	connections: Record<
		string,
		Record<string, Array<Array<{ node: string; type: string; index: number }>>>
	>;
	settings: Parameters;
}

/** n8n's Manual Trigger, as the editor names it. */
export const MANUAL_TRIGGER: WorkflowNode = {
	id: 'trigger',
	name: 'When clicking Execute workflow',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** n8n's Edit Fields (Set) node, setting one field. */
function setField(
	name: string,
	position: [number, number],
	field: { name: string; value: string; type: 'array' | 'string' },
): WorkflowNode {
	return {
		id: `set-${field.name}`,
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position,
		parameters: {
			mode: 'manual',
			assignments: { assignments: [{ id: `field-${field.name}`, ...field }] },
			options: {},
		},
	};
}

/** A Webhook (version 2.1) that answers by streaming what the workflow's nodes send. */
export function streamingWebhook(id: string, path: string): WorkflowNode {
	return {
		id: 'webhook',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: `${id}-hook`,
		parameters: { httpMethod: 'POST', path, responseMode: 'streaming', options: {} },
	};
}

export function credentialFile(baseUrl: string, apiToken: string) {
	return [{ ...CREDENTIAL, type: 'quickrouterApi', data: { apiToken, baseUrl } }];
}

export function geminiNode(
	name: string,
	parameters: Parameters,
	position: [number, number],
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: `node-${name.replace(/\W/g, '')}`,
		name,
		type: GEMINI_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: { quickrouterApi: CREDENTIAL },
		...extra,
	};
}

export function chain(nodes: WorkflowNode[]): Workflow['connections'] {
	const connections: Workflow['connections'] = {};
	nodes.slice(0, -1).forEach((node, index) => {
		connections[node.name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
	});
	return connections;
}

/** Manual Trigger -> the given nodes, one after another. */
export function manualWorkflow(id: string, name: string, tail: WorkflowNode[]): Workflow {
	const nodes = [MANUAL_TRIGGER, ...tail];
	return {
		id,
		name,
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Manual Trigger -> Rows (Edit Fields: an array made by an expression) -> Split Out ->
 * the given nodes: the shape of a "run the model over my rows" workflow, all in n8n's nodes.
 */
export function rowsWorkflow(
	id: string,
	name: string,
	rowsExpression: string,
	tail: WorkflowNode[],
): Workflow {
	return manualWorkflow(id, name, [
		setField('Rows', [220, 0], { name: 'rows', value: rowsExpression, type: 'array' }),
		{
			id: 'split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [440, 0],
			parameters: { fieldToSplitOut: 'rows', options: {} },
		},
		...tail,
	]);
}

/** Webhook (answers with the last node's output) -> Quickrouter Gemini. */
export function webhookWorkflow(
	id: string,
	path: string,
	gemini: Parameters,
	responseMode = 'lastNode',
): Workflow {
	const nodes: WorkflowNode[] = [
		{
			id: 'webhook',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `${id}-hook`,
			parameters: { httpMethod: 'POST', path, responseMode, options: {} },
		},
		geminiNode('Quickrouter Gemini', gemini, [240, 0]),
	];
	return {
		id,
		name: `Webhook ${path}`,
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Webhook (response mode Streaming, version 2.1) -> Split Out of `questions` -> Quickrouter
 * Gemini: each question's answer streams to the caller as it is written.
 */
export function streamingWebhookWorkflow(id: string, path: string): Workflow {
	const nodes: WorkflowNode[] = [
		streamingWebhook(id, path),
		{
			id: 'split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [220, 0],
			parameters: { fieldToSplitOut: 'body.questions', options: {} },
		},
		geminiNode(
			'Quickrouter Gemini',
			{ prompt: '={{ $json.q }}', options: { concurrency: 1 } },
			[440, 0],
		),
	];
	return {
		id,
		name: `Streaming webhook ${path}`,
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Manual Trigger -> a base64 file in a field -> Convert to File (n8n's own binary data) ->
 * Quickrouter Gemini with that binary property as an attachment.
 */
export function attachmentWorkflow(id: string, base64: string, mimeType: string): Workflow {
	const nodes: WorkflowNode[] = [
		MANUAL_TRIGGER,
		setField('File Field', [220, 0], { name: 'file', value: base64, type: 'string' }),
		{
			id: 'to-file',
			name: 'Convert to File',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			position: [440, 0],
			parameters: {
				operation: 'toBinary',
				sourceProperty: 'file',
				binaryPropertyName: 'data',
				options: { fileName: 'cat.png', mimeType },
			},
		},
		geminiNode(
			'Quickrouter Gemini',
			{ prompt: 'Describe this picture.', options: { attachments: 'data' } },
			[660, 0],
		),
	];
	return {
		id,
		name: 'Describe a picture',
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { executionOrder: 'v1' },
	};
}

/** This package's chat model, placed under the AI node at `position` (its model slot). */
function chatModelNode(
	[x, y]: [number, number],
	model = 'gemini-3-pro-preview',
	extra: Parameters = {},
): WorkflowNode {
	return {
		id: 'chat-model',
		name: 'Quickrouter Gemini Chat Model',
		type: CHAT_MODEL_TYPE,
		typeVersion: 1,
		position: [x - 100, y + 220],
		parameters: {
			model: { __rl: true, mode: 'id', value: model },
			generationConfig: { temperature: 0.2 },
			options: {},
			...extra,
		},
		credentials: { quickrouterApi: CREDENTIAL },
	};
}

/** The AI Agent's helpers, plugged in from below: this package's chat model and n8n's Calculator. */
export function agentWithModelAndCalculator(
	position: [number, number],
	agent: Parameters,
	chatModel: Parameters = {},
) {
	const [x, y] = position;
	const nodes: WorkflowNode[] = [
		{
			id: 'agent',
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position,
			parameters: agent,
		},
		chatModelNode(position, undefined, chatModel),
		{
			id: 'calculator',
			name: 'Calculator',
			type: '@n8n/n8n-nodes-langchain.toolCalculator',
			typeVersion: 1,
			position: [x + 120, y + 220],
			parameters: {},
		},
	];
	const connections: Workflow['connections'] = {
		'Quickrouter Gemini Chat Model': {
			ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
		},
		Calculator: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	};
	return { nodes, connections };
}

/** Manual Trigger -> a question in a field -> n8n's AI Agent, its model this package's. */
export function agentWorkflow(id: string, question: string, chatModel: Parameters = {}): Workflow {
	const question_ = setField('Question', [220, 0], {
		name: 'chatInput',
		value: question,
		type: 'string',
	});
	const agent = agentWithModelAndCalculator(
		[480, 0],
		{ promptType: 'define', text: '={{ $json.chatInput }}', options: {} },
		chatModel,
	);
	const main = [MANUAL_TRIGGER, question_, agent.nodes[0]];
	return {
		id,
		name: 'Agent with a calculator',
		active: false,
		nodes: [MANUAL_TRIGGER, question_, ...agent.nodes],
		connections: { ...chain(main), ...agent.connections },
		settings: { executionOrder: 'v1' },
	};
}

/** Webhook (response mode Streaming) -> AI Agent with streaming on: the answer streams to the caller. */
export function streamingAgentWorkflow(id: string, path: string): Workflow {
	const webhook = streamingWebhook(id, path);
	const agent = agentWithModelAndCalculator([260, 0], {
		promptType: 'define',
		text: '={{ $json.body.question }}',
		options: { enableStreaming: true },
	});
	return {
		id,
		name: `Streaming agent ${path}`,
		active: false,
		nodes: [webhook, ...agent.nodes],
		connections: { ...chain([webhook, agent.nodes[0]]), ...agent.connections },
		settings: { executionOrder: 'v1' },
	};
}

/** n8n's Simple Memory, placed under an agent at [260, 0] (its memory slot). */
const SIMPLE_MEMORY: WorkflowNode = {
	id: 'memory',
	name: 'Simple Memory',
	type: '@n8n/n8n-nodes-langchain.memoryBufferWindow',
	typeVersion: 1.3,
	position: [380, 220],
	parameters: {},
};

/**
 * Chat Trigger (embedded chat, streaming replies) -> AI Agent with this model, n8n's
 * Calculator and n8n's Simple Memory: a chat that remembers the session's earlier turns.
 */
export function chatWithMemoryWorkflow(id: string): Workflow {
	const trigger: WorkflowNode = {
		id: 'chat-trigger',
		name: 'When chat message received',
		type: '@n8n/n8n-nodes-langchain.chatTrigger',
		typeVersion: 1.3,
		position: [0, 0],
		webhookId: `${id}-chat`,
		parameters: { public: true, mode: 'webhook', options: { responseMode: 'streaming' } },
	};
	const agent = agentWithModelAndCalculator([260, 0], { options: {} });
	return {
		id,
		name: 'Chat with memory',
		active: false,
		nodes: [trigger, ...agent.nodes, SIMPLE_MEMORY],
		connections: {
			...chain([trigger, agent.nodes[0]]),
			...agent.connections,
			'Simple Memory': { ai_memory: [[{ node: 'AI Agent', type: 'ai_memory', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** One of n8n's AI chain nodes (Basic LLM Chain, Information Extractor...), as exported. */
export interface ChainNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Parameters;
}

/**
 * Manual Trigger -> Rows -> Split Out -> one of n8n's AI chain nodes, its model this package's
 * chat model: a chain run over a sheet's rows, in batches as the chain sends them.
 */
export function chainWorkflow(
	id: string,
	rowsExpression: string,
	chain: ChainNode,
	model?: string,
): Workflow {
	const chainNode: WorkflowNode = { id: 'chain', position: [660, 0], ...chain };
	const workflow = rowsWorkflow(id, chain.name, rowsExpression, [chainNode]);
	workflow.nodes.push(chatModelNode(chainNode.position, model));
	workflow.connections['Quickrouter Gemini Chat Model'] = {
		ai_languageModel: [[{ node: chain.name, type: 'ai_languageModel', index: 0 }]],
	};
	return workflow;
}
