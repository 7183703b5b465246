/**
 * One end-to-end test file's setting: the stand-in API answering with `script`, and a real
 * n8n with the packed package, the stand-in's credential and `workflows` imported. The
 * stand-in is reset before each test; both are stopped after the file.
 */
import { type ReplyScript, StandinServer, STANDIN_TOKEN } from '../standin/server';
import { e2eEnvironment, N8nInstance, type N8nOptions } from './n8n';
import { credentialFile, type Workflow } from './workflows';

export function useN8nWithStandin(
	workflows: Workflow[],
	script: ReplyScript,
	options: N8nOptions = {},
): { n8n: N8nInstance; standin: StandinServer } {
	const { install, tarball } = e2eEnvironment();
	const standin = new StandinServer();
	const n8n = new N8nInstance(install, options);
	beforeAll(async () => {
		await standin.start();
		standin.script = script;
		await n8n.provision(tarball, credentialFile(standin.baseUrl, STANDIN_TOKEN), workflows);
	});
	afterAll(async () => {
		await n8n.stop();
		await standin.stop();
	});
	beforeEach(() => standin.reset(script));
	return { n8n, standin };
}
