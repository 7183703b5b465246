/**
 * The real-network section's clients that run in this process (scripts/bench/network.ts starts
 * it with NODE_EXTRA_CA_CERTS naming the test-only certificate, which Node reads only at start,
 * so n8n's HTTP helper trusts the stand-in exactly as a user's n8n would a private CA):
 * - `ours`: the Quickrouter Gemini node run by n8n-core's WorkflowExecute (test/harness/n8n.ts),
 *   the request going through n8n's own HTTP helper;
 * - `keepalive`: the floor, a bare client with one https.Agent({ keepAlive: true, maxSockets })
 *   for the whole run, so each of its `concurrency` sockets is opened once and then reused;
 * - `fresh`: the same bare client with a new https.Agent({ keepAlive: false }) per request, as
 *   n8n's helper builds them: every request opens its own TCP and TLS connection.
 *
 * Argument: a JSON list of runs `{ client, baseUrl, key, model, rows, concurrency }`; `key` is
 * the run's token, by which the stand-in counts its connections. Prints one JSON line per run:
 * `{ key, wallMs }`. Runs go one after the other, never overlapping.
 */
import https from 'node:https';

import { runRows } from './scenarios';

export type LocalClient = 'ours' | 'keepalive' | 'fresh';

export interface LocalRun {
	client: LocalClient;
	baseUrl: string;
	key: string;
	model: string;
	rows: number;
	concurrency: number;
}

function post(url: URL, key: string, body: string, agent: https.Agent): Promise<void> {
	return new Promise((resolve, reject) => {
		const req = https.request(
			url,
			{
				method: 'POST',
				agent,
				headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			},
			(res) => {
				if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
				res.resume();
				res.on('end', resolve);
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

async function bare(run: LocalRun): Promise<void> {
	const url = new URL(`${run.baseUrl}/v1beta/models/${run.model}:streamGenerateContent?alt=sse`);
	const shared =
		run.client === 'keepalive'
			? new https.Agent({ keepAlive: true, maxSockets: run.concurrency })
			: undefined;
	let next = 0;
	await Promise.all(
		Array.from({ length: run.concurrency }, async () => {
			while (next < run.rows) {
				const row = next++;
				const body = JSON.stringify({
					contents: [{ role: 'user', parts: [{ text: `row ${row}` }] }],
				});
				await post(url, run.key, body, shared ?? new https.Agent({ keepAlive: false }));
			}
		}),
	);
	shared?.destroy();
}

async function ours(run: LocalRun): Promise<void> {
	const { output, error } = await runRows(
		run.baseUrl,
		run.model,
		run.rows,
		run.concurrency,
		run.key,
	);
	const items = error ? [] : output('Quickrouter Gemini');
	const failed = items.filter((item) => item.json.error !== undefined);
	if (error || items.length !== run.rows || failed.length > 0)
		throw new Error(
			`${run.key}: ${items.length} of ${run.rows} rows, ${failed.length} failed: ${error?.message ?? failed[0]?.json.error}`,
		);
}

async function main(): Promise<void> {
	const runs = JSON.parse(process.argv[2] ?? '[]') as LocalRun[];
	for (const run of runs) {
		const started = performance.now();
		await (run.client === 'ours' ? ours(run) : bare(run));
		console.log(JSON.stringify({ key: run.key, wallMs: performance.now() - started }));
	}
	process.exit(0);
}

void main().catch((error: Error) => {
	console.error(error);
	process.exit(1);
});
