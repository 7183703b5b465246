/**
 * The same tests against n8n's last 1.x libraries (test/compat/n8n-1): the package, the
 * harness and the tests resolve `n8n-workflow` and `n8n-core` to the 1.x copies.
 */
const path = require('node:path');

const base = require('./jest.config');
const n8n1 = path.join(__dirname, 'test/compat/n8n-1/node_modules');

module.exports = {
	...base,
	displayName: 'n8n 1.x',
	moduleNameMapper: {
		'^n8n-workflow$': path.join(n8n1, 'n8n-workflow'),
		'^n8n-core$': path.join(n8n1, 'n8n-core'),
		// n8n 1.x ships no AI node SDK: the chat model must say so, and the rest must still work.
		'^@n8n/ai-node-sdk$': path.join(n8n1, '@n8n/ai-node-sdk-is-not-in-n8n-1'),
	},
	// The chat model's own tests need the SDK; test/compat/without-sdk.test.ts runs instead.
	// The stand-in's contract test does not depend on n8n (and uses the SDK's schema helper).
	testPathIgnorePatterns: [
		'/test/package/',
		'chat-model\\.test',
		'chat-messages\\.test',
		'/test/standin/contract\\.test',
	],
	// n8n-core 1.x's HTTP helper leaves a handle open after any request (seen with nothing but
	// a credential test), so jest would wait for ever; 2.x does not.
	forceExit: true,
};
