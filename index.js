// n8n finds the node and the credential through the `n8n` block of package.json;
// this entry point exists only so that `require('n8n-nodes-quickrouter')` resolves.
module.exports = {};
