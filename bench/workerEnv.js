'use strict';
// What every bench worker sets before n8n-core loads (like test/helpers/setupEnv.ts): a private
// n8n user folder, a fixed encryption key, no telemetry, filesystem binary data in `storageDir`.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Sets the environment; returns the user folder (the worker removes it when it is done with it). */
function prepareN8nEnv(prefix, storageDir) {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	process.env.N8N_USER_FOLDER = userFolder;
	process.env.N8N_ENCRYPTION_KEY = 'bench-encryption-key-not-secret';
	process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH = storageDir;
	return userFolder;
}

module.exports = { prepareN8nEnv };
