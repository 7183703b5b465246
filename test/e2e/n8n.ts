/**
 * Drives the real n8n application: a fresh user folder with the packed package installed the
 * way n8n installs community packages, the CLI (import, execute), and `n8n start` on a free
 * port. Every process is started with a time limit and stopped by its PID.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { N8nInstall } from './install';

const exec = promisify(execFile);

const PACKAGE_NAME = 'n8n-nodes-quickrouter';

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

/** A failed n8n CLI command, with what it printed. */
export class CliError extends Error {
	constructor(
		message: string,
		readonly stdout: string,
		readonly stderr: string,
	) {
		super(message);
	}
}

export interface CliResult {
	stdout: string;
	stderr: string;
}

export interface N8nOptions {
	/** A user folder to keep (`npm run dev`); a fresh temporary one when absent. */
	userFolder?: string;
	/** Added to the environment of every n8n process, overriding `env()`'s defaults. */
	env?: NodeJS.ProcessEnv;
	/** Ports for `n8n start`; free ones are picked at each start when absent. */
	port?: number;
	brokerPort?: number;
	/** Sees what `n8n start` prints, as it prints it. */
	onOutput?: (text: string) => void;
	/** Told when `n8n start` exits, whoever stopped it. */
	onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** What `n8n start` printed last is kept for failure messages, up to this many characters. */
const LOG_LIMIT = 1 << 20;

export class N8nInstance {
	readonly userFolder: string;

	private server?: ChildProcess;

	/** What `n8n start` has printed so far (the last megabyte), for failure messages. */
	log = '';

	port = 0;

	/** n8n's task broker listens too (5679 by default): give it a free port as well. */
	brokerPort = 0;

	constructor(
		readonly install: N8nInstall,
		private readonly options: N8nOptions = {},
	) {
		this.userFolder =
			options.userFolder ?? mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-e2e-'));
	}

	/** The PID of the running `n8n start`, if one runs. */
	get pid(): number | undefined {
		return this.server && this.server.exitCode === null && this.server.signalCode === null
			? this.server.pid
			: undefined;
	}

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
			...this.options.env,
		};
	}

	/**
	 * Installs the tarball into `<user folder>/.n8n/nodes` as n8n's own installer (Settings ->
	 * Community Nodes) does: unpacked into `node_modules/<name>`, its peer, dev and optional
	 * dependencies removed from its package.json, then `npm install` there (nothing to fetch:
	 * the package has no runtime dependencies). So n8n-workflow and @n8n/ai-node-sdk resolve to
	 * n8n's own copies, as for users; a plain `npm install <tarball>` would instead fetch the
	 * latest n8n-workflow from the registry as a peer, a second copy n8n never loads itself.
	 */
	async installPackage(tarball: string): Promise<void> {
		const nodesDir = path.join(this.userFolder, '.n8n/nodes');
		const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
		mkdirSync(packageDir, { recursive: true });
		await exec('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
		const manifestPath = path.join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(
			readFileSync(manifestPath, 'utf8'),
		) as Record<string, unknown>;
		writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
		await exec(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
			],
			{ cwd: packageDir, timeout: 120_000 },
		);
		writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({
				name: 'installed-nodes',
				private: true,
				dependencies: { [PACKAGE_NAME]: manifest.version },
			}),
		);
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
			throw new CliError(
				`n8n ${args.join(' ')} failed: ${(error as Error).message}\n${stdout}\n${stderr}`,
				stdout,
				stderr,
			);
		}
	}

	async importJson(kind: 'credentials' | 'workflow', value: unknown): Promise<void> {
		const file = path.join(
			this.userFolder,
			`${kind}-${Date.now()}-${Math.random().toString(16).slice(2)}.json`,
		);
		writeFileSync(file, JSON.stringify(value));
		try {
			await this.cli([`import:${kind}`, `--input=${file}`]);
		} finally {
			// A credential file holds its token in clear text.
			rmSync(file, { force: true });
		}
	}

	/**
	 * Makes a workflow live (its webhooks served by `n8n start`): `publish:workflow` in n8n 2,
	 * which has no `active` flag any more; `update:workflow --active=true` in n8n 1.
	 */
	async publish(workflowId: string): Promise<void> {
		await this.cli(
			this.install.major >= 2
				? ['publish:workflow', `--id=${workflowId}`]
				: ['update:workflow', `--id=${workflowId}`, '--active=true'],
		);
	}

	/**
	 * `n8n execute --id`: the run's JSON, which follows some log lines on stdout. A run that
	 * ends in an error makes the CLI fail; with `failing` its JSON (printed after "Execution
	 * error:") is returned all the same, without it the error is thrown.
	 */
	async execute(workflowId: string, { failing = false } = {}): Promise<ExecuteResult> {
		let output: string;
		try {
			output = (await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], 300_000)).stdout;
		} catch (error) {
			if (!failing || !(error instanceof CliError)) throw error;
			output = `${error.stdout}\n${error.stderr}`;
		}
		// Log lines can come before and after the pretty-printed JSON: it starts with a line
		// that is "{" and ends with a line that is "}".
		const lines = output.split('\n');
		const first = lines.indexOf('{');
		for (let last = lines.length - 1; first >= 0 && last > first; last--) {
			if (lines[last] !== '}') continue;
			try {
				return JSON.parse(lines.slice(first, last + 1).join('\n')) as ExecuteResult;
			} catch {
				// a brace line inside the log, not the end of the JSON: keep looking
			}
		}
		throw new Error(`n8n execute printed no JSON:\n${output.slice(0, 2000)}`);
	}

	async start(): Promise<void> {
		this.port = this.options.port ?? (await freePort());
		this.brokerPort = this.options.brokerPort ?? (await freePort());
		const child = spawn(this.install.node, [this.install.n8n, 'start'], {
			env: this.env(),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.server = child;
		this.log = '';
		const output = (data: Buffer) => {
			this.log = (this.log + String(data)).slice(-LOG_LIMIT);
			this.options.onOutput?.(String(data));
		};
		child.stdout?.on('data', output);
		child.stderr?.on('data', output);
		child.once('exit', (code, signal) => this.options.onExit?.(code, signal));
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

	/**
	 * Waits until the editor itself answers `GET /`: right after `/healthz/readiness`, n8n can
	 * still serve its "n8n is starting up" page for a few seconds.
	 */
	async waitForEditor(timeoutMs = 60_000): Promise<string> {
		const until = Date.now() + timeoutMs;
		for (;;) {
			const response = await fetch(`${this.baseUrl}/`).catch(() => undefined);
			const html = response?.ok ? await response.text() : '';
			if (html.includes('<div id="app"')) return html;
			if (Date.now() > until)
				throw new Error(`The editor did not answer within ${timeoutMs / 1000} s:\n${this.log}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	/** SIGTERM to `n8n start` by its PID, SIGKILL after `graceMs`; resolves once it has exited. */
	async stop(graceMs = 15_000): Promise<void> {
		const child = this.server;
		const pid = this.pid;
		if (!child || pid === undefined) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		const signal = (name: NodeJS.Signals) => {
			try {
				process.kill(pid, name);
			} catch {
				// already gone
			}
		};
		signal('SIGTERM');
		const killer = setTimeout(() => signal('SIGKILL'), graceMs);
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
