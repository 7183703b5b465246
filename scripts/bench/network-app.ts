/**
 * The real-network section's clients inside the real n8n application (the pinned n8n that
 * test/e2e/install.ts installs and caches, with this package packed and installed as a
 * community package), one `n8n execute` for all of them. n8n is started with
 * NODE_EXTRA_CA_CERTS naming the test-only certificate: the one way to make n8n trust a private
 * CA (n8n has no CA setting of its own), and it applies to every node alike.
 *
 * One workflow: the Manual Trigger feeds, per case, Rows (Edit Fields, an array made by an
 * expression) -> Split Out -> the client. n8n (execution order v1) runs each branch to its end
 * before the next, so cases never overlap; a case's time is its client node's own
 * `executionTime` in the run data, summed over the node's runs.
 * - `ours`: Quickrouter Gemini with Concurrency set, defaults otherwise.
 * - `http`: n8n's HTTP Request node (4.2) as a user would set it up for this API (POST, JSON
 *   body by expression, Header Auth credential, response format Text). Its Batching option
 *   cannot bound what is in flight (with interval 0 it sends every item at once, with an
 *   interval it sleeps between batches without waiting for their answers: V3/HttpRequestV3 in
 *   n8n-nodes-base 2.41.1), so it runs under Loop Over Items (Split in Batches 3) with a batch
 *   size of the concurrency: each batch's requests go at once, the next batch once all are
 *   answered.
 * - `gemini`: n8n's own Google Gemini node (@n8n/n8n-nodes-langchain, Message a Model), its
 *   `googlePalmApi` credential's Host set to the stand-in. Its router awaits each item before the
 *   next (vendors/GoogleGemini/actions/router.js), so it sends one request at a time whatever
 *   the workflow does; it asks `:generateContent` (one JSON answer, not a stream) and sends the
 *   key as `?key=`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { ensureN8n } from '../../test/e2e/install';
import { freePort, N8nInstance } from '../../test/e2e/n8n';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

export type AppClient = 'ours' | 'http' | 'gemini';

export interface AppNetworkCase {
	client: AppClient;
	/** The case's token: the stand-in counts its connections by it. */
	key: string;
	baseUrl: string;
	model: string;
	rows: number;
	concurrency: number;
}

export interface AppNetworkResult {
	key: string;
	/** The client node's own execution time, summed over its runs. */
	wallMs: number;
	/** How many times n8n ran the client node (the batches, for the HTTP Request node). */
	runs: number;
}

type Node = Record<string, unknown> & { name: string; position: [number, number] };
type Target = { node: string; type: string; index: number };
const to = (node: string): Target => ({ node, type: 'main', index: 0 });

const credentialId = (index: number) => `netBenchCred${String(index).padStart(4, '0')}`;

function clientNode(item: AppNetworkCase, index: number, x: number, y: number): Node {
	const credential = { id: credentialId(index), name: `Network bench ${item.key}` };
	const base = {
		id: `client-${index}`,
		name: `Client ${item.key}`,
		position: [x, y] as [number, number],
	};
	if (item.client === 'ours')
		return {
			...base,
			type: 'n8n-nodes-quickrouter.quickrouterGemini',
			typeVersion: 1,
			parameters: {
				model: { __rl: true, mode: 'id', value: item.model },
				prompt: '={{ $json.q }}',
				options: { concurrency: item.concurrency },
			},
			credentials: { quickrouterApi: credential },
		};
	if (item.client === 'http')
		return {
			...base,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: `${item.baseUrl}/v1beta/models/${item.model}:streamGenerateContent?alt=sse`,
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				sendBody: true,
				specifyBody: 'json',
				jsonBody:
					"={{ JSON.stringify({ contents: [{ role: 'user', parts: [{ text: $json.q }] }] }) }}",
				options: { response: { response: { responseFormat: 'text' } } },
			},
			credentials: { httpHeaderAuth: credential },
		};
	return {
		...base,
		type: '@n8n/n8n-nodes-langchain.googleGemini',
		typeVersion: 1.2,
		parameters: {
			resource: 'text',
			operation: 'message',
			modelId: { __rl: true, mode: 'id', value: `models/${item.model}` },
			messages: { values: [{ content: '={{ $json.q }}', role: 'user' }] },
			simplify: true,
			jsonOutput: false,
			builtInTools: {},
			options: {},
		},
		credentials: { googlePalmApi: credential },
	};
}

function credentialOf(item: AppNetworkCase, index: number) {
	const common = { id: credentialId(index), name: `Network bench ${item.key}` };
	if (item.client === 'ours')
		return {
			...common,
			type: 'quickrouterApi',
			data: { apiToken: item.key, baseUrl: item.baseUrl },
		};
	if (item.client === 'http')
		return {
			...common,
			type: 'httpHeaderAuth',
			data: { name: 'Authorization', value: `Bearer ${item.key}` },
		};
	return { ...common, type: 'googlePalmApi', data: { host: item.baseUrl, apiKey: item.key } };
}

function workflow(id: string, cases: AppNetworkCase[]) {
	const trigger: Node = {
		id: 'trigger',
		name: 'When clicking Execute workflow',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes: Node[] = [trigger];
	const connections: Record<string, { main: Target[][] }> = {};
	const starts: Target[] = [];
	cases.forEach((item, index) => {
		const y = index * 300;
		const rowsName = `Rows ${item.key}`;
		const splitName = `Split ${item.key}`;
		nodes.push(
			{
				id: `rows-${index}`,
				name: rowsName,
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [300, y],
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [
							{
								id: `field-${index}`,
								name: 'rows',
								value: `={{ Array.from({ length: ${item.rows} }, (_, index) => ({ q: 'row ' + index })) }}`,
								type: 'array',
							},
						],
					},
					options: {},
				},
			},
			{
				id: `split-${index}`,
				name: splitName,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [600, y],
				parameters: { fieldToSplitOut: 'rows', options: {} },
			},
		);
		starts.push(to(rowsName));
		connections[rowsName] = { main: [[to(splitName)]] };
		const client = clientNode(item, index, item.client === 'http' ? 1200 : 900, y);
		nodes.push(client);
		if (item.client === 'http') {
			const loopName = `Loop ${item.key}`;
			nodes.push({
				id: `loop-${index}`,
				name: loopName,
				type: 'n8n-nodes-base.splitInBatches',
				typeVersion: 3,
				position: [900, y],
				parameters: { batchSize: item.concurrency, options: {} },
			});
			connections[splitName] = { main: [[to(loopName)]] };
			// Output 0 is "done", output 1 the batch to work on.
			connections[loopName] = { main: [[], [to(client.name)]] };
			connections[client.name] = { main: [[to(loopName)]] };
		} else connections[splitName] = { main: [[to(client.name)]] };
	});
	connections[trigger.name] = { main: [starts] };
	return {
		id,
		name: 'Network bench',
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

interface RunEntry {
	executionTime?: number;
	error?: { message: string };
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
}

/**
 * Installs (or reuses) n8n, packs this package (dist/ must be built), and runs every case in one
 * `n8n execute`, with `caFile` trusted through NODE_EXTRA_CA_CERTS.
 */
export async function networkInN8n(
	cases: AppNetworkCase[],
	caFile: string,
	log: (line: string) => void,
): Promise<AppNetworkResult[]> {
	const install = await ensureN8n(log);
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-bench-pack-'));
	const n8n = new N8nInstance(install, { env: { NODE_EXTRA_CA_CERTS: caFile } });
	n8n.port = await freePort();
	n8n.brokerPort = await freePort();
	try {
		const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packDir], {
			cwd: ROOT,
		});
		const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
		await n8n.installPackage(path.join(packDir, filename));
		await n8n.importJson(
			'credentials',
			cases.map((item, index) => credentialOf(item, index)),
		);
		const id = 'benchNetwork0001';
		await n8n.importJson('workflow', [workflow(id, cases)]);
		const started = Date.now();
		const result = await n8n.execute(id);
		log(`  n8n network run: ${Math.round((Date.now() - started) / 1000)} s`);
		if (result.data.resultData.error)
			throw new Error(`n8n run failed: ${result.data.resultData.error.message}`);
		const runData = result.data.resultData.runData as unknown as Record<string, RunEntry[]>;
		return cases.map((item) => {
			const entries = runData[`Client ${item.key}`] ?? [];
			const items = entries.flatMap((entry) => entry.data?.main?.[0] ?? []);
			const failed = items.filter((output) => output.json.error !== undefined).length;
			const error = entries.find((entry) => entry.error)?.error;
			if (entries.length === 0 || error || items.length !== item.rows || failed > 0)
				throw new Error(
					`${item.key}: ${items.length} items of ${item.rows}, ${failed} failed${error ? `: ${error.message}` : ''}`,
				);
			return {
				key: item.key,
				wallMs: entries.reduce((sum, entry) => sum + (entry.executionTime ?? NaN), 0),
				runs: entries.length,
			};
		});
	} finally {
		await n8n.stop();
		rmSync(n8n.userFolder, { recursive: true, force: true });
		rmSync(packDir, { recursive: true, force: true });
	}
}
