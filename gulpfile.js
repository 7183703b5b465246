/**
 * Build: each node and credential listed in package.json's `n8n` block becomes one
 * self-contained CommonJS file in dist/ (eventsource-parser bundled in, n8n-workflow left to
 * n8n), and the icons and codex files are copied next to them.
 */
const { dest, parallel, series, src } = require('gulp');
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const pkg = require('./package.json');

const PARSER_LICENSE = 'dist/licenses/eventsource-parser.LICENSE';

/** dist/nodes/X/X.node.js -> nodes/X/X.node.ts */
function sourceOf(distPath) {
	return distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

function clean(done) {
	fs.rmSync('dist', { recursive: true, force: true });
	done();
}

/** Keeps the notice of a bundled third-party package at the top of the file that contains it. */
function bannerFor(distPath, metafile) {
	const bundlesParser = Object.keys(metafile.inputs).some((input) =>
		input.includes('node_modules/eventsource-parser/'),
	);
	const license = path.posix.relative(path.posix.dirname(distPath), PARSER_LICENSE);
	return `/*! ${pkg.name} ${pkg.version} (MIT)${bundlesParser ? `. Bundles eventsource-parser (MIT, see ${license})` : ''}. */\n`;
}

async function bundle() {
	const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
	await Promise.all(
		entries.map(async (distPath) => {
			const result = await esbuild.build({
				entryPoints: [sourceOf(distPath)],
				bundle: true,
				write: false,
				metafile: true,
				platform: 'node',
				format: 'cjs',
				target: 'node18',
				// import() would load the SDK's ESM build, a second copy beside the CommonJS one
				// n8n itself uses; as require() it is n8n's own instance.
				supported: { 'dynamic-import': false },
				// n8n provides these at run time; bundling them would ship a second copy.
				external: ['n8n-workflow', '@n8n/ai-node-sdk'],
				legalComments: 'inline',
				logLevel: 'warning',
			});
			fs.mkdirSync(path.dirname(distPath), { recursive: true });
			fs.writeFileSync(distPath, bannerFor(distPath, result.metafile) + result.outputFiles[0].text);
		}),
	);
}

function copyAssets() {
	return src(['nodes/**/*.{svg,png}', 'nodes/**/*.node.json', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

function copyLicense(done) {
	fs.mkdirSync(path.dirname(PARSER_LICENSE), { recursive: true });
	fs.copyFileSync(
		require.resolve('eventsource-parser/package.json').replace(/package\.json$/, 'LICENSE'),
		PARSER_LICENSE,
	);
	done();
}

exports.build = series(clean, parallel(bundle, copyAssets, copyLicense));
exports.default = exports.build;
