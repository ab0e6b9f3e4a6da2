// Runs before any test module loads n8n-core: give n8n a private, throw-away user folder.
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const userFolder = mkdtempSync(join(tmpdir(), 'n8n-message-files-test-'));
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_ENCRYPTION_KEY = 'test-encryption-key-not-secret';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
process.env.N8N_BINARY_DATA_STORAGE_PATH = join(userFolder, 'binaryData');
