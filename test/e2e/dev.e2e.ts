/**
 * `npm run dev`, headless: started with a temporary user folder and free ports, it must print
 * the editor's address; the editor answers, the owner can sign in, the sample workflows are
 * there and run (the streaming Webhook and the agent's chat while it runs, the rows workflow
 * with `n8n execute` afterwards), n8n reloads the package when its files change, and SIGINT
 * stops every process it started.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { OWNER, READY_LINE } from '../../scripts/dev';
import { startDevStandin } from '../../scripts/dev/standin';
import {
	CHAT_WEBHOOK_ID,
	ROWS_WORKFLOW_ID,
	SAMPLE_ROWS,
	sampleWorkflows,
	STREAMING_PATH,
} from '../../scripts/dev/workflows';
import { e2eEnvironment, freePort, N8nInstance, outputOf, readStreamedLines } from './n8n';

const ROOT = path.resolve(__dirname, '../..');
const { install } = e2eEnvironment();
const userFolder = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-dev-e2e-'));
const packageDir = path.join(userFolder, '.n8n/nodes/node_modules/n8n-nodes-quickrouter');

let dev: ChildProcess;
let output = '';
let baseUrl = '';
let standinUrl = '';
let cookie = '';

/** Every process below `root` now (children, grandchildren...). */
function descendants(root: number): number[] {
	const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
		.trim()
		.split('\n')
		.map((line) => line.trim().split(/\s+/).map(Number));
	const found: number[] = [];
	const walk = (pid: number) => {
		for (const [child, parent] of table)
			if (parent === pid) {
				found.push(child);
				walk(child);
			}
	};
	walk(root);
	return found;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}:\n${output}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

beforeAll(async () => {
	const [port, standinPort] = [await freePort(), await freePort()];
	dev = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			path.join(ROOT, 'scripts/dev.ts'),
			`--user-folder=${userFolder}`,
			`--port=${port}`,
			`--standin-port=${standinPort}`,
		],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	dev.stdout?.on('data', (data: Buffer) => (output += String(data)));
	dev.stderr?.on('data', (data: Buffer) => (output += String(data)));
	baseUrl = await until(
		'the ready line',
		async () => {
			if (dev.exitCode !== null) throw new Error(`npm run dev exited early:\n${output}`);
			return new RegExp(`${READY_LINE} (http://\\S+)`).exec(output)?.[1];
		},
		150_000,
	);
	standinUrl = /stand-in at (http:\/\/\S+)/.exec(output)?.[1] ?? '';
}, 180_000);

afterAll(async () => {
	if (dev && dev.exitCode === null && dev.signalCode === null && dev.pid) {
		for (const pid of descendants(dev.pid)) process.kill(pid, 'SIGKILL');
		process.kill(dev.pid, 'SIGKILL');
	}
});

test('prints the editor address, the login and the stand-in', () => {
	expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(output).toContain(`${OWNER.email} / ${OWNER.password}`);
	expect(standinUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('the package is a real directory whose peers resolve to n8n’s own copies', () => {
	expect(lstatSync(packageDir).isDirectory()).toBe(true);
	expect(lstatSync(packageDir).isSymbolicLink()).toBe(false);
	const workflowPeer = path.join(userFolder, '.n8n/nodes/node_modules/n8n-workflow');
	expect(realpathSync(workflowPeer)).toBe(
		realpathSync(path.join(install.dir, 'node_modules/n8n-workflow')),
	);
});

test('the editor answers and the owner signs in', async () => {
	expect((await fetch(`${baseUrl}/healthz/readiness`)).status).toBe(200);
	const page = await fetch(`${baseUrl}/`);
	expect(page.status).toBe(200);
	expect(await page.text()).toContain('<div id="app"');
	const login = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	expect(login.status).toBe(200);
	cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
	const list = (await (
		await fetch(`${baseUrl}/rest/workflows`, { headers: { cookie } })
	).json()) as { data: Array<{ id: string; name: string; active: boolean }> };
	expect(list.data.map(({ id, active }) => [id, active]).sort()).toEqual(
		sampleWorkflows()
			.map(({ workflow, live }) => [workflow.id, live])
			.sort(),
	);
});

test('the streaming Webhook sample streams the node’s answer', async () => {
	const response = await fetch(`${baseUrl}/webhook/${STREAMING_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ question: 'Hello there' }),
	});
	expect(response.status).toBe(200);
	const pieces = (await readStreamedLines(response)).filter((line) => line.type === 'item');
	expect(pieces.map((piece) => piece.content).join('')).toBe('Echo: Hello there.');
	expect(pieces.length).toBeGreaterThanOrEqual(2);
});

test('the AI Agent sample calls the Calculator through the chat model and answers', async () => {
	const response = await fetch(`${baseUrl}/webhook/${CHAT_WEBHOOK_ID}/chat`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			action: 'sendMessage',
			sessionId: 'dev-e2e',
			chatInput: 'What is 6 * 7?',
		}),
	});
	expect(response.status).toBe(200);
	const lines = await readStreamedLines(response);
	expect(lines.filter((line) => line.type === 'error')).toEqual([]);
	expect(
		lines
			.filter((line) => line.type === 'item')
			.map((line) => line.content)
			.join(''),
	).toBe('The calculator says 42.');
});

test('n8n reloads the package when its files change, without a restart', async () => {
	const file = path.join(packageDir, 'dist/nodes/QuickrouterGemini/QuickrouterGemini.node.js');
	// The built file, as esbuild prints it (double quotes).
	const [before, after] = ['"Quickrouter Gemini",', '"Quickrouter Gemini (reloaded)",'];
	// Edits in nodes/ (others at work in this checkout) make the dev command copy a fresh build
	// over this change: then it is made again. A change n8n's watcher did not report (seen now
	// and then in fresh-clone runs: no "Hot reload triggered" in n8n's log, cause not found) is
	// saved again every 5 s, as a user saving twice would.
	let checks = 0;
	const change = () => {
		const source = readFileSync(file, 'utf8');
		if (source.includes(`displayName: ${before}`))
			writeFileSync(file, source.replace(`displayName: ${before}`, `displayName: ${after}`));
		else if (++checks % 20 === 0) writeFileSync(file, `${source}\n// saved again\n`);
	};
	// n8n rewrites nodes.json on each reload: a read during the rewrite is retried.
	const names = async () => {
		const response = await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie } });
		try {
			return (JSON.parse(await response.text()) as Array<{ name: string; displayName: string }>)
				.filter((node) => node.name.startsWith('n8n-nodes-quickrouter.'))
				.map((node) => node.displayName);
		} catch {
			return [];
		}
	};
	expect(readFileSync(file, 'utf8')).toContain(`displayName: ${before}`);
	await until(
		'the reloaded node description',
		async () => {
			change();
			return (await names()).includes('Quickrouter Gemini (reloaded)') ? true : undefined;
		},
		60_000,
	);
	expect(output).toContain('n8n reloaded the package');
}, 90_000);

test('SIGINT stops n8n, the stand-in and every other process it started', async () => {
	const pid = dev.pid as number;
	const children = descendants(pid);
	expect(children.length).toBeGreaterThanOrEqual(1); // n8n, its task runner, ...
	const exited = new Promise<number | null>((resolve) => dev.once('exit', resolve));
	process.kill(pid, 'SIGINT');
	expect(await exited).toBe(0);
	await until(
		'every child to exit',
		async () => (children.every((child) => !alive(child)) ? true : undefined),
		10_000,
	);
	expect(output).toMatch(/n8n \(PID \d+\) stopped/);
	await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();
	await expect(fetch(`${standinUrl}/v1beta/models`)).rejects.toThrow();
}, 60_000);

test('the rows sample runs with n8n execute in the same user folder', async () => {
	const standin = await startDevStandin(Number(new URL(standinUrl).port));
	try {
		expect(standin.baseUrl).toBe(standinUrl);
		const n8n = new N8nInstance(install, { userFolder });
		const result = await n8n.execute(ROWS_WORKFLOW_ID);
		expect(result.data.resultData.error).toBeUndefined();
		expect(outputOf(result, 'Quickrouter Gemini').map((item) => item.json.text)).toEqual(
			SAMPLE_ROWS.map((row) => `Echo: ${row}`),
		);
	} finally {
		await standin.stop();
	}
});
