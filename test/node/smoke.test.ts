import { createHash } from 'crypto';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

let standIn: StandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());

test('smoke: DingTalk fields → PNG', async () => {
	standIn.dingTalk.addApp({ appKey: 'dingapp', appSecret: 'secret-value' });
	standIn.dingTalk.addFile({ downloadCode: 'CODE1', robotCode: 'dingapp', body: readFixture('image.png') });
	const credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: 'dingapp', appSecret: 'secret-value', baseUrl: standIn.dingTalkUrl } });
	for (const binaryMode of ['memory', 'filesystem'] as const) {
		const run = await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'CODE1' }, credentials, binaryMode });
		if (run.error) console.log(run.error);
		expect(run.error).toBeUndefined();
		const binary = run.items[0].binary!.data;
		console.log(binaryMode, binary, run.items[0].json);
		const bytes = await binaryBuffer(binary);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(readFixture('image.png')).digest('hex'));
	}
	expect(standIn.stats.dingTalkTokenCalls).toBe(1);
});
