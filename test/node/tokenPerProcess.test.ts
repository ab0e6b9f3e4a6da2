// A queue-mode worker runs several executions at once. On n8n 2.8 the first token of a
// DingTalk credential is fetched by n8n (preAuthentication) and saved with the credential;
// executions that start before it is saved must wait for it rather than each fetch one,
// so a process asks DingTalk for a token at most once.
import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, runNode } from '../helpers/engine';
import { startStandIn } from '../standin/server';

const PNG = readFixture('image.png');

test('8 executions at once in one process, no stored token yet: one token call', async () => {
	const standIn = await startStandIn();
	try {
		standIn.dingTalk.addApp({ appKey: 'dingperprocess', appSecret: 'per-process-secret-0001' });
		const credentials = new CredentialStore({
			dingTalkApi: { appType: 'internal', appKey: 'dingperprocess', appSecret: 'per-process-secret-0001', robotCode: 'dingperprocess', baseUrl: standIn.dingTalkUrl },
		});
		const runs = await Promise.all(
			Array.from({ length: 8 }, async (_, index) => {
				const downloadCode = `PERPROCESS${index}`;
				standIn.dingTalk.addFile({ downloadCode, robotCode: 'dingperprocess', body: PNG });
				return await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode, options: {} }, credentials, binaryMode: 'memory' });
			}),
		);
		for (const run of runs) {
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(1);
		}
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(8);
	} finally {
		await standIn.close();
	}
});
