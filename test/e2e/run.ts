/**
 * `npm run test:e2e`: installs the pinned n8n applications (cached), packs this package as npm
 * would publish it, and runs the end-to-end test files against them:
 *
 * - n8n 2.41.1 (test/e2e/n8n): every file;
 * - n8n 1.123.81, the last 1.x (test/e2e/n8n-1): the CLI part, `cli.e2e.ts` (the main node's
 *   workflows, Webhooks, and the chat model saying which n8n it needs). The AI Agent 3.1, the
 *   editor and `npm run dev` are 2.x only.
 *
 * `--n8n=2` or `--n8n=1` runs one of them; other arguments go to jest. If an install fails
 * for registry reasons, that run prints one SKIP line (with npm's reason) and counts as
 * passed; anything failing after a successful install fails.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { ensureN8n, type N8nHarness, type N8nInstall, RegistryUnavailable } from './install';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

interface Run {
	harness: N8nHarness;
	label: string;
	/** jest arguments choosing the files (regular expressions on their paths). */
	files: string[];
}

const RUNS: Run[] = [
	{ harness: 'n8n', label: 'n8n 2.x', files: [] },
	{ harness: 'n8n-1', label: 'n8n 1.x', files: ['cli\\.e2e\\.ts$'] },
];

const since = (start: number) => `${Math.round((Date.now() - start) / 1000)} s`;

async function jest(install: N8nInstall, tarball: string, args: string[]): Promise<number> {
	const child = spawn(
		process.execPath,
		[
			path.join(ROOT, 'node_modules/jest/bin/jest.js'),
			'--config',
			path.join(ROOT, 'jest.e2e.config.js'),
			...args,
		],
		{
			cwd: ROOT,
			stdio: 'inherit',
			env: { ...process.env, QUICKROUTER_E2E: JSON.stringify({ install, tarball }) },
		},
	);
	return await new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<number> {
	const argv = process.argv.slice(2);
	const only = argv.find((arg) => arg.startsWith('--n8n='))?.slice('--n8n='.length);
	if (only !== undefined && only !== '1' && only !== '2') throw new Error('--n8n takes 1 or 2');
	const jestArgs = argv.filter((arg) => !arg.startsWith('--n8n='));
	const runs = RUNS.filter((run) => !only || run.harness === (only === '1' ? 'n8n-1' : 'n8n'));

	// Install first (minutes, once per version), so the timings below are the tests'.
	const installs = new Map<Run, N8nInstall>();
	for (const run of runs) {
		const start = Date.now();
		try {
			installs.set(run, await ensureN8n(console.log, run.harness));
			console.log(`${run.label}: n8n ready (${since(start)})`);
		} catch (error) {
			if (!(error instanceof RegistryUnavailable)) throw error;
			console.log(
				`\n==== SKIP end-to-end suite in ${run.label}: n8n could not be installed from the registry: ${error.message} ====\n`,
			);
		}
	}
	if (installs.size === 0) return 0;

	await exec('npx', ['gulp', 'build', '--silent'], { cwd: ROOT });
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-pack-'));
	const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packDir], {
		cwd: ROOT,
	});
	const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
	const tarball = path.join(packDir, filename);
	console.log(`package: ${tarball}`);

	const results: string[] = [];
	let failed = false;
	for (const [run, install] of installs) {
		console.log(`\n==== ${run.label}: n8n ${install.version} at ${install.dir} ====\n`);
		const start = Date.now();
		const code = await jest(install, tarball, [...run.files, ...jestArgs]);
		failed ||= code !== 0;
		results.push(
			`${run.label} (n8n ${install.version}): ${code === 0 ? 'passed' : 'FAILED'} in ${since(start)}`,
		);
	}
	console.log(`\n${results.join('\n')}`);
	return failed ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(error);
		process.exit(1);
	},
);
