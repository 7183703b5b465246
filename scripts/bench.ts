/**
 * `npm run bench`: every figure is a ratio of two things measured side by side in this run,
 * on this machine. Prints the table and writes it, with the machine's description, to
 * BENCHMARKS.md. Not part of `npm test`: timings on shared machines are noisy.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { CREDENTIAL_TYPE, geminiWorkflow, loadPackage, runWorkflow } from '../test/harness/n8n';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 3 : 7;
const INGEST_MB = QUICK ? 5 : 20;
const MEMORY_MB = QUICK ? [5, 10] : [10, 50];
const BATCH_ROWS = QUICK ? 200 : 1000;

interface Reading {
	way: string;
	ms: number;
	rssBeforeKB: number;
	maxRssKB: number;
	bytes: number;
	textLength: number;
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fixed = (value: number, digits = 2) => value.toFixed(digits);

async function startServer(sizes: number[]): Promise<{ url: string; stop: () => void }> {
	const child = spawn(TSX, [path.join(__dirname, 'bench/server.ts'), ...sizes.map(String)], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const url = await new Promise<string>((resolve, reject) => {
		child.stdout.once('data', (data: Buffer) => resolve(String(data).trim().split('\n')[0]));
		child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
	});
	return { url, stop: () => child.kill('SIGTERM') };
}

async function read(way: string, url: string, model: string): Promise<Reading> {
	const { stdout } = await run(TSX, [path.join(__dirname, 'bench/reader.ts'), way, url, model], {
		cwd: ROOT,
		maxBuffer: 1 << 20,
	});
	return JSON.parse(stdout.trim().split('\n').pop() as string) as Reading;
}

/** Runs every way once per round, interleaved, so drift in the machine hits all alike. */
async function rounds(ways: string[], url: string, model: string, count: number) {
	const readings: Record<string, Reading[]> = Object.fromEntries(ways.map((way) => [way, []]));
	for (let round = 0; round < count; round++) {
		for (const way of ways) readings[way].push(await read(way, url, model));
	}
	return readings;
}

async function batch(
	url: string,
	rows: number,
	model: string,
	concurrency: number,
): Promise<number> {
	const started = performance.now();
	const { output, error } = await runWorkflow({
		...geminiWorkflow(
			{
				model: { __rl: true, mode: 'id', value: model },
				prompt: '={{ $json.q }}',
				options: { concurrency },
			},
			Array.from({ length: rows }, (_, index) => ({ q: `row ${index}` })),
		),
		credentials: { [CREDENTIAL_TYPE]: { apiToken: 'bench', baseUrl: url } },
	});
	const ms = performance.now() - started;
	if (error || output('Quickrouter Gemini').length !== rows)
		throw new Error(`batch failed: ${error?.message}`);
	return ms;
}

async function main() {
	const lines: string[] = [];
	const say = (line = '') => {
		console.log(line);
		lines.push(line);
	};
	await loadPackage();
	const server = await startServer([INGEST_MB, ...MEMORY_MB]);
	try {
		say(
			`## 1. Ingest: a ${INGEST_MB} MB answer over loopback, median of ${RUNS} runs, each in a fresh process`,
		);
		say();
		const ingest = await rounds(
			['floor', 'lean', 'node-collect', 'sdk'],
			server.url,
			`size-${INGEST_MB}`,
			RUNS,
		);
		const ms = Object.fromEntries(
			Object.entries(ingest).map(([way, list]) => [way, median(list.map((r) => r.ms))]),
		);
		const events = Math.round(ingest.lean[0].textLength / 3000);
		say('| reader | median ms | vs floor | vs lean reader |');
		say('| --- | ---: | ---: | ---: |');
		for (const [way, label] of [
			['floor', 'floor: bare client, bytes only'],
			['lean', 'lean reader: http + eventsource-parser + JSON.parse'],
			['node-collect', "the node's path: n8n engine + n8n's HTTP helper (Whole Answer)"],
			['sdk', 'Google SDK @google/genai generateContentStream'],
		]) {
			say(
				`| ${label} | ${fixed(ms[way], 0)} | ${fixed(ms[way] / ms.floor)}x | ${fixed(ms[way] / ms.lean)}x |`,
			);
		}
		say();
		say(
			`About ${events} events. The node's path is ${fixed(ms['node-collect'] / ms.lean)}x the lean reader (goal ≤ 1.25x); the SDK takes ${fixed(ms.sdk / ms['node-collect'])}x the node's time (goal ≥ 3x).`,
		);
		const texts = new Set(
			[ingest.lean, ingest['node-collect'], ingest.sdk].map((list) => list[0].textLength),
		);
		if (texts.size !== 1)
			throw new Error(`the readers disagree on the answer: ${[...texts].join(', ')} characters`);

		say();
		say(`## 2. Batch: ${BATCH_ROWS} rows, each answered after 50 ms`);
		say();
		say('| concurrency | wall ms | ideal ms | vs ideal |');
		say('| ---: | ---: | ---: | ---: |');
		for (const concurrency of [1, 8, 32]) {
			const wall = await batch(server.url, BATCH_ROWS, 'delay-50', concurrency);
			const ideal = (BATCH_ROWS * 50) / concurrency;
			say(`| ${concurrency} | ${fixed(wall, 0)} | ${fixed(ideal, 0)} | ${fixed(wall / ideal)}x |`);
		}
		say();
		say('Goal: within 1.15x of ideal.');

		say();
		const [smallMb, bigMb] = MEMORY_MB;
		say(
			`## 3. Memory: peak growth while reading, beyond the floor's on the same stream, per MB of answer (median of 3)`,
		);
		say();
		const growth = (reading: Reading) => (reading.maxRssKB - reading.rssBeforeKB) / 1024;
		const memory = await rounds(
			['floor', 'lean', 'node-collect', 'node-perChunk'],
			server.url,
			`size-${bigMb}`,
			3,
		);
		const small = await rounds(['floor', 'node-perChunk'], server.url, `size-${smallMb}`, 3);
		const grown = (list: Reading[]) => median(list.map(growth));
		const floorBig = grown(memory.floor);
		say('| reader | answer MB | peak growth MB | beyond floor, per answer MB |');
		say('| --- | ---: | ---: | ---: |');
		say(`| floor | ${bigMb} | ${fixed(floorBig, 0)} | – |`);
		for (const way of ['lean', 'node-collect', 'node-perChunk']) {
			say(
				`| ${way} | ${bigMb} | ${fixed(grown(memory[way]), 0)} | ${fixed((grown(memory[way]) - floorBig) / bigMb)}x |`,
			);
		}
		const floorSmall = grown(small.floor);
		say(
			`| node-perChunk | ${smallMb} | ${fixed(grown(small['node-perChunk']), 0)} | ${fixed((grown(small['node-perChunk']) - floorSmall) / smallMb)}x |`,
		);
		say();
		say(
			'Goal: Whole Answer no worse than the lean reader. One Item per Chunk keeps every chunk as an n8n item until the node returns, so its peak grows with the answer (see the table).',
		);

		say();
		say('## 4. Per-item overhead through n8n’s engine, against an instant stand-in');
		say();
		say('| concurrency | items | ms | items per second |');
		say('| ---: | ---: | ---: | ---: |');
		for (const concurrency of [1, 8]) {
			const items = QUICK ? 300 : 2000;
			const wall = await batch(server.url, items, 'instant', concurrency);
			say(`| ${concurrency} | ${items} | ${fixed(wall, 0)} | ${fixed((items * 1000) / wall, 0)} |`);
		}
	} finally {
		server.stop();
	}

	const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
	const machine = `${os.cpus().length} × ${cpu}, ${fixed(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, n8n-core ${require('n8n-core/package.json').version}`;
	const header = [
		'# Benchmarks',
		'',
		'Written by `npm run bench`. Every figure compares things measured side by side in the same run;',
		'absolute times depend on the machine and its load.',
		'',
		`Machine: ${machine}. Run: ${new Date().toISOString()}${QUICK ? ' (quick mode)' : ''}.`,
		'',
	];
	if (!QUICK) writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), [...header, ...lines, ''].join('\n'));
	console.log(`\n${machine}${QUICK ? '' : '\nWritten to BENCHMARKS.md'}`);
	process.exit(0);
}

void main().catch((error: Error) => {
	console.error(error);
	process.exit(1);
});
