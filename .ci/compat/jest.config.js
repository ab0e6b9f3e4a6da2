// The repo's jest configuration, run against the newest n8n-core / n8n-workflow.
// COMPAT_MODULES (set by run.sh) is the node_modules folder of the compat install;
// the engine, the workflow library and the DI container the tests and dist/ import
// are taken from there instead of the repo's own node_modules.
const path = require('node:path');
const base = require('../../jest.config.js');

const modules = process.env.COMPAT_MODULES;
if (!modules) throw new Error('COMPAT_MODULES is not set: run .ci/compat/run.sh');
const pkg = (name) => path.join(modules, name);

// The test files whose outcome depends on the n8n-core / n8n-workflow version: engine calls and
// both binary modes, n8n's stored binaries read back, n8n's HTTP layer (errors, retries,
// multipart upload, streaming download), credentials' token renewal, the trigger and webhook
// contexts, the agent/tool path. The rest (pure functions, the stand-in's own tests, the
// package's own logic at the edges) runs once, in jest on n8n-core 2.8.1; why each is out:
// docs/development.md, "The compatibility step". COMPAT_ALL=1 runs every file.
const VERSION_DEPENDENT = [
	// engine calls, binary modes, what n8n stored
	'test/node/smoke.test.ts',
	'test/node/fixtures.test.ts',
	'test/node/bytePath.test.ts',
	'test/node/wholeFileType.test.ts',
	'test/node/binaryStorageLimit.test.ts',
	'test/unit/storedCopy.test.ts',
	// n8n's HTTP layer: errors, retries, timeouts, what an error carries, multipart uploads
	'test/node/apiErrors.test.ts',
	'test/node/hardening.test.ts',
	'test/node/secrets.test.ts',
	'test/unit/multipartBody.test.ts',
	'test/node/sendDingTalk.test.ts',
	'test/node/sendGreenApi.test.ts',
	// credentials: preAuthentication, token renewal
	'test/node/credentials.test.ts',
	'test/node/tokenPerProcess.test.ts',
	// the agent's tool path
	'test/node/agentTool.test.ts',
	// trigger activation, webhook and trigger contexts, WebSocket on Node 24
	'test/trigger/dingTalkTrigger.callback.test.ts',
	'test/trigger/dingTalkTrigger.stream.test.ts',
	'test/trigger/greenApiTrigger.webhook.test.ts',
	'test/trigger/greenApiTrigger.polling.test.ts',
	// Feishu: its downloads, sends and token through the engine, its trigger's contexts
	'test/node/feishu*.test.ts',
	'test/node/sendFeishu.test.ts',
	'test/trigger/feishu*.test.ts',
];

module.exports = {
	...base,
	...(process.env.COMPAT_ALL === '1' ? {} : { testMatch: VERSION_DEPENDENT.map((f) => `<rootDir>/${f}`) }),
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
