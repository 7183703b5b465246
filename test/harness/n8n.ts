/**
 * Runs real workflows through n8n's own engine (n8n-core's WorkflowExecute), in this process.
 *
 * The package is loaded from dist/ by n8n-core's PackageDirectoryLoader, the same loader n8n
 * uses for community packages, so the `n8n` block of package.json, the bundled files and the
 * codex are exercised exactly as n8n reads them. Only the pieces the n8n application would
 * supply (credential storage, the trigger that starts a manual run) are provided here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// InstanceSettings writes <N8N_USER_FOLDER>/.n8n/config when n8n-core loads: keep it out of $HOME.
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'n8n-quickrouter-test-'));
// n8n's logger would print every node error; tests and the demo read errors from the run instead.
process.env.N8N_LOG_LEVEL ??= 'silent';

import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PackageDirectoryLoader,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypes,
	IRun,
	ITriggerFunctions,
	ITriggerResponse,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	createEmptyRunExecutionData,
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

export const PACKAGE_NAME = 'n8n-nodes-quickrouter';

export const GEMINI_NODE_TYPE = `${PACKAGE_NAME}.quickrouterGemini`;

export const CREDENTIAL_TYPE = 'quickrouterApi';

/** What n8n's Manual Trigger does when a user clicks "Execute workflow": emit one empty item. */
class ManualTrigger implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow by hand',
		defaults: { name: 'Manual Trigger' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	} as INodeType['description'];

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return {
			manualTriggerFunction: async () => {
				this.emit([this.helpers.returnJsonArray([{}])]);
			},
		};
	}
}

/** Emits the rows in its `rows` parameter as items, like a sheet read or a Code node would. */
class Rows implements INodeType {
	description = {
		displayName: 'Rows',
		name: 'rows',
		group: ['transform'],
		version: 1,
		description: 'Outputs fixed rows',
		defaults: { name: 'Rows' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Rows', name: 'rows', type: 'json', default: '[]' }],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const rows = this.getNodeParameter('rows', 0) as unknown;
		const list = (typeof rows === 'string' ? JSON.parse(rows) : rows) as IDataObject[];
		const items: INodeExecutionData[] = [];
		for (const { $binary, ...json } of list) {
			const item: INodeExecutionData = { json, pairedItem: { item: 0 } };
			// `$binary: { name: { data (base64), mimeType, fileName } }` becomes n8n binary data.
			for (const [name, file] of Object.entries(($binary ?? {}) as Record<string, BinaryRow>)) {
				item.binary ??= {};
				item.binary[name] = await this.helpers.prepareBinaryData(
					Buffer.from(file.data, 'base64'),
					file.fileName,
					file.mimeType,
				);
			}
			items.push(item);
		}
		return [items];
	}
}

/** What a test does with the chat model a {@link ChatRoot} node received; returns its output. */
export type ChatDriver = (model: unknown) => Promise<IDataObject>;

/**
 * Drives a chat model as n8n's Basic LLM Chain 1.9 does (Text Classifier and Sentiment Analysis
 * alike): `batchSize` rows at once through LangChain's `invoke`, `Promise.allSettled`, then the
 * next batch (`delayBetweenBatches` 0). Each row's answer text, or its error's message.
 */
export function inBatches(rows: string[], batchSize = 5): ChatDriver {
	return async (model) => {
		const adapter = model as { invoke(input: string): Promise<{ text: string }> };
		const answers: string[] = [];
		let failed = 0;
		for (let from = 0; from < rows.length; from += batchSize) {
			const batch = await Promise.allSettled(
				rows.slice(from, from + batchSize).map(async (row) => await adapter.invoke(row)),
			);
			for (const result of batch) {
				if (result.status === 'rejected') failed++;
				answers.push(result.status === 'fulfilled' ? result.value.text : String(result.reason));
			}
		}
		return { answers, failed };
	};
}

/**
 * A root node that takes a chat model on its `ai_languageModel` input, as n8n's AI Agent and
 * chains do: n8n-core calls the sub-node's `supplyData` when this node asks for its input.
 * What happens with the model is up to the test ({@link ChatRoot.drive}).
 */
class ChatRoot implements INodeType {
	static drive: ChatDriver = async () => ({});

	description = {
		displayName: 'Chat Root',
		name: 'chatRoot',
		group: ['transform'],
		version: 1,
		description: 'Uses a chat model',
		defaults: { name: 'Chat Root' },
		inputs: [
			'main',
			{ type: 'ai_languageModel', displayName: 'Model', required: true, maxConnections: 1 },
		],
		outputs: ['main'],
		properties: [],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const model = await this.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, 0);
		return [[{ json: await ChatRoot.drive(model), pairedItem: { item: 0 } }]];
	}
}

export const CHAT_ROOT_TYPE = 'harness.chatRoot';

export const CHAT_MODEL_NODE_TYPE = `${PACKAGE_NAME}.lmChatQuickrouterGemini`;

/** Manual Trigger -> Chat Root, with the Quickrouter Gemini Chat Model plugged in as its model. */
export function chatModelWorkflow(
	parameters: IDataObject,
	drive: ChatDriver,
): Pick<RunOptions, 'nodes' | 'connections'> {
	ChatRoot.drive = drive;
	const nodes: INode[] = [
		MANUAL_TRIGGER_NODE,
		{
			id: '2',
			name: 'Chat Root',
			type: CHAT_ROOT_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
		},
		{
			id: '3',
			name: 'Chat Model',
			type: CHAT_MODEL_NODE_TYPE,
			typeVersion: 1,
			position: [200, 200],
			parameters: parameters as INode['parameters'],
			credentials: CREDENTIAL_REF,
		},
	];
	const connections: IConnections = {
		'Manual Trigger': { main: [[{ node: 'Chat Root', type: 'main', index: 0 }]] },
		'Chat Model': {
			ai_languageModel: [[{ node: 'Chat Root', type: 'ai_languageModel', index: 0 }]],
		},
	};
	return { nodes, connections };
}

/** How a node in a saved workflow points at its credential. */
const CREDENTIAL_REF: INode['credentials'] = {
	[CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Quickrouter account' },
};

interface BinaryRow {
	data: string;
	mimeType: string;
	fileName: string;
}

export const MANUAL_TRIGGER_TYPE = 'harness.manualTrigger';
export const ROWS_TYPE = 'harness.rows';

/** The workflows' start: what a user clicks to run them. */
const MANUAL_TRIGGER_NODE: INode = {
	id: '1',
	name: 'Manual Trigger',
	type: MANUAL_TRIGGER_TYPE,
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export interface LoadedPackage {
	nodeTypes: INodeTypes;
	credentialTypes: Record<string, ICredentialType>;
	loader: PackageDirectoryLoader;
}

let loaded: Promise<LoadedPackage> | undefined;

/**
 * Forgets what the package's rate limiters learnt: they live as long as the process (as in
 * n8n) and are shared by key and model, so each test starts from a clean slate. The core is
 * the module the nodes require from dist/, so this reaches the same limiters.
 */
export function forgetRateLimits(): void {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const core = require(path.join(PROJECT_ROOT, 'dist/nodes/shared/index.js')) as {
		forgetRateLimits: () => void;
	};
	core.forgetRateLimits();
}

/** The waits of the request options a test can scale down (see {@link scaledWaits}). */
export interface Waits {
	/** Idle Timeout's default, in ms. */
	idleTimeout?: number;
	/** How long a Flex answer may take to start when Idle Timeout is not set, in ms. */
	flex?: number;
}

/**
 * Scales waits of minutes down to what a test can wait for, in the built core the nodes run
 * (dist/nodes/shared/index.js, as loaded in this test file): Idle Timeout's default and the
 * start waits per tier (`REQUEST_OPTION_DEFAULTS`, `TIER_START_WAITS` in parameters/readers.ts).
 * What the editor shows is unchanged. Returns the function that puts them back.
 */
export function scaledWaits(waits: Waits): () => void {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const core = require(path.join(PROJECT_ROOT, 'dist/nodes/shared/index.js')) as {
		REQUEST_OPTION_DEFAULTS: Record<string, unknown>;
		TIER_START_WAITS: Record<string, number>;
	};
	const before = {
		idleTimeout: core.REQUEST_OPTION_DEFAULTS.idleTimeout,
		flex: core.TIER_START_WAITS.flex,
	};
	if (waits.idleTimeout !== undefined) core.REQUEST_OPTION_DEFAULTS.idleTimeout = waits.idleTimeout;
	if (waits.flex !== undefined) core.TIER_START_WAITS.flex = waits.flex;
	return () => {
		core.REQUEST_OPTION_DEFAULTS.idleTimeout = before.idleTimeout;
		core.TIER_START_WAITS.flex = before.flex;
	};
}

/** Loads dist/ the way n8n loads an installed community package (once per test file). */
export async function loadPackage(): Promise<LoadedPackage> {
	loaded ??= (async () => {
		const loader = new PackageDirectoryLoader(PROJECT_ROOT);
		await loader.loadAll();
		const byType: Record<string, INodeType | IVersionedNodeType> = {
			[MANUAL_TRIGGER_TYPE]: new ManualTrigger(),
			[ROWS_TYPE]: new Rows(),
			[CHAT_ROOT_TYPE]: new ChatRoot(),
		};
		for (const [name, { type }] of Object.entries(loader.nodeTypes)) {
			byType[`${PACKAGE_NAME}.${name}`] = type;
			// n8n runs a node an AI Agent uses as a tool under its name with `Tool` appended; the
			// class and its execute() are the same (n8n only changes its inputs and outputs).
			if ((type as INodeType).description?.usableAsTool)
				byType[`${PACKAGE_NAME}.${name}Tool`] = type;
		}
		const credentialTypes: Record<string, ICredentialType> = {};
		for (const [name, { type }] of Object.entries(loader.credentialTypes)) {
			credentialTypes[name] = type;
		}
		const nodeTypes: INodeTypes = {
			getByName: (type) => byType[type],
			getByNameAndVersion: (type, version) =>
				NodeHelpers.getVersionedNodeType(byType[type], version),
			getKnownTypes: () => ({}),
		};
		return { nodeTypes, credentialTypes, loader };
	})();
	return await loaded;
}

/**
 * Stores credentials in memory and applies a credential's generic `authenticate` block by
 * resolving its expressions with the workflow's expression engine, as n8n's server does.
 */
class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.types[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type !== 'generic' || !workflow || !node) return requestOptions;
		const resolve = (value: string) =>
			String(
				workflow.expression.getSimpleParameterValue(node, value, 'internal', {
					$credentials: credentials,
				}) ?? '',
			);
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			const target = ((requestOptions as unknown as Record<string, IDataObject>)[section] ??= {});
			for (const [key, value] of Object.entries(entries as IDataObject)) {
				target[resolve(key)] = resolve(String(value));
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('Not used by these tests');
	}

	/** The stored data with the credential type's defaults filled in, as n8n does. */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		return withDefaults(this.types[type], this.data[type] ?? {});
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string) {
		return this.types[type].properties;
	}
}

function withDefaults(
	type: ICredentialType,
	data: ICredentialDataDecryptedObject,
): ICredentialDataDecryptedObject {
	const defaults = Object.fromEntries(
		type.properties.map((property) => [property.name, property.default]),
	);
	return { ...defaults, ...data } as ICredentialDataDecryptedObject;
}

function additionalDataFor(
	credentialsHelper: ICredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		currentNodeExecutionIndex: 0,
		// Never contacted: n8n only builds resume and form URLs from these.
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not used by these tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: async () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not used by these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface WorkflowRun {
	run: IRun;
	/** Items the named node put on its first output, in order. */
	output(nodeName: string): INodeExecutionData[];
	/** The error that stopped the run, if any. */
	error?: IRun['data']['resultData']['error'];
}

export interface RunOptions {
	nodes: INode[];
	connections: IConnections;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	mode?: WorkflowExecuteMode;
	/** Aborts the execution like the Stop button does. */
	abortSignal?: AbortSignal;
	/**
	 * Makes the run a streaming one, as under a Webhook or Chat Trigger whose response mode is
	 * Streaming: every chunk a node sends to the caller comes here.
	 */
	onChunk?: (chunk: StreamedChunk) => void;
}

export interface StreamedChunk {
	type: 'begin' | 'item' | 'end' | 'error';
	content?: string;
	metadata: { nodeName: string; itemIndex: number; timestamp: number };
}

export async function runWorkflow(options: RunOptions): Promise<WorkflowRun> {
	const { nodeTypes, credentialTypes } = await loadPackage();
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes: options.nodes,
		connections: options.connections,
		nodeTypes,
		active: false,
		settings: { executionOrder: 'v1' },
	});
	const hooks = new ExecutionLifecycleHooks(options.mode ?? 'manual', 'test-execution', {
		id: 'test-workflow',
		name: 'test',
		nodes: options.nodes,
		connections: options.connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	});
	let finish: (run: IRun) => void = () => undefined;
	const finished = new Promise<IRun>((resolve) => (finish = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finish(run));
	const additionalData = additionalDataFor(
		new MemoryCredentialsHelper(credentialTypes, options.credentials ?? {}),
		hooks,
	);
	if (options.onChunk) {
		const onChunk = options.onChunk;
		hooks.addHandler('sendChunk', (chunk) => onChunk(chunk as StreamedChunk));
		additionalData.streamingEnabled = true;
	}
	const startNode = workflow.getStartNode();
	if (!startNode) throw new Error('The workflow has no start node');
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	const execution = new WorkflowExecute(additionalData, options.mode ?? 'manual', runExecutionData);
	const running = execution.processRunExecutionData(workflow);
	options.abortSignal?.addEventListener('abort', () => running.cancel());
	await running;
	const run = await finished;
	return {
		run,
		error: run.data.resultData.error,
		output: (nodeName) => run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [],
	};
}

/** Manual Trigger -> Rows -> Quickrouter Gemini, the shape of a "run over my rows" workflow. */
export function geminiWorkflow(
	parameters: IDataObject,
	rows: IDataObject[] = [{}],
	nodeSettings: Partial<INode> = {},
): Pick<RunOptions, 'nodes' | 'connections'> {
	const nodes: INode[] = [
		MANUAL_TRIGGER_NODE,
		{
			id: '2',
			name: 'Rows',
			type: ROWS_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { rows: JSON.stringify(rows) },
		},
		{
			id: '3',
			name: 'Quickrouter Gemini',
			type: GEMINI_NODE_TYPE,
			typeVersion: 1,
			position: [400, 0],
			parameters: parameters as INode['parameters'],
			credentials: CREDENTIAL_REF,
			...nodeSettings,
		},
	];
	const connections: IConnections = {
		'Manual Trigger': { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
		Rows: { main: [[{ node: 'Quickrouter Gemini', type: 'main', index: 0 }]] },
	};
	return { nodes, connections };
}

/** One node with the credential, alone in a workflow, as the editor sets it up for tests and lists. */
async function standalone(
	nodeTypes: INodeTypes,
	type: string,
	data: ICredentialDataDecryptedObject,
): Promise<{ node: INode; workflow: Workflow; additionalData: IWorkflowExecuteAdditionalData }> {
	const { credentialTypes } = await loadPackage();
	const node: INode = {
		id: 'standalone',
		name: 'Standalone',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: CREDENTIAL_REF,
	};
	return {
		node,
		workflow: new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes }),
		additionalData: additionalDataFor(
			new MemoryCredentialsHelper(credentialTypes, { [CREDENTIAL_TYPE]: data }),
		),
	};
}

/**
 * The credential's Test button: n8n's server turns the credential's `test.request` into a
 * throwaway declarative node and runs it with n8n-core's RoutingNode. Same here.
 */
export async function testCredential(
	data: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const { credentialTypes } = await loadPackage();
	const type = credentialTypes[CREDENTIAL_TYPE];
	if (!type.test) throw new Error('The credential has no test request');
	const testNodeType: INodeType = {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					default: '',
					routing: { request: type.test.request },
				},
			],
		} as INodeType['description'],
	};
	const nodeTypes: INodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: () => testNodeType,
		getKnownTypes: () => ({}),
	};
	const { node, workflow, additionalData } = await standalone(nodeTypes, 'credentialTest', data);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const credentialsDecrypted = {
		id: 'cred-1',
		name: 'Quickrouter account',
		type: CREDENTIAL_TYPE,
		data: withDefaults(type, data),
	};
	try {
		await new RoutingNode(context, testNodeType, credentialsDecrypted).runNode();
		return { status: 'OK', message: 'Connection successful!' };
	} catch (error) {
		// n8n's server (CredentialsTester) reports a failed test request by the message of a
		// `responseCode` rule of the test, else by its status text, else by its status code.
		const response = (error as { cause?: { response?: { status?: number; statusText?: string } } })
			.cause?.response;
		if (response?.status) {
			const rule = (type.test.rules ?? []).find(
				(entry) => entry.type === 'responseCode' && entry.properties.value === response.status,
			);
			return {
				status: 'Error',
				message:
					(rule?.properties.message as string | undefined) ??
					(response.statusText || `Received HTTP status code: ${response.status}`),
			};
		}
		return { status: 'Error', message: (error as Error).message };
	}
}

/** The model list of the resource locator, called as the editor calls it. */
export async function searchModels(
	data: ICredentialDataDecryptedObject,
	filter?: string,
): Promise<INodeListSearchResult> {
	const { nodeTypes } = await loadPackage();
	const { node, workflow, additionalData } = await standalone(nodeTypes, GEMINI_NODE_TYPE, data);
	const context = new LoadOptionsContext(workflow, node, additionalData, 'model');
	const nodeType = nodeTypes.getByNameAndVersion(GEMINI_NODE_TYPE, 1) as INodeType;
	const search = nodeType.methods?.listSearch?.searchModels;
	if (!search) throw new Error('The node has no searchModels method');
	return await search.call(context, filter);
}
