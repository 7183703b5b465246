/**
 * What `npm publish` would ship: only the built package, its main and its documents, no
 * runtime dependencies, within a size budget. n8n's verification guidelines ask for all three.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Budget: the packed tarball stays under 89 KiB, unpacked under 295 KiB, about 6 % above
 * what it measures now, so that an unexpected addition (a bundled copy of a dependency, a stray
 * file) fails here while ordinary work fits. Measured with issue 21's levers (Service Tier,
 * Cached Content, Response JSON Schema, Media Resolution, the image settings' full lists, the
 * chat model's built-in tools), the real-network bench's README paragraph and the ingest
 * work's reader (issue 22): 85,247 B packed, 284,047 B unpacked.
 * Before issue 21: 74,486 B packed, 248,371 B unpacked. When the core was split into its
 * layers and index.js added: 71,297 B packed, 238,338 B unpacked. The 40 kB target of an
 * earlier restructure is withdrawn: the request checks, rate limits, quotas, media, hints and
 * cost levers added since, and the README that documents them, outgrew it.
 */
const MAX_PACKED_BYTES = 89 * 1024;
const MAX_UNPACKED_BYTES = 295 * 1024;

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

test('ships only dist, index.js, the README, the licence, the changelog and package.json', () => {
	const files = report.files.map((file) => file.path).sort();
	expect(files.filter((file) => !file.startsWith('dist/'))).toEqual([
		'CHANGELOG.md',
		'LICENSE',
		'README.md',
		'index.js',
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

test("the package's main, index.js, exports the class of every file the n8n block names", () => {
	expect(manifest.main).toBe('index.js');
	const block = manifest.n8n as { nodes: string[]; credentials: string[] };
	const main = require(path.join(ROOT, 'index.js')) as Record<string, new () => object>;
	const classes = [...block.nodes, ...block.credentials].map(
		(file) => Object.entries(require(path.join(ROOT, file)) as Record<string, unknown>)[0],
	);
	expect(Object.keys(main).sort()).toEqual(classes.map(([name]) => name).sort());
	for (const [name, built] of classes) expect(main[name]).toBe(built);
	const { QuickrouterGemini, LmChatQuickrouterGemini, QuickrouterApi } = main;
	expect(new QuickrouterGemini()).toMatchObject({ description: { name: 'quickrouterGemini' } });
	expect(new LmChatQuickrouterGemini()).toMatchObject({
		description: { name: 'lmChatQuickrouterGemini' },
	});
	expect(new QuickrouterApi()).toMatchObject({ name: 'quickrouterApi' });
});

test('every file the n8n block names is in the package', () => {
	const block = manifest.n8n as { nodes: string[]; credentials: string[] };
	const files = new Set(report.files.map((file) => file.path));
	for (const file of [...block.nodes, ...block.credentials]) expect(files.has(file)).toBe(true);
});
