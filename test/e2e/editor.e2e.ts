/**
 * The n8n editor in Chromium (Debian's, driven by playwright-core): sign in, open a workflow
 * with the node, run it, and use the credential's Test, with the right token and a wrong one.
 * Screenshots of each step go to a folder the suite prints, to be looked at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { imageAnswerWith, paintedPng } from '../standin/media';
import { echoScript, StandinServer, STANDIN_TOKEN } from '../standin/server';
import { e2eEnvironment, N8nInstance } from './n8n';
import {
	agentWorkflow,
	CHAT_MODEL_TYPE,
	credentialFile,
	geminiNode,
	manualWorkflow,
} from './workflows';

const { install, tarball } = e2eEnvironment();
const standin = new StandinServer();
const n8n = new N8nInstance(install);
const SHOTS = path.resolve(__dirname, '../../e2e-screenshots');
const OWNER = {
	email: 'owner@example.com',
	firstName: 'Owner',
	lastName: 'E2E',
	password: 'Quickrouter-e2e-1',
};
const WORKFLOW_ID = 'qrE2eEditor01';
const AGENT_WORKFLOW = agentWorkflow('qrE2eEditorAgent01', 'What is 6 * 7?');
const IMAGE_WORKFLOW_ID = 'qrE2eEditorImage01';
const IMAGE_MODEL = 'gemini-3-pro-image-preview';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser;
let page: Page;

// Chromium comes from Debian's packages (.ci/run installs it); without it this file cannot run.
if (!existsSync(CHROMIUM)) {
	console.log(
		`\n==== SKIP editor tests: no Chromium at ${CHROMIUM} (apt-get install chromium) ====\n`,
	);
}
const describeWithBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

const testId = (id: string) => page.locator(`[data-test-id="${id}"]`);
const shot = async (name: string) =>
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

describeWithBrowser('the n8n editor', () => {
	beforeAll(async () => {
		mkdirSync(SHOTS, { recursive: true });
		console.log(`Screenshots: ${SHOTS}`);
		await standin.start();
		// The image model draws; every other model echoes.
		standin.script = (request) =>
			request.model === IMAGE_MODEL
				? imageAnswerWith([paintedPng(256), paintedPng(128)])
				: echoScript(request);
		await n8n.provision(tarball, credentialFile(standin.baseUrl, STANDIN_TOKEN), [
			manualWorkflow(WORKFLOW_ID, 'Ask Neko', [
				geminiNode(
					'Quickrouter Gemini',
					{
						prompt: 'Hello there',
						systemInstruction: 'You are a cat. Your name is Neko.',
						generationConfig: { temperature: 1, includeThoughts: true },
					},
					[240, 0],
				),
			]),
			AGENT_WORKFLOW,
			manualWorkflow(IMAGE_WORKFLOW_ID, 'Draw a cat', [
				geminiNode(
					'Quickrouter Gemini',
					{
						model: { __rl: true, mode: 'id', value: IMAGE_MODEL },
						prompt: 'Draw a cat on a red cushion',
						generationConfig: { responseModalities: ['TEXT', 'IMAGE'], aspectRatio: '1:1' },
					},
					[240, 0],
				),
			]),
		]);
		await n8n.start();
		const setup = await fetch(`${n8n.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		expect(setup.status).toBe(200);
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				// The browser may only reach this machine.
				'--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
			],
			timeout: 60_000,
		});
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(30_000);
	});

	afterAll(async () => {
		await browser?.close();
		await n8n.stop();
		await standin.stop();
	});

	test('signs in and opens the workflow, with the node and its icon on the canvas', async () => {
		await page.goto(`${n8n.baseUrl}/signin`);
		await page
			.locator(
				'[data-test-id="emailOrLdapLoginId"] input, input[data-test-id="emailOrLdapLoginId"]',
			)
			.first()
			.fill(OWNER.email);
		await page
			.locator('[data-test-id="password"] input, input[data-test-id="password"]')
			.first()
			.fill(OWNER.password);
		await testId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.includes('signin'));
		await page.goto(`${n8n.baseUrl}/workflow/${WORKFLOW_ID}`);
		const node = page.locator('[data-test-id="canvas-node"][data-node-name="Quickrouter Gemini"]');
		await node.waitFor();
		expect(await node.getAttribute('data-node-type')).toBe(
			'n8n-nodes-quickrouter.quickrouterGemini',
		);
		const icon = node.locator('img').first();
		await icon.waitFor();
		expect(
			await icon.evaluate((image) => {
				const loaded = image as unknown as { complete: boolean; naturalWidth: number };
				return loaded.complete && loaded.naturalWidth > 0;
			}),
		).toBe(true);
		await shot('1-canvas');
	});

	test('the AI Agent workflow shows the chat model and the calculator plugged into the agent', async () => {
		await page.goto(`${n8n.baseUrl}/workflow/${AGENT_WORKFLOW.id}`);
		const canvasNode = (name: string) =>
			page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
		for (const name of ['AI Agent', 'Quickrouter Gemini Chat Model', 'Calculator']) {
			await canvasNode(name).waitFor();
		}
		const model = canvasNode('Quickrouter Gemini Chat Model');
		expect(await model.getAttribute('data-node-type')).toBe(CHAT_MODEL_TYPE);
		const icon = model.locator('img').first();
		await icon.waitFor();
		expect(
			await icon.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
		).toBeGreaterThan(0);
		// The question, the model and the tool all end at the agent: n8n draws an edge for each.
		const intoAgent = page.locator('[data-test-id="edge"][data-target-node-name="AI Agent"]');
		await intoAgent.first().waitFor({ state: 'attached' });
		expect(
			(
				await intoAgent.evaluateAll((edges) =>
					edges.map((edge) => edge.getAttribute('data-source-node-name')),
				)
			).sort(),
		).toEqual(['Calculator', 'Question', 'Quickrouter Gemini Chat Model']);
		await shot('1b-agent-canvas');
		await model.dblclick();
		await testId('ndv').waitFor();
		await page.getByText('Connect this node to an AI Agent').first().waitFor();
		await shot('1c-chat-model-parameters');
		await page.goto(`${n8n.baseUrl}/workflow/${WORKFLOW_ID}`);
		await canvasNode('Quickrouter Gemini').waitFor();
	});

	test('runs the node from its panel and shows the answer', async () => {
		await page
			.locator('[data-test-id="canvas-node"][data-node-name="Quickrouter Gemini"]')
			.dblclick();
		await testId('ndv').waitFor();
		await shot('2-parameters');
		await testId('node-execute-button').first().click();
		const output = testId('output-panel');
		await output.getByText('Echo: Hello there.').first().waitFor();
		await expect(output.getByText('1 item').first().isVisible()).resolves.toBe(true);
		await shot('3-output');
		expect(standin.generateRequests).toHaveLength(1);
		expect(standin.generateRequests[0].body).toMatchObject({
			systemInstruction: { parts: [{ text: 'You are a cat. Your name is Neko.' }] },
			generationConfig: { temperature: 1, thinkingConfig: { includeThoughts: true } },
		});
	});

	test('an image answer shows as binary data in the output panel, and opens as a picture', async () => {
		await page.goto(`${n8n.baseUrl}/workflow/${IMAGE_WORKFLOW_ID}`);
		await page
			.locator('[data-test-id="canvas-node"][data-node-name="Quickrouter Gemini"]')
			.dblclick();
		await testId('ndv').waitFor();
		await testId('node-execute-button').first().click();
		const output = testId('output-panel');
		await output.getByText('1 item').first().waitFor();
		expect(standin.generateRequests.at(-1)?.model).toBe(IMAGE_MODEL);
		await testId('radio-button-binary').click();
		// Two images, as binary properties data and data_1, each 'image/png'.
		await output.getByText('image_1.png').waitFor();
		await shot('3b-image-binary');
		await testId('ndv-view-binary-data').first().click();
		const picture = page.locator('img[src*="/binary-data"]').first();
		await picture.waitFor();
		expect(
			await picture.evaluate((image) => {
				const shown = image as unknown as { complete: boolean; naturalWidth: number };
				return shown.complete ? shown.naturalWidth : 0;
			}),
		).toBe(256);
		await shot('3c-image-view');
	});

	test("the credential's test succeeds against the stand-in, and fails clearly with a wrong token", async () => {
		await testId('credential-edit-button').first().click();
		await testId('credentials-config-container-test-success').waitFor();
		await shot('4-credential-ok');
		const tested = standin.requests.filter((request) => request.path === '/v1beta/models');
		expect(tested.at(-1)?.headers.authorization).toBe(`Bearer ${STANDIN_TOKEN}`);

		await page.locator('input[type="password"]').first().fill('wrong-token');
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		await page.getByText('Couldn’t connect with these settings').first().waitFor();
		await page.getByText('More details').first().click();
		await page.getByText('Unauthorized').first().waitFor();
		await shot('5-credential-wrong-token');
		const last = standin.requests.filter((request) => request.path === '/v1beta/models').at(-1);
		expect(last?.headers.authorization).toBe('Bearer wrong-token');
	});
});
