/**
 * What `npm publish` would ship: only the built package and its documents, no runtime
 * dependencies, within a size budget. n8n's verification guidelines ask for all three.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Budget: the packed tarball stays under 40 kB, unpacked under 160 kB (now about a third). */
const MAX_PACKED_BYTES = 40 * 1024;
const MAX_UNPACKED_BYTES = 160 * 1024;

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
			'dist/nodes/QuickrouterGemini/quickrouter.svg',
			'dist/nodes/QuickrouterGemini/quickrouter.dark.svg',
			'dist/licenses/eventsource-parser.LICENSE',
		]),
	);
	expect(files.some((file) => /\.(ts|map)$/.test(file))).toBe(false);
});

test('has no runtime dependencies, and n8n-workflow only as a peer', () => {
	expect(manifest.dependencies ?? {}).toEqual({});
	expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
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
