/**
 * `npm run scan`: n8n's community-package scanner (@n8n/scan-community-package), run on this
 * package's TypeScript sources and on the packed tarball exactly as n8n scans a published
 * package. Its CLI only scans what is on the registry, so its analyzePackage is called here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

async function main() {
	const scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-quickrouter-scan-'));
	const [{ filename }] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], {
			cwd: ROOT,
			encoding: 'utf8',
		}),
	) as Array<{ filename: string }>;
	execFileSync('tar', ['-xzf', path.join(packDir, filename), '-C', packDir]);

	const legs: Array<[string, string, string[]]> = [
		['TypeScript sources', ROOT, scanner.SOURCE_FILE_PATTERNS],
		[`packed tarball ${filename}`, path.join(packDir, 'package'), ['**/*.js', 'package.json']],
	];
	let failed = false;
	for (const [label, dir, patterns] of legs) {
		const result = await scanner.analyzePackage(dir, patterns);
		console.log(
			`${result.passed ? 'PASS' : 'FAIL'} n8n community scanner on the ${label}${result.message ? `: ${result.message}` : ''}`,
		);
		if (!result.passed) {
			failed = true;
			console.log(result.details ?? '');
		}
	}
	process.exit(failed ? 1 : 0);
}

void main();
