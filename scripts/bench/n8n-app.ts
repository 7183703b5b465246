/**
 * The node next to n8n's own HTTP Request node, both inside the real n8n application (the
 * pinned n8n that test/e2e/install.ts installs and caches), sending the same
 * `streamGenerateContent` requests to the same bench server.
 *
 * One workflow holds every measured node: Manual Trigger -> Rows (Edit Fields, an array made
 * by an expression) -> Split Out -> one HTTP Request node and one Quickrouter Gemini node per
 * setting, all fed the same items. n8n runs the nodes one after the other, so they never
 * overlap, and each node's own `executionTime` in the run data is its time alone, without
 * n8n's start-up. Two copies of the workflow differ only in which of each pair runs first,
 * and the rounds alternate between them.
 *
 * The HTTP Request node (typeVersion 4.2) is set up as a user would for this API: POST with a
 * JSON body made by an expression, a Header Auth credential for the Authorization header,
 * response format Text (the SSE body as one string), and Options -> Batching with items per
 * batch = the concurrency and interval 0. Its source (V3/HttpRequestV3.node.js in n8n-nodes-base
 * 2.41.1) sleeps between batches only when the interval is above 0, and never waits for a
 * batch's answers: with interval 0 it sends every item's request at once, whatever the batch
 * size. So its "concurrency" is the whole input in every row of the table.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { ensureN8n } from '../../test/e2e/install';
import { freePort, N8nInstance } from '../../test/e2e/n8n';
import { type ProfileSummary, summarize } from './profile';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

const QR_CREDENTIAL = { id: 'qrBenchCred0001', name: 'Quickrouter bench' };
const HEADER_CREDENTIAL = { id: 'hdrBenchCred001', name: 'Header auth bench' };
const TOKEN = 'bench-app';

export interface AppCase {
	key: string;
	/** The bench server's model: `instant` or `delay-50`. */
	model: string;
	rows: number;
	concurrency: number;
}

export interface AppTiming {
	http: number[];
	ours: number[];
}

type Node = Record<string, unknown> & { name: string; position: [number, number] };

const rowsExpression = (rows: number) =>
	`={{ Array.from({ length: ${rows} }, (_, index) => ({ q: 'row ' + index })) }}`;

function httpNode(name: string, baseUrl: string, item: AppCase, y: number): Node {
	return {
		id: `http-${item.key}`,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [900, y],
		parameters: {
			method: 'POST',
			url: `${baseUrl}/v1beta/models/${item.model}:streamGenerateContent?alt=sse`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody:
				"={{ JSON.stringify({ contents: [{ role: 'user', parts: [{ text: $json.q }] }] }) }}",
			options: {
				batching: { batch: { batchSize: item.concurrency, batchInterval: 0 } },
				response: { response: { responseFormat: 'text' } },
			},
		},
		credentials: { httpHeaderAuth: HEADER_CREDENTIAL },
	};
}

function oursNode(name: string, item: AppCase, y: number): Node {
	return {
		id: `ours-${item.key}`,
		name,
		type: 'n8n-nodes-quickrouter.quickrouterGemini',
		typeVersion: 1,
		position: [900, y],
		parameters: {
			model: { __rl: true, mode: 'id', value: item.model },
			prompt: '={{ $json.q }}',
			options: { concurrency: item.concurrency },
		},
		credentials: { quickrouterApi: QR_CREDENTIAL },
	};
}

export const httpName = (item: AppCase) => `HTTP Request ${item.key}`;
export const oursName = (item: AppCase) => `Quickrouter ${item.key}`;

/**
 * The workflow with every case; `oursFirst` puts our node above (so before) each HTTP node.
 * `oursOnly` leaves the HTTP nodes out (the profiled run).
 */
function workflow(
	id: string,
	baseUrl: string,
	cases: AppCase[],
	oursFirst: boolean,
	oursOnly = false,
) {
	const nodes: Node[] = [
		{
			id: 'trigger',
			name: 'When clicking Execute workflow',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
	];
	const connections: Record<string, unknown> = {};
	const trigger: Array<{ node: string; type: string; index: number }> = [];
	const sizes = [...new Set(cases.map((item) => `${item.model}-${item.rows}`))];
	sizes.forEach((size, sizeIndex) => {
		const [model, rows] = [size.slice(0, size.lastIndexOf('-')), Number(size.split('-').pop())];
		const rowsName = `Rows ${size}`;
		const splitName = `Split ${size}`;
		const baseY = sizeIndex * 2000;
		nodes.push(
			{
				id: `rows-${size}`,
				name: rowsName,
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [300, baseY],
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [
							{ id: `field-${size}`, name: 'rows', value: rowsExpression(rows), type: 'array' },
						],
					},
					options: {},
				},
			},
			{
				id: `split-${size}`,
				name: splitName,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [600, baseY],
				parameters: { fieldToSplitOut: 'rows', options: {} },
			},
		);
		trigger.push({ node: rowsName, type: 'main', index: 0 });
		connections[rowsName] = { main: [[{ node: splitName, type: 'main', index: 0 }]] };
		const targets: Array<{ node: string; type: string; index: number }> = [];
		cases
			.filter((item) => item.model === model && item.rows === rows)
			.forEach((item, caseIndex) => {
				const y = baseY + caseIndex * 400;
				const http = httpNode(httpName(item), baseUrl, item, y + (oursFirst ? 200 : 0));
				const ours = oursNode(oursName(item), item, y + (oursFirst ? 0 : 200));
				const pair = oursOnly ? [ours] : oursFirst ? [ours, http] : [http, ours];
				nodes.push(...pair);
				for (const node of pair) targets.push({ node: node.name, type: 'main', index: 0 });
			});
		connections[splitName] = { main: [targets] };
	});
	connections[nodes[0].name] = { main: [trigger] };
	return {
		id,
		name: `Bench ${oursOnly ? 'ours only' : oursFirst ? 'ours first' : 'HTTP Request first'}`,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

/** The run's JSON in what `n8n execute --rawOutput` prints (as N8nInstance.execute reads it). */
function runJson(stdout: string): { data: { resultData: { runData: unknown } } } {
	const lines = stdout.split('\n');
	const first = lines.indexOf('{');
	for (let last = lines.length - 1; first >= 0 && last > first; last--) {
		if (lines[last] !== '}') continue;
		try {
			return JSON.parse(lines.slice(first, last + 1).join('\n'));
		} catch {
			// a brace line inside the log, not the end of the JSON
		}
	}
	throw new Error(`n8n execute printed no JSON:\n${stdout.slice(0, 2000)}`);
}

interface RunEntry {
	executionTime?: number;
	error?: { message: string };
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
}

export interface AppResult {
	timings: Map<string, AppTiming>;
	/** `n8n execute` of our node alone for `profiled`, under V8's CPU profiler. */
	profile?: ProfileSummary;
}

/**
 * Installs (or reuses) n8n, packs this package (dist/ must be built), runs the cases `rounds`
 * times and returns each node's own execution times; then, when `profiled` is given, runs our
 * node alone for that case once more under `--cpu-prof` (a run not timed with the others).
 */
export async function compareInN8n(
	baseUrl: string,
	cases: AppCase[],
	rounds: number,
	log: (line: string) => void,
	profiled?: AppCase,
): Promise<AppResult> {
	const install = await ensureN8n(log);
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-bench-pack-'));
	const n8n = new N8nInstance(install);
	// `n8n execute` opens the task broker's port too: not the default one, which another n8n
	// on this machine may hold.
	n8n.port = await freePort();
	n8n.brokerPort = await freePort();
	try {
		const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packDir], {
			cwd: ROOT,
		});
		const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
		await n8n.installPackage(path.join(packDir, filename));
		await n8n.importJson('credentials', [
			{ ...QR_CREDENTIAL, type: 'quickrouterApi', data: { apiToken: TOKEN, baseUrl } },
			{
				...HEADER_CREDENTIAL,
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${TOKEN}` },
			},
		]);
		const ids = ['benchHttpFirst01', 'benchOursFirst01'];
		const profileId = 'benchOursOnly001';
		await n8n.importJson('workflow', [
			workflow(ids[0], baseUrl, cases, false),
			workflow(ids[1], baseUrl, cases, true),
			...(profiled ? [workflow(profileId, baseUrl, [profiled], true, true)] : []),
		]);

		const timings = new Map<string, AppTiming>(
			cases.map((item) => [item.key, { http: [], ours: [] }]),
		);
		for (let round = 0; round < rounds; round++) {
			const started = Date.now();
			const result = await n8n.execute(ids[round % 2]);
			const runData = result.data.resultData.runData as unknown as Record<string, RunEntry[]>;
			if (result.data.resultData.error)
				throw new Error(`n8n run failed: ${result.data.resultData.error.message}`);
			for (const item of cases) {
				for (const [name, side] of [
					[httpName(item), 'http'],
					[oursName(item), 'ours'],
				] as const) {
					const entry = runData[name]?.[0];
					const items = entry?.data?.main?.[0] ?? [];
					const failed = items.filter((output) => output.json.error !== undefined).length;
					if (!entry || entry.error || items.length !== item.rows || failed > 0)
						throw new Error(
							`${name}: ${items.length} items of ${item.rows}, ${failed} failed${entry?.error ? `: ${entry.error.message}` : ''}`,
						);
					timings.get(item.key)?.[side].push(entry.executionTime ?? NaN);
				}
			}
			log(`  n8n round ${round + 1}/${rounds}: ${Math.round((Date.now() - started) / 1000)} s`);
		}
		let profile: ProfileSummary | undefined;
		if (profiled) {
			const dir = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-bench-profile-'));
			const { stdout } = await exec(
				install.node,
				[
					'--cpu-prof',
					`--cpu-prof-dir=${dir}`,
					'--cpu-prof-interval=250',
					install.n8n,
					'execute',
					`--id=${profileId}`,
					'--rawOutput',
				],
				{ env: n8n.env(), timeout: 300_000, maxBuffer: 256 << 20 },
			);
			const runData = runJson(stdout).data.resultData.runData as Record<string, RunEntry[]>;
			const time = runData[oursName(profiled)]?.[0]?.executionTime;
			const [file] = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
			profile = summarize(
				JSON.parse(readFileSync(path.join(dir, file), 'utf8')),
				time ?? NaN,
				path.join(dir, file),
				true,
			);
		}
		return { timings, profile };
	} finally {
		await n8n.stop();
		rmSync(n8n.userFolder, { recursive: true, force: true });
		rmSync(packDir, { recursive: true, force: true });
	}
}
