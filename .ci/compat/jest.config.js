// The repo's jest configuration, run against the newest n8n-core / n8n-workflow.
// COMPAT_MODULES (set by run.sh) is the node_modules folder of the compat install;
// the engine, the workflow library and the DI container the tests and dist/ import
// are taken from there instead of the repo's own node_modules.
const path = require('node:path');
const base = require('../../jest.config.js');

const modules = process.env.COMPAT_MODULES;
if (!modules) throw new Error('COMPAT_MODULES is not set: run .ci/compat/run.sh');
const pkg = (name) => path.join(modules, name);

module.exports = {
	...base,
	rootDir: process.env.COMPAT_REPO ?? path.resolve(__dirname, '../..'),
	moduleNameMapper: {
		...(base.moduleNameMapper ?? {}),
		'^n8n-workflow$': pkg('n8n-workflow'),
		'^n8n-workflow/(.*)$': `${pkg('n8n-workflow')}/$1`,
		'^n8n-core$': pkg('n8n-core'),
		'^n8n-core/(.*)$': `${pkg('n8n-core')}/$1`,
		'^@n8n/di$': pkg('@n8n/di'),
		// n8n 2.41+ makes its HTTP requests here (the multipart test calls it as nodes do).
		'^@n8n/backend-network$': pkg('@n8n/backend-network'),
	},
	// Its own cache: the repo's run and this one transform the same files against different libraries.
	cacheDirectory: path.join(modules, '..', '.jest-cache'),
};
