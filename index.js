/**
 * The package's main, for programmatic use and tests: the node and credential classes, as
 * built into dist/ (npm run build). n8n itself loads the files package.json's `n8n` block
 * names; this exports the classes of those same files, by their class names:
 *
 *   const { QuickrouterGemini, LmChatQuickrouterGemini, QuickrouterApi } = require('n8n-nodes-quickrouter');
 */
const { n8n } = require('./package.json');

module.exports = Object.assign(
	{},
	...[...n8n.nodes, ...n8n.credentials].map((file) => require(`./${file}`)),
);
