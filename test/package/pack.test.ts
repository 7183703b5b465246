/**
 * What `npm publish` would ship: only the built package and its documents, no runtime
 * dependencies, within a size budget. n8n's verification guidelines ask for all three.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Budget: the packed tarball stays under 72 kB, unpacked under 240 kB. Both nodes require one
 * client core (dist/nodes/shared/index.js) instead of each bundling a copy: 40.8 kB packed,
 * 139 kB unpacked at the split (52 kB / 190 kB before), of which the README is 12 kB packed.
 * The request checks, rate limiting, media and hints work since, and the README that
 * documents it, brought it to 62.9 kB packed (the core 23.9 kB, the main node 12.2 kB, the
 * chat model 5.6 kB, the README 18.1 kB, each gzipped alone) and 212 kB unpacked.
 */
const MAX_PACKED_BYTES = 72 * 1024;
const MAX_UNPACKED_BYTES = 240 * 1024;

interface PackReport {
	size: number;
	unpackedSize: number;
	files: Array<{ path: string }>;
}

const report = (
	JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' }),
	) as PackReport[]
)[0];
const manifest = require(path.join(ROOT, 'package.json')) as Record<string, unknown>;

test('ships only dist, the README, the licence, the changelog and package.json', () => {
	const files = report.files.map((file) => file.path).sort();
	expect(files.filter((file) => !file.startsWith('dist/'))).toEqual([
		'CHANGELOG.md',
		'LICENSE',
		'README.md',
		'package.json',
	]);
	expect(files).toEqual(
		expect.arrayContaining([
			'dist/credentials/QuickrouterApi.credentials.js',
			'dist/nodes/QuickrouterGemini/QuickrouterGemini.node.js',
			'dist/nodes/QuickrouterGemini/QuickrouterGemini.node.json',
			'dist/nodes/shared/n8n/quickrouter.svg',
			'dist/nodes/shared/n8n/quickrouter.dark.svg',
			'dist/nodes/LmChatQuickrouterGemini/LmChatQuickrouterGemini.node.js',
			'dist/nodes/LmChatQuickrouterGemini/LmChatQuickrouterGemini.node.json',
			'dist/nodes/shared/index.js',
			'dist/licenses/eventsource-parser.LICENSE',
		]),
	);
	expect(files.some((file) => /\.(ts|map)$/.test(file))).toBe(false);
});

test('has no runtime dependencies; n8n-workflow and the optional AI node SDK are peers', () => {
	expect(manifest.dependencies ?? {}).toEqual({});
	expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*', '@n8n/ai-node-sdk': '*' });
	// Optional: npm does not install it beside the package; n8n provides its own (2.x).
	expect(manifest.peerDependenciesMeta).toEqual({ '@n8n/ai-node-sdk': { optional: true } });
	expect((manifest.n8n as { aiNodeSdkVersion?: number }).aiNodeSdkVersion).toBe(1);
});

test('neither node bundles a copy of n8n-workflow or the AI node SDK', () => {
	for (const file of report.files.filter((entry) => entry.path.endsWith('.node.js'))) {
		const code = readFileSync(path.join(ROOT, file.path), 'utf8');
		expect(code).not.toMatch(/class (BaseChatModel|LangchainChatModelAdapter)\b/);
		expect(code).not.toMatch(/class NodeApiError\b/);
	}
});

test('the client core is in one file: the nodes require it and bundle no copy of it', () => {
	const core = readFileSync(path.join(ROOT, 'dist/nodes/shared/index.js'), 'utf8');
	expect(core).toMatch(/function createParser\b/);
	expect(core).toMatch(/async function\* streamGenerateContent\b/);
	for (const file of report.files.filter((entry) => entry.path.endsWith('.node.js'))) {
		const code = readFileSync(path.join(ROOT, file.path), 'utf8');
		expect(code).toContain('require("../shared/index.js")');
		expect(code).not.toMatch(/function createParser\b|function\* streamGenerateContent\b/);
	}
});

test(`stays within the size budget (${MAX_PACKED_BYTES} B packed, ${MAX_UNPACKED_BYTES} B unpacked)`, () => {
	expect(report.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
	expect(report.unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
});

test('every file the n8n block names is in the package', () => {
	const block = manifest.n8n as { nodes: string[]; credentials: string[] };
	const files = new Set(report.files.map((file) => file.path));
	for (const file of [...block.nodes, ...block.credentials]) expect(files.has(file)).toBe(true);
});
