/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	globalSetup: '<rootDir>/test/global-setup.js',
	// Workflow tests start n8n's engine and a local server; give them room on a 2-core machine.
	testTimeout: 30000,
};
