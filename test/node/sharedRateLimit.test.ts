// Green-API's 5 downloadFile calls a second per instance, shared by processes that cannot
// see each other (n8n queue-mode workers). Each copy of the node keeps its own process
// under the limit; together they overshoot, and the node must absorb the 429s that causes:
// no 429 reaches the user, and the instance's capacity stays used (throughput within
// 10 % of the limit). Two copies of the BUILT node, each loaded in isolation (its own
// module-level limiter, as in a separate process), run batches at the same time.
import type { IDataObject, INodeType } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, runNode } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';
import { SlidingWindowLimiter } from '../../nodes/shared/transport/rateLimiter';
import { SharedRateLimit } from '../../nodes/shared/transport/sharedRateLimit';

const PNG = readFixture('image.png');
const CHAT = '79005@c.us';

function isolatedNodeCopy(): INodeType {
	let copy: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { DownloadMessageFile } = require('../../dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js') as {
			DownloadMessageFile: new () => INodeType;
		};
		copy = new DownloadMessageFile();
	});
	return copy!;
}

function greenCredentials(standIn: StandIn, idInstance: string, token: string): CredentialStore {
	return new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance, apiTokenInstance: token, messenger: 'whatsapp' },
	});
}

describe('Green-API limit shared by two processes', () => {
	test('2 × 60 items at once: no 429 surfaces, throughput within 10 % of 5/s', async () => {
		const standIn = await startStandIn({ rateLimitPerSecond: 5 });
		try {
			const idInstance = '1101777001';
			standIn.greenApi.addInstance({ idInstance, apiTokenInstance: 'sharedtoken1101777001', messenger: 'whatsapp' });
			const input = (worker: string): IDataObject[] =>
				Array.from({ length: 60 }, (_, index) => {
					const idMessage = `SHARED${worker}${index}`;
					standIn.greenApi.addFile({ idInstance, chatId: CHAT, idMessage, body: PNG, linkExtension: 'png' });
					return { idMessage };
				});
			const run = (nodeType: INodeType, worker: string) =>
				runNode({
					nodeType,
					parameters: { service: 'greenApi', source: 'fields', chatId: CHAT, idMessage: '={{ $json.idMessage }}', options: { concurrency: 10 } },
					input: input(worker),
					// Each process holds its own copy of the credential, as each worker reads it from the database.
					credentials: greenCredentials(standIn, idInstance, 'sharedtoken1101777001'),
					binaryMode: 'memory',
				});
			const [a, b] = await Promise.all([run(isolatedNodeCopy(), 'A'), run(isolatedNodeCopy(), 'B')]);
			for (const result of [a, b]) {
				expect(result.error).toBeUndefined();
				expect(result.items).toHaveLength(60);
				expect(result.items.every((item) => (item.json.messageFile as IDataObject)?.mimeType === 'image/png')).toBe(true);
			}
			const { greenDownloadFileCalls, rateLimited429 } = standIn.stats;
			expect(greenDownloadFileCalls).toBe(120 + rateLimited429);
			// Served files per second, as the instance saw them: every granted downloadFile call is
			// followed by one GET of its link. At exactly 5/s, 120 grants span 23 s (+1 s for the last window).
			const gets = standIn.requests.filter((request) => request.role === 'greenMedia').map((request) => request.at);
			expect(gets).toHaveLength(120);
			const seconds = (Math.max(...gets) - Math.min(...gets)) / 1000 + 1;
			const throughput = 120 / seconds;
			console.log(`[shared limit] 120 files from 2 processes: ${throughput.toFixed(2)} files/s over ${seconds.toFixed(1)} s, ${rateLimited429} 429s absorbed`);
			expect(rateLimited429).toBeGreaterThan(0); // the two processes did overshoot together
			expect(throughput).toBeGreaterThanOrEqual(4.5);
		} finally {
			await standIn.close();
		}
	}, 90_000);

	test('a 429 whose Retry-After is honoured before the next slot is taken', async () => {
		const standIn = await startStandIn({ rateLimitPerSecond: 1, retryAfterSeconds: 2 });
		try {
			const idInstance = '1101777002';
			standIn.greenApi.addInstance({ idInstance, apiTokenInstance: 'sharedtoken1101777002', messenger: 'whatsapp' });
			const credentials = greenCredentials(standIn, idInstance, 'sharedtoken1101777002');
			for (const idMessage of ['RA1', 'RA2']) standIn.greenApi.addFile({ idInstance, chatId: CHAT, idMessage, body: PNG, linkExtension: 'png' });
			const params = (idMessage: string) => ({ service: 'greenApi', source: 'fields', chatId: CHAT, idMessage });
			// Process B takes the instance's one slot; process A's call right after is refused with Retry-After: 2.
			const b = await runNode({ nodeType: isolatedNodeCopy(), parameters: params('RA1'), credentials, binaryMode: 'memory' });
			expect(b.error).toBeUndefined();
			const started = Date.now();
			const a = await runNode({ nodeType: isolatedNodeCopy(), parameters: { ...params('RA2'), options: { maxRetries: 1 } }, credentials, binaryMode: 'memory' });
			const ms = Date.now() - started;
			expect(a.error).toBeUndefined();
			expect(standIn.stats.rateLimited429).toBeGreaterThanOrEqual(1);
			expect(ms).toBeGreaterThanOrEqual(1_950);
		} finally {
			await standIn.close();
		}
	}, 30_000);
});

describe('SharedRateLimit', () => {
	const answer = (statusCode: number, headers: Record<string, unknown> = {}) => ({ statusCode, body: {}, headers });

	test('pause: Retry-After plus at most a quarter window of jitter; else a twentieth to a quarter of the window', () => {
		const limit = (random: number) => new SharedRateLimit(new SlidingWindowLimiter(5, 1000), 1000, { random: () => random });
		expect(limit(0).pauseAfter429(answer(429, { 'retry-after': '3' }))).toBe(3000);
		expect(limit(1).pauseAfter429(answer(429, { 'Retry-After': '3' }))).toBe(3250);
		expect(limit(0).pauseAfter429(answer(429))).toBe(50);
		expect(limit(1).pauseAfter429(answer(429))).toBe(250);
		expect(limit(0).pauseAfter429(answer(429, { 'retry-after': '600' }))).toBe(30_000);
	});

	test('a 429 with no success of this process around it goes back to the caller at once', async () => {
		const limit = new SharedRateLimit(new SlidingWindowLimiter(100, 1000), 100, { random: () => 0 });
		let calls = 0;
		const response = await limit.call('lonely', async () => {
			calls++;
			return answer(429);
		});
		expect(response.statusCode).toBe(429);
		expect(calls).toBe(1);
	});

	test('a 429 on a key this process was served on lately is waited out, without spending retries', async () => {
		const limit = new SharedRateLimit(new SlidingWindowLimiter(100, 1000), 100, { random: () => 0 });
		await limit.call('busy', async () => answer(200));
		let refused = 0;
		const response = await limit.call('busy', async () => (refused++ < 2 ? answer(429) : answer(200)));
		expect(response.statusCode).toBe(200);
		expect(refused).toBe(3);
	});

	test('the waiting is bounded by the time budget', async () => {
		const limit = new SharedRateLimit(new SlidingWindowLimiter(100, 1000), 100, { random: () => 0, maxContendedMs: 45 });
		await limit.call('busy', async () => answer(200));
		let tries = 0;
		const started = Date.now();
		const response = await limit.call('busy', async () => {
			tries++;
			return answer(429);
		});
		expect(response.statusCode).toBe(429);
		// Pauses of 5 ms: a few tries absorbed, then the 45 ms budget is spent.
		expect(tries).toBeGreaterThanOrEqual(3);
		expect(tries).toBeLessThanOrEqual(12);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	test("a process's retries go one at a time, in turn", async () => {
		const limit = new SharedRateLimit(new SlidingWindowLimiter(100, 1000), 100, { random: () => 0 });
		await limit.call('lane', async () => answer(200));
		let inFlight = 0;
		let most = 0;
		const triesOf = [0, 0, 0, 0];
		const calls = triesOf.map((_, index) =>
			limit.call('lane', async () => {
				inFlight++;
				most = Math.max(most, inFlight);
				await new Promise((resolve) => setTimeout(resolve, 5));
				inFlight--;
				return ++triesOf[index] < 3 ? answer(429) : answer(200);
			}),
		);
		const answers = await Promise.all(calls);
		expect(answers.every((a) => a.statusCode === 200)).toBe(true);
		expect(triesOf).toEqual([3, 3, 3, 3]);
		// The four first tries go out together (the limiter allows them); every retry waits its turn.
		expect(most).toBe(4);
	});
});
