/**
 * The Gemini client core, as one module: the build emits it once (dist/nodes/shared/index.js)
 * and both node files require it, instead of each bundling a copy. Listed by layer, each
 * importing only the ones above it here: gemini <- runtime <- transport <- parameters.
 */
export * from './gemini/answer-collector';
export * from './gemini/candidates';
export * from './gemini/finish-reasons';
export * from './gemini/json';
export * from './gemini/quota-failure';
export * from './gemini/rpc-status';
export * from './gemini/server-text';
export * from './gemini/sse-reader';
export * from './gemini/tool-combination';
export * from './gemini/types';
export * from './gemini/usage';
export * from './runtime/blocked-prompt';
export * from './runtime/context';
export * from './runtime/errors';
export * from './runtime/wait';
export * from './transport/api-request';
export * from './transport/credentials';
export * from './transport/failures';
export * from './transport/generate-stream';
export * from './transport/http-stream';
export * from './transport/models';
export * from './transport/rate-limiter';
export * from './transport/rate-limits';
export * from './transport/retry-policy';
export * from './parameters/checks';
export * from './parameters/descriptions';
export * from './parameters/generation-settings';
export * from './parameters/json-parameter';
export * from './parameters/list-search';
export * from './parameters/node-parameter';
export * from './parameters/readers';
