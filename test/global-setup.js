// The workflow tests load the package from dist/, as n8n does: build it once before they run.
const { build } = require('../gulpfile');

module.exports = () =>
	new Promise((resolve, reject) => build((error) => (error ? reject(error) : resolve())));
