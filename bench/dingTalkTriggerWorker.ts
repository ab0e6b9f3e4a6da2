/**
 * The measuring side of bench/dingTalkTrigger.js, in its own process (bundled by esbuild):
 * the BUILT DingTalk Trigger activated through n8n-core's real TriggerContext, whose emit
 * records only an id and a time (n8n would start an execution there). The stand-in and
 * its Stream gateway run in another process, so their memory is not counted here.
 * Prints one JSON line of results.
 */
import { TriggerContext } from 'n8n-core';
import type { INode, INodeType, INodeTypes, IVersionedNodeType, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CredentialStore, TestCredentialsHelper } from '../test/helpers/credentialsHelper';
import { binaryDataService } from '../test/helpers/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DingTalkTrigger } = require('../dist/nodes/DingTalkTrigger/DingTalkTrigger.node.js') as { DingTalkTrigger: new () => INodeType };

interface Config {
	dingTalkUrl: string;
	streamGatewayUrl: string;
	appKey: string;
	appSecret: string;
	robotCode: string;
	latencyMessages: number;
	fileMessages: number;
	burst: number;
	memoryMessages: number;
	reconnects: number;
}

const config = JSON.parse(process.argv[2]) as Config;
const control = (route: string) => `${config.streamGatewayUrl.replace(/^ws:/, 'http:')}/__stream/${route}`;
const now = () => performance.timeOrigin + performance.now();
const MB = 1024 * 1024;

async function post(route: string, body: unknown): Promise<Record<string, unknown>> {
	const res = await fetch(control(route), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return (await res.json()) as Record<string, unknown>;
}

async function stats(): Promise<Record<string, number>> {
	return (await (await fetch(control('stats'))).json()) as Record<string, number>;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 5): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

let counter = 0;
function message(msgtype = 'text', content?: Record<string, unknown>): Record<string, unknown> {
	counter++;
	return {
		msgId: `bench${counter}-${Math.random().toString(36).slice(2, 10)}`,
		msgtype,
		conversationType: '1',
		conversationId: 'cidBench',
		senderNick: 'Bench',
		robotCode: config.robotCode,
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=bench',
		sentAt: now(),
		...(content ? { content } : { text: { content: `hello ${counter}` } }),
	};
}

function heap(): { heapMB: number; rssMB: number } {
	(global as { gc?: () => void }).gc?.();
	(global as { gc?: () => void }).gc?.();
	const usage = process.memoryUsage();
	return { heapMB: usage.heapUsed / MB, rssMB: usage.rss / MB };
}

async function main(): Promise<void> {
	await binaryDataService();
	const trigger = new DingTalkTrigger();
	const nodeTypes: INodeTypes = {
		getByName: (): INodeType | IVersionedNodeType => trigger,
		getByNameAndVersion: () => trigger,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'bench-trigger',
		name: 'DingTalk Trigger',
		type: 'n8n-nodes-message-files.dingTalkTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: { mode: 'stream', downloadFiles: true, options: {} },
		credentials: { dingTalkApi: { id: 'bench', name: 'bench' } },
	};
	const workflow = new Workflow({ id: 'bench', nodes: [node], connections: {}, active: true, nodeTypes });
	const credentials = new CredentialStore({
		dingTalkApi: { appType: 'internal', appKey: config.appKey, appSecret: config.appSecret, baseUrl: config.dingTalkUrl },
	});
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;

	// What n8n would start executions with: only ids and times are kept.
	const emittedAt = new Map<string, number>();
	let emits = 0;
	let files = 0;
	const context = new TriggerContext(workflow, node, additionalData, 'trigger', 'activate', (data) => {
		emits++;
		for (const item of data[0]) if (item.binary) files++;
		const first = data[0][0].json;
		emittedAt.set(String(first.msgId), now() - Number(first.sentAt));
	});
	const activatedAt = now();
	const response = await trigger.trigger!.call(context);
	const activationMs = now() - activatedAt;
	await post('options', { ackDeadlineMs: 10_000 });

	// 1. Latency, one message at a time.
	const latency: number[] = [];
	for (let i = 0; i < config.latencyMessages; i++) {
		const m = message();
		await post('deliver', { messages: [m] });
		await until(() => emittedAt.has(String(m.msgId)), 5_000, 'emit', 0.5);
		latency.push(emittedAt.get(String(m.msgId)) as number);
	}
	const fileLatency: number[] = [];
	for (let i = 0; i < config.fileMessages; i++) {
		const m = message('picture', { downloadCode: 'BENCH-PNG' });
		await post('deliver', { messages: [m] });
		await until(() => emittedAt.has(String(m.msgId)), 10_000, 'emit', 0.5);
		fileLatency.push(emittedAt.get(String(m.msgId)) as number);
	}

	// 2. A burst: all delivered at once.
	emittedAt.clear();
	const emitsBefore = emits;
	const burst = Array.from({ length: config.burst }, () => message());
	const burstStart = now();
	await post('deliver', { messages: burst });
	await until(() => emits - emitsBefore >= burst.length, 120_000, 'burst', 2);
	const burstMs = now() - burstStart;
	await until(async () => (await stats()).unacked === 0, 30_000, 'burst acks', 20);
	await new Promise((resolve) => setTimeout(resolve, 500));
	const burstLatency = [...emittedAt.values()];
	const burstResult = {
		messages: burst.length,
		executions: emits - emitsBefore,
		unique: burst.filter((m) => emittedAt.has(String(m.msgId))).length,
		ms: burstMs,
		perSecond: burst.length / (burstMs / 1000),
		p50: percentile(burstLatency, 50),
		p99: percentile(burstLatency, 99),
	};

	// 3. Memory over many messages, in batches.
	emittedAt.clear();
	const before = heap();
	const samples: Array<{ messages: number; heapMB: number; rssMB: number }> = [{ messages: 0, ...before }];
	const batch = 500;
	for (let sent = 0; sent < config.memoryMessages; sent += batch) {
		const target = emits + batch;
		await post('deliver', { messages: Array.from({ length: batch }, () => message()) });
		await until(() => emits >= target, 60_000, 'memory batch', 2);
		emittedAt.clear();
		if ((sent + batch) % 2_000 === 0) samples.push({ messages: sent + batch, ...heap() });
	}
	await until(async () => (await stats()).unacked === 0, 30_000, 'memory acks', 20);
	const after = heap();

	// 4. Reconnect after a drop (abrupt close) and after a disconnect frame.
	const reconnect = async (route: 'kill' | 'disconnect') => {
		const times: number[] = [];
		for (let i = 0; i < config.reconnects; i++) {
			const connections = (await stats()).connections;
			const start = now();
			await post(route, {});
			await until(async () => {
				const s = await stats();
				return s.liveConnections === 1 && s.connections > connections;
			}, 70_000, 'reconnect', 2);
			times.push(now() - start);
		}
		return times;
	};
	const afterKill = await reconnect('kill');
	const afterDisconnect = await reconnect('disconnect');
	const gatewayStats = await stats();

	await response.closeFunction?.();
	process.stdout.write(
		JSON.stringify({
			activationMs,
			latency: { messages: latency.length, p50: percentile(latency, 50), p99: percentile(latency, 99), max: Math.max(...latency) },
			fileLatency: { messages: fileLatency.length, p50: percentile(fileLatency, 50), p99: percentile(fileLatency, 99) },
			files,
			burst: burstResult,
			memory: { messages: config.memoryMessages, before, after, growthHeapMB: after.heapMB - before.heapMB, growthRssMB: after.rssMB - before.rssMB, samples },
			reconnect: {
				afterKill: { p50: percentile(afterKill, 50), max: Math.max(...afterKill), runs: afterKill.length },
				afterDisconnect: { p50: percentile(afterDisconnect, 50), max: Math.max(...afterDisconnect), runs: afterDisconnect.length },
			},
			gateway: { maxConcurrentConnections: gatewayStats.maxConcurrentConnections, redeliveries: gatewayStats.redeliveries, malformedAcks: gatewayStats.malformedAcks },
		}) + '\n',
	);
	process.exit(0);
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
});
