import type { IDataObject, INode } from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	forgetRateLimits,
	geminiWorkflow,
	type RunOptions,
	runWorkflow,
	type WorkflowRun,
} from '../harness/n8n';
import { StandinServer, STANDIN_TOKEN } from '../standin/server';

export const GEMINI = 'Quickrouter Gemini';

/**
 * One stand-in server per test file, started before its tests and stopped after them.
 * After every test, every connection the node opened must be closed (within a second).
 */
export function useStandin(): StandinServer {
	const server = new StandinServer();
	beforeAll(async () => {
		await server.start();
	});
	beforeEach(() => {
		server.reset();
		forgetRateLimits();
	});
	afterEach(async () => {
		expect(await server.settled(1000)).toBe(0);
	});
	afterAll(async () => {
		await server.stop();
	});
	return server;
}

export interface GeminiRunOptions {
	rows?: IDataObject[];
	settings?: Partial<INode>;
	token?: string;
	baseUrl?: string;
	abortSignal?: AbortSignal;
	onChunk?: RunOptions['onChunk'];
}

/** Runs Manual Trigger -> Rows -> Quickrouter Gemini with the given node parameters. */
export async function runGemini(
	server: StandinServer,
	parameters: IDataObject,
	options: GeminiRunOptions = {},
): Promise<WorkflowRun> {
	return await runWorkflow({
		...geminiWorkflow(parameters, options.rows ?? [{}], options.settings),
		credentials: {
			[CREDENTIAL_TYPE]: {
				apiToken: options.token ?? STANDIN_TOKEN,
				baseUrl: options.baseUrl ?? server.baseUrl,
			},
		},
		abortSignal: options.abortSignal,
		onChunk: options.onChunk,
	});
}
