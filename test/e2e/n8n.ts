/**
 * Drives the real n8n application: a fresh user folder with the packed package installed the
 * way n8n installs community packages, the CLI (import, execute), and `n8n start` on a free
 * port. Every process is started with a time limit and stopped by its PID.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { N8nInstall } from './install';

const exec = promisify(execFile);

export interface E2eEnvironment {
	install: N8nInstall;
	/** The packed package, as `npm pack` wrote it. */
	tarball: string;
}

/** What the runner hands to the test files. */
export function e2eEnvironment(): E2eEnvironment {
	const raw = process.env.QUICKROUTER_E2E;
	if (!raw) throw new Error('Run the end-to-end suite with `npm run test:e2e`');
	return JSON.parse(raw) as E2eEnvironment;
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

export interface CliResult {
	stdout: string;
	stderr: string;
}

export class N8nInstance {
	readonly userFolder = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-e2e-'));

	private server?: ChildProcess;

	/** What `n8n start` has printed so far, for failure messages. */
	log = '';

	port = 0;

	/** n8n's task broker listens too (5679 by default): give it a free port as well. */
	brokerPort = 0;

	constructor(readonly install: N8nInstall) {}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	env(): NodeJS.ProcessEnv {
		return {
			PATH: `${path.dirname(this.install.node)}:${process.env.PATH}`,
			HOME: this.userFolder,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'quickrouter-e2e-encryption-key',
			N8N_PORT: String(this.port || 5678),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort || 5679),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			DB_TYPE: 'sqlite',
			N8N_LOG_LEVEL: 'info',
			// Nothing leaves this machine: every phone-home feature is off.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'false',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			// Any request n8n would send elsewhere goes to a closed local port instead.
			HTTP_PROXY: 'http://127.0.0.1:9',
			HTTPS_PROXY: 'http://127.0.0.1:9',
			NO_PROXY: '127.0.0.1,localhost',
		};
	}

	/** Installs the tarball into `<user folder>/.n8n/nodes`, as n8n installs a community package. */
	async installPackage(tarball: string): Promise<void> {
		const nodesDir = path.join(this.userFolder, '.n8n/nodes');
		mkdirSync(nodesDir, { recursive: true });
		writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true }),
		);
		await exec('npm', ['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts'], {
			cwd: nodesDir,
			timeout: 120_000,
		});
	}

	/** The package installed, then the credential and the workflows imported. */
	async provision(tarball: string, credentials: unknown, workflows: unknown[]): Promise<void> {
		await this.installPackage(tarball);
		await this.importJson('credentials', credentials);
		for (const workflow of workflows) await this.importJson('workflow', workflow);
	}

	async cli(args: string[], timeout = 120_000): Promise<CliResult> {
		try {
			const { stdout, stderr } = await exec(this.install.node, [this.install.n8n, ...args], {
				env: this.env(),
				timeout,
				maxBuffer: 64 << 20,
			});
			return { stdout, stderr };
		} catch (error) {
			const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
			throw new Error(
				`n8n ${args.join(' ')} failed: ${(error as Error).message}\n${stdout}\n${stderr}`,
			);
		}
	}

	async importJson(kind: 'credentials' | 'workflow', value: unknown): Promise<void> {
		const file = path.join(
			this.userFolder,
			`${kind}-${Date.now()}-${Math.random().toString(16).slice(2)}.json`,
		);
		writeFileSync(file, JSON.stringify(value));
		await this.cli([`import:${kind}`, `--input=${file}`]);
	}

	/** `n8n execute --id`: the run's JSON, which follows some log lines on stdout. */
	async execute(workflowId: string): Promise<ExecuteResult> {
		const { stdout } = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], 300_000);
		// Log lines can come before and after the pretty-printed JSON: it starts with a line
		// that is "{" and ends with a line that is "}".
		const lines = stdout.split('\n');
		const first = lines.indexOf('{');
		for (let last = lines.length - 1; first >= 0 && last > first; last--) {
			if (lines[last] !== '}') continue;
			try {
				return JSON.parse(lines.slice(first, last + 1).join('\n')) as ExecuteResult;
			} catch {
				// a brace line inside the log, not the end of the JSON: keep looking
			}
		}
		throw new Error(`n8n execute printed no JSON:\n${stdout.slice(0, 2000)}`);
	}

	async start(): Promise<void> {
		this.port = await freePort();
		this.brokerPort = await freePort();
		const child = spawn(this.install.node, [this.install.n8n, 'start'], {
			env: this.env(),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.server = child;
		this.log = '';
		child.stdout?.on('data', (data: Buffer) => (this.log += String(data)));
		child.stderr?.on('data', (data: Buffer) => (this.log += String(data)));
		const until = Date.now() + 120_000;
		while (Date.now() < until) {
			if (child.exitCode !== null)
				throw new Error(`n8n start exited with ${child.exitCode}:\n${this.log}`);
			try {
				const response = await fetch(`${this.baseUrl}/healthz/readiness`);
				if (response.ok) return;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		await this.stop();
		throw new Error(`n8n start was not ready within 120 s:\n${this.log}`);
	}

	/**
	 * POSTs JSON to a published workflow's webhook. n8n reports ready before its publication
	 * service has activated the published workflows, and until then the webhook answers 404
	 * without running anything; so a 404 is retried, for a minute at most.
	 */
	async callWebhook(webhookPath: string, body: unknown, timeoutMs = 60_000): Promise<Response> {
		const until = Date.now() + timeoutMs;
		for (;;) {
			const response = await fetch(`${this.baseUrl}/webhook/${webhookPath}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			if (response.status !== 404 || Date.now() > until) return response;
			await response.arrayBuffer();
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	async stop(): Promise<void> {
		const child = this.server;
		if (!child || child.exitCode !== null || child.pid === undefined) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		process.kill(child.pid, 'SIGTERM');
		const killer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 15_000);
		await exited;
		clearTimeout(killer);
	}
}

export interface ExecuteResult {
	data: {
		resultData: {
			error?: { message: string };
			runData: Record<
				string,
				Array<{
					data?: {
						main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null>;
					};
					error?: { message: string };
				}>
			>;
		};
	};
}

export function outputOf(result: ExecuteResult, nodeName: string) {
	return result.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
}

/** One line of n8n's streamed HTTP response, with the time it arrived. */
export interface StreamedLine {
	at: number;
	type: string;
	content?: string;
	metadata?: { nodeName: string; itemIndex: number };
}

/** Reads a streaming Webhook's response (one JSON object per line) as it arrives. */
export async function readStreamedLines(response: Response): Promise<StreamedLine[]> {
	const lines: StreamedLine[] = [];
	const decoder = new TextDecoder();
	let buffered = '';
	for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
		buffered += decoder.decode(piece, { stream: true });
		const complete = buffered.split('\n');
		buffered = complete.pop() ?? '';
		for (const line of complete.filter((text) => text.trim() !== '')) {
			lines.push({ at: Date.now(), ...(JSON.parse(line) as Omit<StreamedLine, 'at'>) });
		}
	}
	return lines;
}
