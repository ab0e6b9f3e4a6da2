// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('n8n-core/package.json') as { version: string };

const [major, minor] = version.split('.').map(Number);

/** The n8n-core the suite runs against (2.8 here; the newest in the compat run). */
export const n8nCoreVersion = version;

/**
 * n8n 2.41+ honours preAuthenticationRetryStatusCode: told that DingTalk's 400 means an
 * expired token, n8n itself renews the token, saves it with the credential and repeats
 * the request. Older n8n only does that after a 401.
 */
export const n8nRenewsTokenOn400 = major > 2 || (major === 2 && minor >= 41);

/** n8n-core 2.41+ removes the partly written file when a stream fails in filesystem mode. */
export const n8nRemovesPartialFiles = n8nRenewsTokenOn400;
