/**
 * Build: the Gemini client core (nodes/shared, eventsource-parser bundled in) becomes one
 * CommonJS file, dist/nodes/shared/index.js; each node listed in package.json's `n8n` block
 * becomes one CommonJS file that requires that core instead of bundling a copy, and each
 * credential one file of its own (n8n-workflow and the AI node SDK are left to n8n); icons and
 * codex files are copied.
 */
const { dest, parallel, series, src } = require('gulp');
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const pkg = require('./package.json');

const PARSER_LICENSE = 'dist/licenses/eventsource-parser.LICENSE';
const CORE_SOURCE = 'nodes/shared/index.ts';
const CORE_DIST = 'dist/nodes/shared/index.js';
const SHARED_DIR = path.resolve('nodes/shared');

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

const COMMON = {
	bundle: true,
	write: false,
	metafile: true,
	platform: 'node',
	format: 'cjs',
	target: 'node18',
	// import() would load the SDK's ESM build, a second copy beside the CommonJS one n8n
	// itself uses; as require() it is n8n's own instance.
	supported: { 'dynamic-import': false },
	// n8n provides these at run time; bundling them would ship a second copy.
	external: ['n8n-workflow', '@n8n/ai-node-sdk'],
	legalComments: 'inline',
	logLevel: 'warning',
};

async function emit(distPath, options) {
	const result = await esbuild.build({ ...COMMON, ...options });
	fs.mkdirSync(path.dirname(distPath), { recursive: true });
	fs.writeFileSync(distPath, bannerFor(distPath, result.metafile) + result.outputFiles[0].text);
	return result.metafile;
}

/**
 * In a node's bundle, every import of a core module becomes `require` of the one core file.
 * A core module the core's index does not re-export would be missing at run time: that fails
 * the build instead.
 */
function coreAsExternal(distPath, coreInputs) {
	const relative = path.posix.relative(path.posix.dirname(distPath), CORE_DIST);
	const core = relative.startsWith('.') ? relative : `./${relative}`;
	return {
		name: 'core-as-external',
		setup(build) {
			build.onResolve({ filter: /^\.\.?\// }, (args) => {
				if (args.importer.startsWith(SHARED_DIR)) return undefined;
				const target = path.resolve(args.resolveDir, args.path);
				if (!target.startsWith(`${SHARED_DIR}${path.sep}`)) return undefined;
				const module = `${path.relative('.', target)}.ts`;
				if (!coreInputs.has(module)) {
					return { errors: [{ text: `${module} is not re-exported by ${CORE_SOURCE}` }] };
				}
				return { path: core, external: true };
			});
		},
	};
}

async function bundle() {
	const coreMeta = await emit(CORE_DIST, { entryPoints: [CORE_SOURCE] });
	const coreInputs = new Set(Object.keys(coreMeta.inputs));
	await Promise.all([
		...pkg.n8n.nodes.map((distPath) =>
			emit(distPath, {
				entryPoints: [sourceOf(distPath)],
				plugins: [coreAsExternal(distPath, coreInputs)],
			}),
		),
		// A credential bundles the little of the core it uses (the Base URL rules): n8n loads
		// credentials apart from the nodes, and a credential's file need not load the whole core.
		...pkg.n8n.credentials.map((distPath) => emit(distPath, { entryPoints: [sourceOf(distPath)] })),
	]);
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
