/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Runs only against n8n 1.x (jest.n8n1.config.js), where the AI node SDK is missing.
	testPathIgnorePatterns: ['/test/compat/'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	globalSetup: '<rootDir>/test/global-setup.js',
	// Workflow tests start n8n's engine and a local server; give them room on a 2-core machine.
	testTimeout: 30000,
};
