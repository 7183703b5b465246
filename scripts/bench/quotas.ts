/**
 * Quotas as keys have them, for every caller (`npm run bench`, section `quota`): a per-minute
 * window, a bursty caller (the chat model under batches of 5, as n8n's Basic LLM Chain sends
 * them), two models in one execution, several executions at once on one key, and a used-up
 * daily quota. Each scenario's quota lives in the bench server (scripts/bench/server.ts,
 * models `rpm-N-Ws`, `limit-Nps`, `daily-spent`, `counted`), keyed by token and model.
 */
import {
	chatModelWorkflow,
	CREDENTIAL_TYPE,
	geminiWorkflow,
	inBatches,
	runWorkflow,
} from '../../test/harness/n8n';
import { percent, runRows, statsOf } from './scenarios';

type Say = (line?: string) => void;

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const modelOf = (value: string) => ({ __rl: true, mode: 'id', value });
const rowsOf = (count: number) => Array.from({ length: count }, (_, index) => `row ${index}`);

let tokens = 0;
const tokenFor = (name: string) => `bench-quota-${name}-${process.pid}-${++tokens}`;

interface Line {
	caller: string;
	quota: string;
	rows: number;
	lost: number;
	served: number;
	refused: number;
	wallMs: number;
	idealMs: number;
}

function row(say: Say, line: Line): void {
	say(
		`| ${line.caller} | ${line.quota} | ${line.rows} | ${line.lost} | ${line.served} | ${line.refused} | ${percent(line.refused, line.served + line.refused)} | ${fixed(line.wallMs / 1000, 1)} | ${fixed(line.idealMs / 1000, 1)} | ${fixed(line.wallMs / line.idealMs)}x |`,
	);
}

/** Rows through the main node with a token of its own; rows lost are error items. */
async function mainNode(
	url: string,
	model: string,
	rows: number,
	concurrency: number,
	token: string,
) {
	const started = performance.now();
	const { output, error } = await runRows(url, model, rows, concurrency, token, {
		onError: 'continueRegularOutput',
	});
	const wallMs = performance.now() - started;
	const items = error ? [] : output('Quickrouter Gemini');
	const lost = rows - items.filter((item) => item.json.error === undefined).length;
	return { wallMs, lost, firstError: items.find((item) => item.json.error)?.json.error };
}

/** The chat model driven as n8n's Basic LLM Chain drives it: 5 rows at once, then the next 5. */
async function chainBatches(url: string, model: string, rows: string[], token: string) {
	const started = performance.now();
	const run = await runWorkflow({
		...chatModelWorkflow({ model: modelOf(model) }, inBatches(rows)),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: token, baseUrl: url } },
	});
	const wallMs = performance.now() - started;
	const failed = run.output('Chat Root')[0]?.json.failed;
	return { wallMs, lost: typeof failed === 'number' ? failed : rows.length };
}

/**
 * Node 1 on a limited model, then node 2 on an unlimited one, in one execution, one key:
 * Manual Trigger -> Rows -> node 1 -> More Rows -> node 2.
 */
async function twoModels(url: string, limitedRows: number, freeRows: number, token: string) {
	const { nodes, connections } = geminiWorkflow(
		{ model: modelOf('limit-5ps'), prompt: '={{ $json.q }}', options: { concurrency: 8 } },
		rowsOf(limitedRows).map((q) => ({ q })),
		{ onError: 'continueRegularOutput' },
	);
	const [, rows, first] = nodes;
	nodes.push(
		{
			...rows,
			id: '4',
			name: 'More Rows',
			position: [600, 0],
			parameters: { rows: JSON.stringify(rowsOf(freeRows).map((q) => ({ q }))) },
		},
		{
			...first,
			id: '5',
			name: 'Free',
			position: [800, 0],
			parameters: {
				model: modelOf('counted'),
				prompt: '={{ $json.q }}',
				options: { concurrency: 8 },
			},
		},
	);
	connections[first.name] = { main: [[{ node: 'More Rows', type: 'main', index: 0 }]] };
	connections['More Rows'] = { main: [[{ node: 'Free', type: 'main', index: 0 }]] };
	await runWorkflow({
		nodes,
		connections,
		credentials: { [CREDENTIAL_TYPE]: { apiToken: token, baseUrl: url } },
	});
	return await statsOf(url, token, 'counted');
}

export async function quotas(say: Say, url: string, quick: boolean): Promise<void> {
	say();
	say(
		'## 5b. Quotas for every caller: per minute, bursts, two models, several executions, per day',
	);
	say();
	say(
		'| caller | quota | rows | rows lost | served | refused (429) | refused share | wall s | quota’s own pace, s | wall ÷ pace |',
	);
	say('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	const notes: string[] = [];

	// A per-minute window (full: Google's minute; quick: scaled to 5 s), sliding and fixed.
	const [perWindow, windowS, minuteRows] = quick ? [10, 5, 30] : [30, 60, 90];
	for (const [kind, prefix] of [
		['sliding', 'rpm'],
		['fixed on the clock', 'rpmfixed'],
	]) {
		const minuteModel = `${prefix}-${perWindow}-${windowS}s`;
		const minuteToken = tokenFor(prefix);
		const minute = await mainNode(url, minuteModel, minuteRows, 8, minuteToken);
		const minuteTally = await statsOf(url, minuteToken, minuteModel);
		row(say, {
			caller: 'main node, Concurrency 8',
			quota: `${perWindow} per ${windowS} s, ${kind}`,
			rows: minuteRows,
			lost: minute.lost,
			served: minuteTally.served,
			refused: minuteTally.refused,
			wallMs: minute.wallMs,
			idealMs: (minuteRows / perWindow) * windowS * 1000,
		});
	}

	// A bursty caller: the chat model under batches of 5.
	const burstRows = quick ? 30 : 60;
	// Once unmeasured: the first chat model run loads the AI node SDK and LangChain (about 5 s).
	await chainBatches(url, 'counted', rowsOf(5), tokenFor('warm-up'));
	const burstToken = tokenFor('burst');
	const burst = await chainBatches(url, 'limit-5ps', rowsOf(burstRows), burstToken);
	const burstTally = await statsOf(url, burstToken, 'limit-5ps');
	row(say, {
		caller: 'chat model, batches of 5 (as Basic LLM Chain)',
		quota: '5 per 1 s',
		rows: burstRows,
		lost: burst.lost,
		served: burstTally.served,
		refused: burstTally.refused,
		wallMs: burst.wallMs,
		idealMs: (burstRows / 5) * 1000,
	});

	// Several executions at once on one key and model.
	const [executions, perExecution] = quick ? [3, 10] : [6, 20];
	const sharedToken = tokenFor('shared');
	const started = performance.now();
	const runs = await Promise.all(
		Array.from(
			{ length: executions },
			async () => await mainNode(url, 'limit-10ps', perExecution, 8, sharedToken),
		),
	);
	const sharedWall = performance.now() - started;
	const sharedTally = await statsOf(url, sharedToken, 'limit-10ps');
	row(say, {
		caller: `${executions} executions at once, Concurrency 8 each`,
		quota: '10 per 1 s',
		rows: executions * perExecution,
		lost: runs.reduce((sum, run) => sum + run.lost, 0),
		served: sharedTally.served,
		refused: sharedTally.refused,
		wallMs: sharedWall,
		idealMs: ((executions * perExecution) / 10) * 1000,
	});

	// Two models in one execution: the unlimited one against its own ideal.
	const [limitedRows, freeRows] = quick ? [20, 160] : [50, 400];
	const twoToken = tokenFor('two');
	const free = await twoModels(url, limitedRows, freeRows, twoToken);
	const freeIdeal = (freeRows / 8) * 50;
	// The same rows alone, for what n8n's engine takes over the ideal anyway (section 2).
	const aloneToken = tokenFor('alone');
	await mainNode(url, 'counted', freeRows, 8, aloneToken);
	const alone = await statsOf(url, aloneToken, 'counted');
	const aloneMs = alone.lastAt - alone.firstAt;
	say();
	say(
		`Two models in one execution: ${limitedRows} rows on a model limited to 5 per second, then ${freeRows} rows on an unlimited model (50 ms answers, Concurrency 8) took ${fixed(free.lastAt - free.firstAt, 0)} ms from its first request to its last answer, ${fixed((free.lastAt - free.firstAt) / freeIdeal)}x its own ideal (${fixed(freeIdeal, 0)} ms = rows ÷ 8 × 50 ms); ${free.refused} of its requests refused. The same rows alone: ${fixed(aloneMs, 0)} ms, ${fixed(aloneMs / freeIdeal)}x. Goal: within 1.3x.`,
	);

	// A used-up daily quota.
	const dailyRows = 40;
	const dailyToken = tokenFor('daily');
	const daily = await mainNode(url, 'daily-spent', dailyRows, 4, dailyToken);
	const dailyTally = await statsOf(url, dailyToken, 'daily-spent');
	say();
	say(
		`A used-up daily quota: ${dailyRows} rows at Concurrency 4, every one an error item naming the daily quota after ${fixed(daily.wallMs / 1000, 2)} s, with ${dailyTally.served + dailyTally.refused} requests sent (${daily.lost} rows out as errors: “${String(daily.firstError ?? '').slice(0, 120)}…”). Goal: within 10 s, at most Concurrency requests.`,
	);
	notes.push(
		"Goals: 0 rows lost; at most 10 % of requests refused; wall time at most 1.25x the quota's own pace (rows ÷ quota per window × window). The bench server answers with Google's 429 bodies (test/standin/rate-limit.ts): QuotaFailure naming the quota, RetryInfo cut to whole seconds and the exact delay in the message, counted per key and model, in a sliding window, or in windows fixed on the clock (Google does not say which). A perfect client takes less than the pace (the window admits its first N at once). The chat model's wall time starts after one unmeasured run that loads the AI node SDK.",
	);
	say();
	for (const note of notes) say(note);
}
