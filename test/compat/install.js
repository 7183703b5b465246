// Installs n8n's last 1.x libraries for `npm run test:n8n1`, unless the installed copy already
// matches test/compat/n8n-1/package-lock.json. Scripts stay off, as for the main install.
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, 'n8n-1');
const installed = path.join(dir, 'node_modules/.package-lock.json');
const wanted = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).packages;
const upToDate =
	existsSync(installed) &&
	JSON.stringify(Object.keys(JSON.parse(readFileSync(installed, 'utf8')).packages).sort()) ===
		JSON.stringify(
			Object.keys(wanted)
				.filter((key) => key !== '')
				.sort(),
		);

if (!upToDate) {
	execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
		cwd: dir,
		stdio: 'inherit',
	});
}
