/**
 * Rate-limit scenarios run through n8n's engine in this process (test/harness/n8n.ts), against
 * the bench server (scripts/bench/server.ts) in its own process: on two cores, a stand-in in
 * this process would take event-loop turns and CPU from the engine it is measuring.
 *
 * The node runs with Continue On Fail (`onError: continueRegularOutput`), so a row the node
 * gives up on becomes an item with `json.error` in its place and the run goes on: rows lost are
 * those error items plus any row with no output item at all.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { CREDENTIAL_TYPE, geminiWorkflow, runWorkflow } from '../../test/harness/n8n';

export interface ScenarioRun {
	rows: number;
	concurrency: number;
	wallMs: number;
	/** Rows whose output item is an error item, or that have none. */
	lost: number;
	/** What the stand-in counted for this run's token. */
	served: number;
	refused: number;
	/** The most requests the stand-in had in flight at once. */
	peakInFlight: number;
	/** The first error message seen, to show what the lost rows died of. */
	firstError?: string;
}

let runCounter = 0;

/** `rows` rows (`{ q: "row N" }`) through the node at `concurrency`, with the given token. */
export async function runRows(
	baseUrl: string,
	model: string,
	rows: number,
	concurrency: number,
	token: string,
	settings: { onError?: 'continueRegularOutput' } = {},
): Promise<Awaited<ReturnType<typeof runWorkflow>>> {
	return await runWorkflow({
		...geminiWorkflow(
			{
				model: { __rl: true, mode: 'id', value: model },
				prompt: '={{ $json.q }}',
				options: { concurrency },
			},
			Array.from({ length: rows }, (_, index) => ({ q: `row ${index}` })),
			settings,
		),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: token, baseUrl } },
	});
}

/** {@link runRows}, failing unless every row was answered. */
export async function answerRows(
	baseUrl: string,
	model: string,
	rows: number,
	concurrency: number,
): Promise<void> {
	const { output, error } = await runRows(baseUrl, model, rows, concurrency, 'bench');
	if (error || output('Quickrouter Gemini').length !== rows)
		throw new Error(`batch failed: ${error?.message}`);
}

/** One run of `rows` rows through the node, with a token of its own (a fresh quota). */
export async function runScenario(
	baseUrl: string,
	model: string,
	rows: number,
	concurrency: number,
): Promise<ScenarioRun> {
	const token = `bench-${model}-c${concurrency}-${process.pid}-${++runCounter}`;
	const started = performance.now();
	const { output, error } = await runRows(baseUrl, model, rows, concurrency, token, {
		onError: 'continueRegularOutput',
	});
	const wallMs = performance.now() - started;
	const items: INodeExecutionData[] = error ? [] : output('Quickrouter Gemini');
	const failed = items.filter((item) => item.json.error !== undefined);
	const answered = new Set(
		items
			.filter((item) => item.json.error === undefined)
			.map((item) => (item.pairedItem as { item: number } | undefined)?.item),
	);
	const tally = await statsOf(baseUrl, token, model);
	return {
		rows,
		concurrency,
		wallMs,
		lost: rows - answered.size,
		served: tally.served,
		refused: tally.refused,
		peakInFlight: tally.peakInFlight,
		firstError: error?.message ?? (failed[0]?.json.error as string | undefined),
	};
}

export interface ServerTally {
	served: number;
	refused: number;
	peakInFlight: number;
	/** The first request's arrival and the last answer's end, in ms (the server's clock). */
	firstAt: number;
	lastAt: number;
}

/** What the bench server counted for `token` and `model`. */
export async function statsOf(baseUrl: string, token: string, model: string): Promise<ServerTally> {
	const query = new URLSearchParams({ token, model });
	const response = await fetch(`${baseUrl}/bench/stats?${query}`);
	return (
		((await response.json()) as ServerTally | null) ?? {
			served: 0,
			refused: 0,
			peakInFlight: 0,
			firstAt: 0,
			lastAt: 0,
		}
	);
}

export const percent = (part: number, whole: number) =>
	whole === 0 ? '–' : `${((part * 100) / whole).toFixed(1)} %`;
