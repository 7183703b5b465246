/**
 * Section 9 of `npm run bench`: short answers over TLS through a link with a round-trip time R
 * (scripts/bench/network-server.ts: the stand-in over TLS behind a local proxy that holds every
 * chunk R/2 each way, all on 127.0.0.1), for every client side by side in one run:
 * - in this machine's Node, n8n-core's WorkflowExecute running the Quickrouter Gemini node, and
 *   a bare client with and without keep-alive (scripts/bench/network-client.ts, one process);
 * - in the n8n application, Quickrouter Gemini, n8n's HTTP Request node and n8n's own Google
 *   Gemini node (scripts/bench/network-app.ts, one `n8n execute`).
 * Every client trusts the stand-in's test-only certificate through NODE_EXTRA_CA_CERTS; the
 * stand-in counts TCP connections and TLS handshakes by each client's token.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { type AppNetworkCase, networkInN8n } from './network-app';
import type { LocalClient, LocalRun } from './network-client';
import {
	type ClientStats,
	shortModel,
	TEST_CA_FILE,
	type Totals,
	transferMs,
} from './network-server';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export const NETWORK_RTTS = [40, 150];
const THINK_MS = 300;
const TOKENS = 20;
const CONCURRENCY = 8;
const MODEL = shortModel(THINK_MS, TOKENS);

type Say = (line?: string) => void;
type Client = LocalClient | 'app-ours' | 'app-http' | 'app-gemini';

const LABELS: Record<Client, string> = {
	keepalive: 'floor: bare client, keep-alive (https.Agent keepAlive, maxSockets 8)',
	fresh: 'second floor: bare client, a new https.Agent per request (as n8n’s helper builds them)',
	ours: 'Quickrouter Gemini, n8n-core WorkflowExecute in process',
	'app-ours': 'Quickrouter Gemini, n8n app',
	'app-http': 'n8n HTTP Request node under Loop Over Items (batches of 8), n8n app',
	'app-gemini': 'n8n Google Gemini node (one row at a time), n8n app',
};

const SHORT: Record<Client, string> = {
	keepalive: 'the floor',
	fresh: 'the second floor',
	ours: 'Quickrouter Gemini in process',
	'app-ours': 'Quickrouter Gemini in the n8n app',
	'app-http': 'the HTTP Request node',
	'app-gemini': 'n8n’s Google Gemini node',
};

interface Measured {
	client: Client;
	rtt: number;
	rows: number;
	concurrency: number;
	wallMs: number;
	stats: ClientStats;
}

/** No proxy from the environment may take these requests: they are for 127.0.0.1. */
const NO_PROXY = { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };

interface Endpoints {
	control: string;
	direct: string;
	proxies: Record<string, string>;
}

async function startStandin(): Promise<{ endpoints: Endpoints; stop: () => void }> {
	const child = spawn(
		TSX,
		[path.join(__dirname, 'network-server.ts'), ...NETWORK_RTTS.map(String)],
		{
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const endpoints = await new Promise<Endpoints>((resolve, reject) => {
		child.stdout.once('data', (data: Buffer) =>
			resolve(JSON.parse(String(data).trim().split('\n')[0]) as Endpoints),
		);
		child.once('exit', (code) => reject(new Error(`network stand-in exited with ${code}`)));
	});
	return { endpoints, stop: () => child.kill('SIGTERM') };
}

/** Runs the in-process clients in a child that trusts the test certificate; their wall times. */
async function runLocal(runs: LocalRun[]): Promise<Map<string, number>> {
	const child = spawn(TSX, [path.join(__dirname, 'network-client.ts'), JSON.stringify(runs)], {
		cwd: ROOT,
		env: { ...process.env, ...NO_PROXY, NODE_EXTRA_CA_CERTS: TEST_CA_FILE },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let out = '';
	child.stdout.on('data', (data: Buffer) => (out += String(data)));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	if (code !== 0) throw new Error(`network clients exited with ${code}`);
	const walls = new Map<string, number>();
	for (const line of out.trim().split('\n')) {
		if (!line.startsWith('{')) continue;
		const { key, wallMs } = JSON.parse(line) as { key: string; wallMs: number };
		walls.set(key, wallMs);
	}
	return walls;
}

async function statsOf(control: string, key: string): Promise<ClientStats> {
	const response = await fetch(`${control}/stats?client=${encodeURIComponent(key)}`);
	const stats = (await response.json()) as ClientStats | null;
	if (!stats) throw new Error(`the network stand-in saw no request from ${key}`);
	return stats;
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** Section 9; `rows` at Concurrency 8 for each R (the Gemini node gets rows ÷ 8, one at a time). */
export async function network(say: Say, rows: number, log: (line: string) => void): Promise<void> {
	const { endpoints, stop } = await startStandin();
	const measured: Measured[] = [];
	let totals: Totals;
	try {
		const key = (client: Client, rtt: number) => `net-${client}-r${rtt}`;
		const local: LocalRun[] = [];
		// A warm-up of each client (JIT, n8n-core's first workflow), not counted.
		for (const client of ['ours', 'keepalive', 'fresh'] as const)
			local.push({
				client,
				baseUrl: endpoints.direct,
				key: `warmup-${client}`,
				model: MODEL,
				rows: CONCURRENCY * 2,
				concurrency: CONCURRENCY,
			});
		for (const rtt of NETWORK_RTTS)
			for (const client of ['keepalive', 'fresh', 'ours'] as const)
				local.push({
					client,
					baseUrl: endpoints.proxies[String(rtt)],
					key: key(client, rtt),
					model: MODEL,
					rows,
					concurrency: CONCURRENCY,
				});
		const walls = await runLocal(local);
		for (const run of local.filter((run) => !run.key.startsWith('warmup-'))) {
			const rtt = NETWORK_RTTS.find((value) => run.key === key(run.client, value)) as number;
			measured.push({
				client: run.client,
				rtt,
				rows,
				concurrency: CONCURRENCY,
				wallMs: walls.get(run.key) as number,
				stats: await statsOf(endpoints.control, run.key),
			});
		}

		const app: Array<AppNetworkCase & { as: Client; rtt: number }> = [];
		for (const rtt of NETWORK_RTTS) {
			const baseUrl = endpoints.proxies[String(rtt)];
			for (const client of ['ours', 'http', 'gemini'] as const) {
				const as = `app-${client}` as const;
				const oneAtATime = client === 'gemini';
				app.push({
					client,
					as,
					rtt,
					key: key(as, rtt),
					baseUrl,
					model: MODEL,
					rows: oneAtATime ? Math.ceil(rows / CONCURRENCY) : rows,
					concurrency: oneAtATime ? 1 : CONCURRENCY,
				});
			}
		}
		const results = await networkInN8n(app, TEST_CA_FILE, log);
		for (const item of app)
			measured.push({
				client: item.as,
				rtt: item.rtt,
				rows: item.rows,
				concurrency: item.concurrency,
				wallMs: results.find((result) => result.key === item.key)?.wallMs as number,
				stats: await statsOf(endpoints.control, item.key),
			});
		totals = (await (await fetch(`${endpoints.control}/totals`)).json()) as Totals;
	} finally {
		stop();
	}
	report(say, measured, rows, totals);
}

function report(say: Say, measured: Measured[], rows: number, totals: Totals): void {
	const perRow = (rtt: number) => THINK_MS + transferMs(TOKENS) + rtt;
	const idealOf = (run: Measured) => (run.rows / run.concurrency) * perRow(run.rtt);
	const ratioOf = (run: Measured) => run.wallMs / idealOf(run);
	const find = (client: Client, rtt: number) =>
		measured.find((run) => run.client === client && run.rtt === rtt) as Measured;
	/** Handshakes beyond one per connection the concurrency needs, per request. */
	const afterFirst = (run: Measured) =>
		Math.max(0, run.stats.tls - run.concurrency) / run.stats.requests;
	say();
	say(
		`## 9. Real network: ${rows} short answers over TLS at Concurrency ${CONCURRENCY}, round trip R = ${NETWORK_RTTS.join(' and ')} ms`,
	);
	say();
	say(
		`Each answer: ${TOKENS} tokens after ${THINK_MS} ms, streamed in ${Math.ceil(TOKENS / 5)} events ${transferMs(TOKENS) / (Math.ceil(TOKENS / 5) - 1)} ms apart (transfer ${transferMs(TOKENS)} ms). Ideal = rows ÷ concurrency × (think ${THINK_MS} ms + transfer ${transferMs(TOKENS)} ms + 1 R): every row on an open connection, its request R/2 there and its answer R/2 back. A new connection adds TCP’s handshake (1 R) and TLS 1.3’s (1 R) before the request can go, so a row on a new connection takes think + transfer + 3 R. The stand-in (scripts/bench/network-server.ts) serves over TLS with a test-only certificate that every client trusts through NODE_EXTRA_CA_CERTS, behind a proxy on 127.0.0.1 that holds every chunk R/2 each way and a new connection’s first bytes a further R (TCP’s handshake, which loopback would give for free).`,
	);
	say();
	say(
		'| R ms | client | rows | at once | peak in flight | wall ms | ideal ms | wall ÷ ideal | wall ÷ floor | wall ÷ second floor | TCP connections per request | TLS handshakes per request | handshakes per request after the first ones |',
	);
	say(
		'| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
	);
	for (const rtt of NETWORK_RTTS) {
		const [floor, second] = [find('keepalive', rtt), find('fresh', rtt)];
		for (const run of measured.filter((entry) => entry.rtt === rtt)) {
			const { requests, tcp, tls, peakInFlight } = run.stats;
			const vs = (other: Measured) => fixed(ratioOf(run) / ratioOf(other));
			say(
				`| ${rtt} | ${LABELS[run.client]} | ${run.rows} | ${run.concurrency} | ${peakInFlight} | ${fixed(run.wallMs, 0)} | ${fixed(idealOf(run), 0)} | ${fixed(ratioOf(run))}x | ${vs(floor)}x | ${vs(second)}x | ${fixed(tcp / requests)} | ${fixed(tls / requests)} | ${fixed(afterFirst(run))} |`,
			);
		}
	}
	say();
	say(
		`Goals (issue 22): within 1.15x of the floor; at most 0.1 handshakes per request after the first ones (the first ones: one per connection the concurrency needs, ${CONCURRENCY} here, 1 for the Gemini node). Wall ÷ floor compares wall ÷ ideal with the floor’s, so the Gemini node’s ${Math.ceil(rows / CONCURRENCY)} rows one at a time (the same ideal as ${rows} rows at ${CONCURRENCY}) compare too. Wall: the in-process rows time the whole workflow run (n8n-core’s WorkflowExecute, Node ${process.version}); the n8n-app rows are each node’s own execution time in the run data (the HTTP Request node’s summed over its batches; Loop Over Items’ own time not counted), in n8n’s pinned Node. Connections and handshakes are counted by the stand-in: TCP connections as the proxy accepted them, TLS handshakes as the server completed them (\`secureConnection\`; a resumed TLS session counts too: ${measured.reduce((sum, run) => sum + run.stats.resumed, 0)} were resumed), each put with the client whose token came on its first request; peak in flight is the most of a client’s requests the stand-in held at once.${totals.unattributed > 0 ? ` ${totals.unattributed} of ${totals.tcp} connections carried no request.` : ''}`,
	);
	say();
	const verdicts = NETWORK_RTTS.map((rtt) => {
		const floor = find('keepalive', rtt);
		const clients = measured.filter((run) => run.rtt === rtt && run.client !== 'keepalive');
		const meeting = clients
			.filter((run) => ratioOf(run) / ratioOf(floor) <= 1.15 && afterFirst(run) <= 0.1)
			.map((run) => SHORT[run.client]);
		return `at R = ${rtt} ms, ${meeting.length === 0 ? 'none' : meeting.join(', ')}`;
	});
	say(`Clients other than the floor that meet both goals: ${verdicts.join('; ')}.`);
	say();
	const lines = NETWORK_RTTS.map((rtt) => {
		const [floor, fresh, ours, app] = (['keepalive', 'fresh', 'ours', 'app-ours'] as const).map(
			(client) => find(client, rtt),
		);
		const handshakes = fresh.wallMs - floor.wallMs;
		// The floor pays the handshakes too, once per connection: in the first of rows ÷ C rounds.
		const expected = (rows / CONCURRENCY - 1) * 2 * rtt;
		return `at R = ${rtt} ms, the bare client with a new connection per request took ${fixed(handshakes / 1000, 1)} s more than with keep-alive (2R for each row after the first round would be ${fixed(expected / 1000, 1)} s): ${fixed((handshakes * 100) / fresh.wallMs, 0)} % of its own wall time, ${fixed((handshakes * 100) / ours.wallMs, 0)} % of Quickrouter Gemini’s in process and ${fixed((handshakes * 100) / app.wallMs, 0)} % of its time in the n8n app`;
	});
	say(
		`What the handshakes cost, measured: ${lines.join('; ')}. The rest of a client’s time over the floor is its own work per row and n8n’s.`,
	);
	say();
	say(
		'Why every n8n client opens a connection per request, in n8n-core 2.41.1 / @n8n/backend-network 1.15.1: `helpers.httpRequest`, `httpRequestWithAuthentication` and `requestWithAuthentication` all end in `setAxiosAgents` (backend-network `dist/http/axios/utils.js`), which calls `buildNodeAgents` for every request: a new `EnvProxyHttpsAgent` (an `https.Agent` with no `keepAlive`, so Node’s default `false`) each time, so no socket outlives its request. A node cannot pass an agent: `IHttpRequestOptions` has no agent field, and its `agentOptions` (e.g. `keepAlive: true`) go into that same throwaway agent. Nor may a community node bring its own transport: n8n’s community lint and scanner (`no-restricted-imports`) let a node import only n8n-workflow, a few listed libraries, `crypto` and its own devDependencies, so `node:https`, `node:http`, `node:net` and `node:tls` are refused, and the scanner lints the packed JavaScript as well, so a bundled HTTP client that requires them is refused too. The reusable transport exists, `OutboundHttp.transport()` (a lazily built dispatcher and node agents, with the same proxy and SSRF policy), but only n8n’s own server code uses it. What would change it upstream: cache keep-alive agents in `buildNodeAgents` keyed by (proxy, SSRF policy, agent options), or expose a per-execution `transport()` / keep-alive agent to nodes through `helpers`; the gap between the two bare-client rows is what that would win.',
	);
}
