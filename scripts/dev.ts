/**
 * `npm run dev`: the real n8n editor with this package loaded, for working on the nodes.
 *
 * 1. Installs the n8n the e2e suite pins (test/e2e/n8n: n8n 2.41.1 and Node 24 from the npm
 *    registry, cached in ~/.cache/n8n-nodes-quickrouter-e2e; minutes once, then reused).
 * 2. Builds the package (gulp) and copies package.json + dist/ into
 *    `<user folder>/.n8n/nodes/node_modules/n8n-nodes-quickrouter`, a real directory, where n8n
 *    looks for community packages: the node types keep their published names
 *    (`n8n-nodes-quickrouter.*`), so workflows move between dev and a real install unchanged.
 *    n8n-workflow and @n8n/ai-node-sdk resolve to n8n's own copies (see `linkPeers`).
 * 3. Starts the stand-in API on 127.0.0.1 (scripts/dev/standin.ts), or, with QUICKROUTER_TOKEN
 *    set, uses the real API (QUICKROUTER_BASE_URL optional) and no stand-in.
 * 4. Imports the "Quickrouter API" credential and the sample workflows (once; the user folder
 *    keeps them and your own work across restarts), starts `n8n start` with
 *    N8N_DEV_RELOAD=true, creates the owner account, activates the samples with webhooks.
 * 5. Watches nodes/ and credentials/: on a change it rebuilds, copies dist/ again, and n8n's
 *    hot reload (it watches the package's directory) loads the new code; the editor refreshes
 *    its node list by itself.
 * 6. Ctrl-C (SIGINT) or SIGTERM stops n8n and a running build by their PIDs, closes the watcher
 *    and the stand-in (both in this process), and exits.
 *
 * Options: --user-folder DIR (default .n8n-dev/ in the repository), --port N (n8n, default
 * 5678), --standin-port N (default 5680); a taken port falls back to a free one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	appendFileSync,
	cpSync,
	existsSync,
	type FSWatcher,
	lstatSync,
	mkdirSync,
	readFileSync,
	readlinkSync,
	renameSync,
	rmSync,
	symlinkSync,
	watch,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { ensureN8n, type N8nInstall } from '../test/e2e/install';
import { freePort, N8nInstance } from '../test/e2e/n8n';
import { type DevStandin, startDevStandin, STANDIN_TOKEN } from './dev/standin';
import {
	AGENT_WORKFLOW_ID,
	credentialFile,
	DEV_CREDENTIAL,
	ROWS_WORKFLOW_ID,
	sampleWorkflows,
	STREAMING_PATH,
} from './dev/workflows';

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = 'n8n-nodes-quickrouter';

export const OWNER = {
	email: 'dev@example.com',
	firstName: 'Quickrouter',
	lastName: 'Developer',
	password: 'Quickrouter-dev-1',
};

/** The line the dev command prints once the editor is ready; the e2e test waits for it. */
export const READY_LINE = 'n8n editor ready:';

interface Options {
	userFolder: string;
	port: number;
	standinPort: number;
}

function parseOptions(argv: string[]): Options {
	const options: Options = {
		userFolder: path.join(ROOT, '.n8n-dev'),
		port: 5678,
		standinPort: 5680,
	};
	for (let index = 0; index < argv.length; index++) {
		const [flag, inline] = argv[index].split('=', 2);
		const value = () => inline ?? argv[++index];
		if (flag === '--user-folder') options.userFolder = path.resolve(value());
		else if (flag === '--port') options.port = Number(value());
		else if (flag === '--standin-port') options.standinPort = Number(value());
		else {
			console.error(
				`Unknown option ${argv[index]}. Options: --user-folder DIR, --port N, --standin-port N`,
			);
			process.exit(2);
		}
	}
	return options;
}

const started = Date.now();
const seconds = (since = started) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line: string) => console.log(`[dev] ${line}`);

/** `wanted` if nothing listens there on 127.0.0.1 (0 means any), else a free port. */
async function portOr(wanted: number): Promise<number> {
	if (!wanted) return await freePort();
	const free = await new Promise<boolean>((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(wanted, '127.0.0.1', () => server.close(() => resolve(true)));
	});
	if (free) return wanted;
	const other = await freePort();
	say(`port ${wanted} is taken; using ${other}`);
	return other;
}

/* ---------------------------------------------------------------- build and copy ---- */

let building: ChildProcess | undefined;

/** `gulp build` in the repository (esbuild: about a second); resolves false on a build error. */
async function build(): Promise<boolean> {
	const child = spawn(
		process.execPath,
		[path.join(ROOT, 'node_modules/gulp/bin/gulp.js'), 'build', '--silent'],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	building = child;
	let output = '';
	child.stdout?.on('data', (data: Buffer) => (output += String(data)));
	child.stderr?.on('data', (data: Buffer) => (output += String(data)));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	building = undefined;
	if (code !== 0) {
		say(`build failed (exit ${code}); n8n keeps the previous build:\n${output.trim()}`);
		return false;
	}
	return true;
}

/** What the built package must hold: package.json's `n8n` entries and the shared core. */
function builtFiles(): string[] {
	const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	return [
		...manifest.n8n.nodes,
		...manifest.n8n.credentials,
		'dist/nodes/shared/index.js',
	] as string[];
}

/**
 * Copies dist/ into the installed package: first next to it (outside the folder n8n watches),
 * then swapped in with two renames, so n8n's reload never sees half a build. Returns false if
 * dist/ was incomplete (another build in this checkout was cleaning it): build again.
 */
function syncDist(packageDir: string): boolean {
	const nodesDir = path.dirname(path.dirname(packageDir));
	const next = path.join(nodesDir, '.quickrouter-dist-next');
	const old = path.join(nodesDir, '.quickrouter-dist-old');
	rmSync(next, { recursive: true, force: true });
	rmSync(old, { recursive: true, force: true });
	try {
		cpSync(path.join(ROOT, 'dist'), next, { recursive: true });
	} catch {
		return false;
	}
	if (!builtFiles().every((file) => existsSync(path.join(next, file.replace(/^dist\//, ''))))) {
		rmSync(next, { recursive: true, force: true });
		return false;
	}
	mkdirSync(packageDir, { recursive: true });
	const manifest = readFileSync(path.join(ROOT, 'package.json'));
	const installedManifest = path.join(packageDir, 'package.json');
	if (!existsSync(installedManifest) || !readFileSync(installedManifest).equals(manifest))
		writeFileSync(installedManifest, manifest);
	const dist = path.join(packageDir, 'dist');
	if (existsSync(dist)) renameSync(dist, old);
	renameSync(next, dist);
	rmSync(old, { recursive: true, force: true });
	return true;
}

async function buildAndSync(packageDir: string): Promise<boolean> {
	for (let attempt = 0; attempt < 3; attempt++) {
		if (!(await build())) return false;
		if (syncDist(packageDir)) return true;
	}
	say('dist/ kept changing under the copy (another build running?); try saving again');
	return false;
}

/**
 * The package's files sit under the repository when the user folder does, and Node resolves
 * `require('n8n-workflow')` by walking up from the requiring file: it would find the
 * repository's own devDependencies before n8n's copies (a second n8n-workflow, whose error
 * classes n8n's `instanceof` checks do not recognise). Links to n8n's own copies next to the
 * package end that walk where an npm install would put peer dependencies.
 */
function linkPeers(install: N8nInstall, nodesDir: string): void {
	for (const peer of ['n8n-workflow', '@n8n/ai-node-sdk']) {
		const target = path.join(install.dir, 'node_modules', peer);
		const link = path.join(nodesDir, 'node_modules', peer);
		mkdirSync(path.dirname(link), { recursive: true });
		let current: string | undefined;
		try {
			current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : 'not a link';
		} catch {
			current = undefined;
		}
		if (current === target) continue;
		if (current !== undefined) rmSync(link, { recursive: true, force: true });
		symlinkSync(target, link, 'dir');
	}
}

function prepareUserFolder(install: N8nInstall, userFolder: string): string {
	const nodesDir = path.join(userFolder, '.n8n/nodes');
	mkdirSync(path.join(nodesDir, 'node_modules'), { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!existsSync(manifest))
		writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	linkPeers(install, nodesDir);
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE);
	if (existsSync(packageDir) && lstatSync(packageDir).isSymbolicLink()) rmSync(packageDir);
	return packageDir;
}

/* --------------------------------------------------------------------- n8n state ---- */

interface DevState {
	/** What the imported credential points at (a hash of URL and token). */
	credential?: string;
	/** Sample workflows imported so far (a deleted sample stays deleted). */
	workflows: string[];
}

function readState(file: string): DevState {
	try {
		return { workflows: [], ...JSON.parse(readFileSync(file, 'utf8')) } as DevState;
	} catch {
		return { workflows: [] };
	}
}

interface Session {
	cookie: string;
}

async function rest(
	n8n: N8nInstance,
	method: string,
	route: string,
	body?: unknown,
	session?: Session,
): Promise<Response> {
	return await fetch(`${n8n.baseUrl}/rest${route}`, {
		method,
		headers: {
			'content-type': 'application/json',
			...(session ? { cookie: session.cookie } : {}),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

/** Creates the owner account on the first start, then signs in as the owner. */
async function signIn(n8n: N8nInstance): Promise<Session | undefined> {
	const settings = (await (await rest(n8n, 'GET', '/settings')).json()) as {
		data?: { userManagement?: { showSetupOnFirstLoad?: boolean } };
	};
	if (settings.data?.userManagement?.showSetupOnFirstLoad) {
		const setup = await rest(n8n, 'POST', '/owner/setup', OWNER);
		if (!setup.ok) say(`could not create the owner account: ${setup.status} ${await setup.text()}`);
	}
	const login = await rest(n8n, 'POST', '/login', {
		emailOrLdapLoginId: OWNER.email,
		password: OWNER.password,
	});
	const cookie = login.headers.get('set-cookie')?.split(';')[0];
	if (!login.ok || !cookie) {
		say(
			`could not sign in as ${OWNER.email} (${login.status}): was the password changed? ` +
				'Sample webhooks are not activated.',
		);
		return undefined;
	}
	return { cookie };
}

/** Activates (publishes) a workflow through the REST API, as the editor's Publish does. */
async function activate(n8n: N8nInstance, session: Session, id: string): Promise<void> {
	const current = await rest(n8n, 'GET', `/workflows/${id}`, undefined, session);
	if (!current.ok) return; // deleted by the user
	const { data } = (await current.json()) as {
		data: { active: boolean; versionId: string; activeVersionId?: string | null };
	};
	if (data.active) return;
	const response = await rest(
		n8n,
		'POST',
		`/workflows/${id}/activate`,
		{ versionId: data.versionId },
		session,
	);
	if (!response.ok) say(`could not activate workflow ${id}: ${await response.text()}`);
}

/* -------------------------------------------------------------------------- main ---- */

let n8n: N8nInstance | undefined;
let standin: DevStandin | undefined;
const watchers: FSWatcher[] = [];
let stopping = false;
/** Aborts a first-run install of n8n (npm, stopped by its PID) on Ctrl-C. */
const installation = new AbortController();
let installing: Promise<unknown> | undefined;

/** Stops what this command started, each by its PID, then exits with `code`. */
async function stopAll(reason: string, code: number): Promise<void> {
	if (stopping) return;
	stopping = true;
	say(`${reason}: stopping`);
	for (const watcher of watchers) watcher.close();
	if (installing) {
		installation.abort();
		// npm is stopped; let the installer remove its partial folder.
		await installing.catch(() => undefined);
	}
	if (building?.pid) {
		try {
			process.kill(building.pid, 'SIGTERM');
		} catch {
			// already done
		}
	}
	const pid = n8n?.pid;
	await n8n?.stop(20_000);
	if (pid) say(`n8n (PID ${pid}) stopped`);
	await standin?.stop();
	say('stand-in and watcher stopped');
	process.exit(code);
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const live = Boolean(process.env.QUICKROUTER_TOKEN);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => {
			if (stopping) {
				// Asked again: do not wait for n8n's graceful shutdown.
				const pid = n8n?.pid;
				if (pid) process.kill(pid, 'SIGKILL');
				return;
			}
			void stopAll(signal, 0);
		});
	}

	say(`user folder ${options.userFolder}`);
	installing = ensureN8n((line) => say(line), 'n8n', installation.signal);
	const install = (await installing) as N8nInstall;
	installing = undefined;
	say(`n8n ${install.version} in ${install.dir}`);

	const packageDir = prepareUserFolder(install, options.userFolder);
	const buildStarted = Date.now();
	if (!(await buildAndSync(packageDir))) throw new Error('The first build failed; see above.');
	const shown = packageDir.startsWith(`${ROOT}${path.sep}`)
		? path.relative(ROOT, packageDir)
		: packageDir;
	say(`built and copied into ${shown} in ${seconds(buildStarted)}`);

	let baseUrl: string;
	let token: string;
	if (live) {
		token = process.env.QUICKROUTER_TOKEN as string;
		baseUrl = process.env.QUICKROUTER_BASE_URL ?? 'https://api.quickrouter.ai';
	} else {
		standin = await startDevStandin(await portOr(options.standinPort));
		token = STANDIN_TOKEN;
		baseUrl = standin.baseUrl;
	}

	const logFile = path.join(options.userFolder, 'n8n.log');
	let lastReload = 0;
	appendFileSync(logFile, `\n==== npm run dev, ${new Date().toISOString()} ====\n`);
	n8n = new N8nInstance(install, {
		userFolder: options.userFolder,
		port: await portOr(options.port),
		// n8n's task broker: next to n8n's port (5679), or any free one.
		brokerPort: await portOr(options.port ? options.port + 1 : 0),
		env: {
			N8N_DEV_RELOAD: 'true',
			// n8n 2.41 fetches a list of MCP servers from api.n8n.io at start; not wanted here.
			N8N_DISABLED_MODULES: 'mcp-registry',
			// With a real token the nodes must reach the real API: the user's own proxy settings
			// apply instead of the suite's closed local proxy.
			...(live
				? {
						HTTP_PROXY: process.env.HTTP_PROXY,
						HTTPS_PROXY: process.env.HTTPS_PROXY,
						NO_PROXY: process.env.NO_PROXY,
					}
				: {}),
		},
		onOutput: (text) => {
			appendFileSync(logFile, text);
			for (const line of text.split('\n')) {
				if (/Hot reload triggered for n8n-nodes-quickrouter/.test(line)) {
					// One save can make n8n reload twice (its watcher debounces 100 ms): say it once.
					if (Date.now() - lastReload > 2000)
						say('n8n reloaded the package; an open editor picks up the change by itself');
					lastReload = Date.now();
				} else if (/Hot reload failed|\b(ERROR|Error:)|error \|/i.test(line) && !stopping) {
					console.log(`[n8n] ${line}`);
				}
			}
		},
		onExit: (code, signal) => {
			if (!stopping)
				void stopAll(`n8n exited by itself (${code ?? signal}); its log: ${logFile}`, 1);
		},
	});

	const statePath = path.join(options.userFolder, 'quickrouter-dev.json');
	const state = readState(statePath);
	const credentialKey = createHash('sha256').update(`${baseUrl}\n${token}`).digest('hex');
	if (state.credential !== credentialKey) {
		await n8n.importJson('credentials', credentialFile(baseUrl, token));
		state.credential = credentialKey;
		say(`credential "${DEV_CREDENTIAL.name}" -> ${baseUrl}`);
	}
	const samples = sampleWorkflows();
	const missing = samples.filter(({ workflow }) => !state.workflows.includes(workflow.id));
	if (missing.length > 0) {
		const folder = path.join(options.userFolder, 'sample-workflows');
		rmSync(folder, { recursive: true, force: true });
		mkdirSync(folder, { recursive: true });
		for (const { workflow } of missing)
			writeFileSync(path.join(folder, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
		await n8n.cli(['import:workflow', '--separate', `--input=${folder}`]);
		state.workflows.push(...missing.map(({ workflow }) => workflow.id));
		say(`imported ${missing.map(({ workflow }) => `"${workflow.name}"`).join(', ')}`);
	}
	writeFileSync(statePath, JSON.stringify(state, null, 2));

	const n8nStarted = Date.now();
	await n8n.start();
	await n8n.waitForEditor();
	say(`n8n started in ${seconds(n8nStarted)} (PID ${n8n.pid}); log: ${logFile}`);
	// Samples with a webhook go live when first imported; later, they stay as you left them.
	const session = await signIn(n8n);
	if (session)
		for (const { workflow, live: hasWebhook } of missing)
			if (hasWebhook) await activate(n8n, session, workflow.id);

	const url = n8n.baseUrl;
	console.log(`
${READY_LINE} ${url}   (ready in ${seconds()})
  sign in:        ${OWNER.email} / ${OWNER.password}
  API:            ${live ? `${baseUrl} (QUICKROUTER_TOKEN)` : `stand-in at ${baseUrl} (offline; set QUICKROUTER_TOKEN for the real API)`}
  samples:        ${url}/workflow/${ROWS_WORKFLOW_ID}   Rows through Quickrouter Gemini: Execute workflow
                  ${url}/workflow/${AGENT_WORKFLOW_ID}   AI Agent with a tool: Open chat, ask "What is 6 * 7?"
                  Streaming webhook: curl -N ${url}/webhook/${STREAMING_PATH} -H 'content-type: application/json' -d '{"question":"Hello there"}'
  processes:      n8n PID ${n8n.pid}${standin ? `, stand-in in this process (PID ${process.pid})` : ''}
  watching nodes/ and credentials/: a save rebuilds and n8n reloads the package. Ctrl-C stops everything.
`);

	// Rebuild on change: a burst of saves makes one build; a save during a build, one more.
	let timer: NodeJS.Timeout | undefined;
	let running = false;
	let again = false;
	const rebuild = async () => {
		if (running) {
			again = true;
			return;
		}
		running = true;
		do {
			again = false;
			const since = Date.now();
			if (await buildAndSync(packageDir)) say(`rebuilt and copied in ${seconds(since)}`);
		} while (again && !stopping);
		running = false;
	};
	for (const folder of ['nodes', 'credentials']) {
		watchers.push(
			watch(path.join(ROOT, folder), { recursive: true }, (_event, file) => {
				if (stopping || !file || /(^|\/)\.|~$|\.swp$/.test(String(file))) return;
				clearTimeout(timer);
				timer = setTimeout(() => void rebuild(), 300);
			}),
		);
	}
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(`[dev] ${error.stack ?? error.message}`);
		void stopAll('failed', 1);
	});
}
