/**
 * Where the time of a batch goes: runs scripts/bench/profile-batch.ts (V8's sampling profiler
 * around one batch, in a fresh process) and sorts the samples of the main thread:
 *
 * - by where the running code lives: ours (dist/), n8n-core, n8n-workflow (the expression
 *   engine lives there), axios, Node.js itself, idle, GC. A native builtin (JSON.parse, a
 *   RegExp) is put with the JavaScript that called it.
 * - under our frames: each sample whose stack holds one of our functions is put with our own
 *   code when the running function is ours, else with the first function outside our code
 *   that ours called (n8n's `getNodeParameter`, `httpRequestWithAuthentication`...).
 *   Samples without any of our frames run around the node: n8n's engine, socket callbacks,
 *   axios's response handling, timers.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

export interface Share {
	name: string;
	ms: number;
}

export interface ProfileSummary {
	/** The profiled batch's wall time, with the profiler's own overhead. */
	wallMs: number;
	sampledMs: number;
	byPlace: Share[];
	underOurs: Share[];
	ourFunctions: Share[];
	file: string;
}

const SPECIAL: Record<string, string> = {
	'(idle)': 'idle (waiting for the network or a timer)',
	'(garbage collector)': 'garbage collection',
	'(program)': 'V8 and Node.js native work (not JavaScript)',
	'(root)': 'V8 and Node.js native work (not JavaScript)',
};

/** Where a frame's code lives, or undefined for a native builtin without a script. */
export function placeOf(frame: CallFrame): string | undefined {
	const special = SPECIAL[frame.functionName];
	if (special && !frame.url) return special;
	const url = frame.url.replace(/^file:\/\//, '');
	if (!url) return undefined;
	if (url.startsWith(path.join(ROOT, 'dist/'))) return OURS;
	if (url.startsWith('node:')) return 'Node.js (http, net, streams, timers)';
	const modules = url.lastIndexOf('/node_modules/');
	if (modules >= 0) {
		const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
		const pkg = scope.startsWith('@') ? `${scope}/${name}` : scope;
		// Inside the n8n application, the package is installed in <user folder>/.n8n/nodes.
		if (pkg === 'n8n-nodes-quickrouter') return OURS;
		if (pkg === 'n8n-workflow') return 'n8n-workflow (expressions, workflow data)';
		if (pkg === 'n8n-core') return 'n8n-core (engine, node helpers)';
		if (pkg === 'n8n') return 'n8n application (credentials helper, executions)';
		if (pkg === '@n8n/expression-runtime')
			return 'n8n expression sandbox (@n8n/expression-runtime, isolated-vm)';
		if (pkg === '@n8n/typeorm' || pkg === 'sqlite3' || pkg === 'tarn')
			return 'n8n database (typeorm, sqlite3)';
		if (pkg === 'axios' || pkg === 'follow-redirects' || pkg === 'proxy-from-env')
			return 'axios (+ follow-redirects), under n8n’s HTTP helper';
		return pkg.startsWith('@n8n/') ? `${pkg} (n8n)` : `other packages (${pkg}…)`;
	}
	if (url.startsWith(path.join(ROOT, 'test/')) || url.startsWith(path.join(ROOT, 'scripts/')))
		return 'bench harness (test/harness)';
	return `other (${path.basename(url)})`;
}

const OURS = 'ours (dist/)';

const isOurs = (frame: CallFrame) => placeOf(frame) === OURS;

function label(frame: CallFrame): string {
	const name = frame.functionName || '(anonymous)';
	const file = path.basename(frame.url.replace(/^file:\/\//, ''));
	return file ? `${name} (${file}:${frame.lineNumber + 1})` : name;
}

function add(map: Map<string, number>, key: string, us: number) {
	map.set(key, (map.get(key) ?? 0) + us);
}

function top(map: Map<string, number>, count = Infinity): Share[] {
	return [...map]
		.map(([name, us]) => ({ name, ms: us / 1000 }))
		.sort((a, b) => b.ms - a.ms)
		.slice(0, count);
}

/**
 * `window`: only the samples from the first one running our node's `execute` to the last one
 * with any of our frames (for a profile of a whole process, e.g. `n8n execute`).
 */
export function summarize(
	profile: CpuProfile,
	wallMs: number,
	file: string,
	window = false,
): ProfileSummary {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const stackOf = (id: number) => {
		const stack: ProfileNode[] = [];
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
			stack.push(byId.get(at) as ProfileNode);
		return stack; // leaf first
	};

	const byPlace = new Map<string, number>();
	const underOurs = new Map<string, number>();
	const ourFunctions = new Map<string, number>();
	let sampledUs = 0;
	let [first, last] = [0, profile.samples.length - 1];
	if (window) {
		const stacks = profile.samples.map(stackOf);
		first = stacks.findIndex((stack) =>
			stack.some((node) => isOurs(node.callFrame) && node.callFrame.functionName === 'execute'),
		);
		for (; last > first && !stacks[last].some((node) => isOurs(node.callFrame)); last--);
		if (first < 0) throw new Error(`${file}: our node's execute() never ran`);
	}
	profile.samples.forEach((id, index) => {
		if (index < first || index > last) return;
		const us = profile.timeDeltas[index] ?? 0;
		const stack = stackOf(id);
		// The profiler stopping itself (Profiler.stop, serializing the profile) is no part of the batch.
		if (stack.some((node) => node.callFrame.url === 'node:inspector')) return;
		sampledUs += us;
		const place =
			stack.map((node) => placeOf(node.callFrame)).find((entry) => entry !== undefined) ??
			'V8 and Node.js native work (not JavaScript)';
		add(byPlace, place, us);
		const ours = stack.findIndex((node) => isOurs(node.callFrame));
		if (ours < 0) {
			add(underOurs, `outside our frames: ${place}`, us);
			return;
		}
		if (ours === 0 || stack.slice(0, ours).every((node) => placeOf(node.callFrame) === undefined)) {
			add(underOurs, 'our own code', us);
			add(ourFunctions, label(stack[ours].callFrame), us);
		} else {
			const callee = stack[ours - 1].callFrame;
			add(underOurs, `called by ours: ${label(callee)} [${placeOf(callee) ?? 'native'}]`, us);
		}
	});
	return {
		wallMs,
		sampledMs: sampledUs / 1000,
		byPlace: top(byPlace),
		underOurs: top(underOurs, 12),
		ourFunctions: top(ourFunctions, 8),
		file,
	};
}

/** Profiles one batch of `rows` rows of `model` at `concurrency` in a fresh process. */
export async function profileBatch(
	baseUrl: string,
	model: string,
	rows: number,
	concurrency: number,
	file: string,
): Promise<ProfileSummary> {
	const { stdout } = await run(
		TSX,
		[
			path.join(__dirname, 'profile-batch.ts'),
			baseUrl,
			model,
			String(rows),
			String(concurrency),
			file,
		],
		{ cwd: ROOT, maxBuffer: 1 << 20 },
	);
	const { ms } = JSON.parse(stdout.trim().split('\n').pop() as string) as { ms: number };
	return summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, ms, file);
}

if (require.main === module) {
	// `tsx scripts/bench/profile.ts file.cpuprofile`: the summary of a saved profile.
	const file = process.argv[2];
	console.log(JSON.stringify(summarize(JSON.parse(readFileSync(file, 'utf8')), 0, file), null, 1));
}
