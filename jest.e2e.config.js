/** The end-to-end suite (`npm run test:e2e`): the packed package inside the real n8n. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	testTimeout: 600000,
	maxWorkers: 1,
};
