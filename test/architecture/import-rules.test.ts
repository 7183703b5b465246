/**
 * The direction of imports inside nodes/: the Gemini client core (nodes/shared) knows neither
 * node, the nodes never import each other, and the wire layer (nodes/shared/gemini) needs no
 * n8n at run time and nothing from the layers above it.
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

const inside = (file: string, folder: string) => file.startsWith(`${folder}/`);

/** Every rule an import breaks, in words. */
export function violations({ from, specifier, target, typeOnly }: Import): string[] {
	const found: string[] = [];
	const nodeOf = (file: string) => NODE_FOLDERS.find((folder) => inside(file, folder));
	if (target && inside(from, 'nodes/shared') && nodeOf(target)) {
		found.push(`the core imports the node folder ${nodeOf(target)}`);
	}
	if (target && nodeOf(from) && nodeOf(target) && nodeOf(from) !== nodeOf(target)) {
		found.push(`${nodeOf(from)} imports the other node, ${nodeOf(target)}`);
	}
	if (inside(from, 'nodes/shared/gemini')) {
		if (specifier === 'n8n-workflow' && !typeOnly) {
			found.push('the wire layer imports n8n-workflow at run time');
		}
		if (target && inside(target, 'nodes/shared') && !inside(target, 'nodes/shared/gemini')) {
			found.push(`the wire layer imports ${target}, a layer above it`);
		}
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

const imports = sourceFiles('nodes').flatMap((file) =>
	importsOf(file, readFileSync(path.join(ROOT, file), 'utf8')),
);

test('the imports of nodes/ are found (the scan itself works)', () => {
	expect(imports.length).toBeGreaterThan(50);
	expect(imports).toContainEqual(
		expect.objectContaining({
			from: 'nodes/QuickrouterGemini/generate.ts',
			target: 'nodes/shared/transport/generate-stream',
		}),
	);
});

test('no import in nodes/ breaks the direction rules', () => {
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
		'nodes/shared/n8n/x.ts',
		'../../LmChatQuickrouterGemini/chat-messages',
		'nodes/LmChatQuickrouterGemini/chat-messages',
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
	['nodes/shared/gemini/x.ts', 'n8n-workflow', undefined],
])('the rules catch %s importing %s', (from, specifier, target) => {
	expect(violations({ from, specifier, target, typeOnly: false })).not.toEqual([]);
});

test('allowed: a node importing the core, the wire layer importing n8n types', () => {
	const allowed: Import[] = [
		{
			from: 'nodes/QuickrouterGemini/x.ts',
			specifier: '../shared/transport/generate-stream',
			target: 'nodes/shared/transport/generate-stream',
			typeOnly: false,
		},
		{ from: 'nodes/shared/gemini/x.ts', specifier: 'n8n-workflow', typeOnly: true },
		{
			from: 'nodes/shared/transport/x.ts',
			specifier: '../gemini/sse-reader',
			target: 'nodes/shared/gemini/sse-reader',
			typeOnly: false,
		},
	];
	for (const entry of allowed) expect(violations(entry)).toEqual([]);
});
