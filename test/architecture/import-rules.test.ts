/**
 * The direction of imports inside nodes/: the Gemini client core (nodes/shared) knows neither
 * node, the nodes never import each other, and inside the core each layer imports only the
 * layers below it: gemini (the wire format, no n8n at run time) <- runtime (what of n8n the
 * transport needs) <- transport <- parameters. The credential imports no node either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface Import {
	/** The importing file, relative to the project root. */
	from: string;
	/** The specifier as written. */
	specifier: string;
	/** The imported file's path relative to the project root, for relative specifiers. */
	target?: string;
	typeOnly: boolean;
}

const NODE_FOLDERS = ['nodes/QuickrouterGemini', 'nodes/LmChatQuickrouterGemini'];

/** The core's layers, lowest first: each may import only those before it (and itself). */
const LAYERS = ['gemini', 'runtime', 'transport', 'parameters'];

/** The core's own files outside the layers: its index, which re-exports them all. */
const CORE_ROOT_FILES = ['nodes/shared/index.ts'];

const inside = (file: string, folder: string) => file.startsWith(`${folder}/`);

/** The layer of a core file (its folder under nodes/shared), or undefined outside the core. */
function layerOf(file: string): string | undefined {
	if (!inside(file, 'nodes/shared')) return undefined;
	return file.slice('nodes/shared/'.length).split('/')[0];
}

/** Every rule an import breaks, in words. */
export function violations({ from, specifier, target, typeOnly }: Import): string[] {
	const found: string[] = [];
	const nodeOf = (file: string) => NODE_FOLDERS.find((folder) => inside(file, folder));
	if (target && inside(from, 'nodes/shared') && nodeOf(target)) {
		found.push(`the core imports the node folder ${nodeOf(target)}`);
	}
	if (target && inside(from, 'credentials') && nodeOf(target)) {
		found.push(`the credential imports the node folder ${nodeOf(target)}`);
	}
	if (target && nodeOf(from) && nodeOf(target) && nodeOf(from) !== nodeOf(target)) {
		found.push(`${nodeOf(from)} imports the other node, ${nodeOf(target)}`);
	}
	const layer = layerOf(from);
	if (layer !== undefined && !CORE_ROOT_FILES.includes(from) && !LAYERS.includes(layer)) {
		found.push(`${from} is in the core but in none of its layers (${LAYERS.join(', ')})`);
	}
	if (layer === 'gemini' && specifier === 'n8n-workflow' && !typeOnly) {
		found.push('the wire layer imports n8n-workflow at run time');
	}
	const targetLayer = target === undefined ? undefined : layerOf(target);
	if (
		LAYERS.includes(layer ?? '') &&
		targetLayer !== undefined &&
		LAYERS.indexOf(targetLayer) > LAYERS.indexOf(layer ?? '')
	) {
		found.push(`the ${layer} layer imports ${target}, a layer above it`);
	}
	return found;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm;
const DYNAMIC = /\b(?:import|require)\(\s*'([^']+)'\s*\)/g;

function importsOf(file: string, source: string): Import[] {
	const resolve = (specifier: string) =>
		specifier.startsWith('.')
			? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier))
			: undefined;
	const found: Import[] = [];
	for (const match of source.matchAll(IMPORT)) {
		const specifier = match[3];
		found.push({ from: file, specifier, target: resolve(specifier), typeOnly: !!match[2] });
	}
	for (const match of source.matchAll(DYNAMIC)) {
		found.push({ from: file, specifier: match[1], target: resolve(match[1]), typeOnly: false });
	}
	return found;
}

function sourceFiles(folder: string): string[] {
	return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
		.filter((name) => name.endsWith('.ts'))
		.map((name) => path.posix.join(folder, name.split(path.sep).join('/')));
}

const imports = [...sourceFiles('nodes'), ...sourceFiles('credentials')].flatMap((file) =>
	importsOf(file, readFileSync(path.join(ROOT, file), 'utf8')),
);

test('the imports of nodes/ and credentials/ are found (the scan itself works)', () => {
	expect(imports.length).toBeGreaterThan(50);
	for (const [from, target] of [
		['nodes/QuickrouterGemini/generate.ts', 'nodes/shared/transport/generate-stream'],
		['nodes/shared/transport/generate-stream.ts', 'nodes/shared/runtime/wait'],
		['nodes/shared/parameters/readers.ts', 'nodes/shared/transport/retry-policy'],
		['credentials/QuickrouterApi.credentials.ts', 'nodes/shared/transport/credentials'],
	]) {
		expect(imports).toContainEqual(expect.objectContaining({ from, target }));
	}
});

test('every layer of the core has files, and every core file is in a layer', () => {
	const coreFiles = sourceFiles('nodes/shared');
	for (const layer of LAYERS) {
		expect(coreFiles.some((file) => inside(file, `nodes/shared/${layer}`))).toBe(true);
	}
	const outside = coreFiles.filter(
		(file) => !CORE_ROOT_FILES.includes(file) && !LAYERS.includes(layerOf(file) ?? ''),
	);
	expect(outside).toEqual([]);
});

test('no import in nodes/ or credentials/ breaks the direction rules', () => {
	const broken = imports.flatMap((entry) =>
		violations(entry).map((problem) => `${entry.from} -> '${entry.specifier}': ${problem}`),
	);
	expect(broken).toEqual([]);
});

test.each([
	[
		'nodes/shared/transport/x.ts',
		'../../QuickrouterGemini/output',
		'nodes/QuickrouterGemini/output',
	],
	[
		'nodes/shared/parameters/x.ts',
		'../../LmChatQuickrouterGemini/chat-messages',
		'nodes/LmChatQuickrouterGemini/chat-messages',
	],
	[
		'credentials/x.credentials.ts',
		'../nodes/QuickrouterGemini/description',
		'nodes/QuickrouterGemini/description',
	],
	[
		'nodes/QuickrouterGemini/x.ts',
		'../LmChatQuickrouterGemini/chat-model',
		'nodes/LmChatQuickrouterGemini/chat-model',
	],
	[
		'nodes/LmChatQuickrouterGemini/x.ts',
		'../QuickrouterGemini/request',
		'nodes/QuickrouterGemini/request',
	],
	['nodes/shared/gemini/x.ts', '../transport/http-stream', 'nodes/shared/transport/http-stream'],
	['nodes/shared/gemini/x.ts', '../runtime/errors', 'nodes/shared/runtime/errors'],
	['nodes/shared/gemini/x.ts', 'n8n-workflow', undefined],
	['nodes/shared/runtime/x.ts', '../transport/failures', 'nodes/shared/transport/failures'],
	['nodes/shared/runtime/x.ts', '../parameters/readers', 'nodes/shared/parameters/readers'],
	[
		'nodes/shared/transport/x.ts',
		'../parameters/generation-settings',
		'nodes/shared/parameters/generation-settings',
	],
	['nodes/shared/n8n/x.ts', '../gemini/types', 'nodes/shared/gemini/types'],
	['nodes/shared/x.ts', './gemini/types', 'nodes/shared/gemini/types'],
])('the rules catch %s importing %s', (from, specifier, target) => {
	expect(violations({ from, specifier, target, typeOnly: false })).not.toEqual([]);
});

test('a layer importing one above it is named as such', () => {
	expect(
		violations({
			from: 'nodes/shared/transport/http-stream.ts',
			specifier: '../parameters/readers',
			target: 'nodes/shared/parameters/readers',
			typeOnly: true,
		}),
	).toEqual(['the transport layer imports nodes/shared/parameters/readers, a layer above it']);
});

test('allowed: a node importing the core, a layer importing those below it, the index importing all', () => {
	const allowed: Array<[string, string]> = [
		['nodes/QuickrouterGemini/x.ts', 'nodes/shared/transport/generate-stream'],
		['nodes/LmChatQuickrouterGemini/x.ts', 'nodes/shared/parameters/descriptions'],
		['nodes/shared/transport/x.ts', 'nodes/shared/gemini/sse-reader'],
		['nodes/shared/transport/x.ts', 'nodes/shared/runtime/wait'],
		['nodes/shared/runtime/x.ts', 'nodes/shared/gemini/answer-collector'],
		['nodes/shared/parameters/x.ts', 'nodes/shared/transport/retry-policy'],
		['nodes/shared/parameters/x.ts', 'nodes/shared/runtime/errors'],
		['nodes/shared/parameters/x.ts', 'nodes/shared/parameters/descriptions'],
		['nodes/shared/index.ts', 'nodes/shared/parameters/readers'],
		['credentials/x.credentials.ts', 'nodes/shared/transport/credentials'],
	];
	for (const [from, target] of allowed) {
		expect(violations({ from, specifier: target, target, typeOnly: false })).toEqual([]);
	}
	expect(
		violations({ from: 'nodes/shared/gemini/x.ts', specifier: 'n8n-workflow', typeOnly: true }),
	).toEqual([]);
});
