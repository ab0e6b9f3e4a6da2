// Entry point of the local stand-in: five real HTTP listeners on 127.0.0.1
// (DingTalk API, its OSS file host, Green-API, Green media host, Feishu/Lark Open API) sharing one
// stats object and one request log. See README.md.
import { DingTalkStandIn } from './dingtalk';
import { FeishuStandIn, type FeishuAppInput, type FeishuChatInput, type FeishuMessageFileInput, type FeishuUserInput } from './feishu';
import { GreenApiStandIn } from './greenapi';
import { CONTROL_PREFIX, listen, sendJson, type Handler, type Listener, type RecordedRequest } from './listener';
import type { QueueFault, WebhookDeliveryOptions } from './notificationQueue';
import type { Fault } from './faults';
import { emptyStats, resetStatsInPlace, type StandInStats } from './stats';

export { DEFAULT_CORP_ID, DingTalkStandIn } from './dingtalk';
export type { DingTalkAppInput, DingTalkFileInput, DingTalkSuiteInput } from './dingtalk';
export { DINGTALK_UPLOAD_RULES } from './dingtalkSend';
export type { DingTalkSentMessage, DingTalkUpload, DingTalkUploadType } from './dingtalkSend';
export { GreenApiStandIn } from './greenapi';
export { FEISHU_LIMITS, FeishuStandIn } from './feishu';
export type {
	ContentDispositionForm,
	FeishuAppInput,
	FeishuChatInput,
	FeishuFault,
	FeishuMessageFileInput,
	FeishuResourceRefusal,
	FeishuRoute,
	FeishuSentMessage,
	FeishuUpload,
	FeishuUserInput,
} from './feishu';
export { GreenNotificationQueues } from './notificationQueue';
export type { InstanceSettings, QueueFault, QueueFaults, WebhookDelivery, WebhookDeliveryOptions } from './notificationQueue';
export type { GreenFileInput, GreenInstanceInput, GreenInstanceState, GreenMessageRef, GreenMessenger, GreenSendMethod, GreenSentMessage } from './greenapi';
export { bodySize, fileBodySha256, generatedBytes, generatedBytesSha256, type FileBody } from './bytes';
export { GREEN_QUOTA_EXCEEDED_BODY, presetFaults } from './faults';
export type { ApiFault, CustomFileAnswer, Fault, FileFaultKind } from './faults';
export type { HostRole, RecordedRequest } from './listener';
export type { StandInStats } from './stats';

export interface StandInOptions {
	/** DingTalk token lifetime, enforced and reported as expireIn. Default 7200. */
	dingTalkTokenLifetimeSeconds?: number;
	/** Lifetime of OSS links (their Expires). Default 3600. */
	ossLinkLifetimeSeconds?: number;
	/** Green-API downloadFile calls allowed per instance in any 1 s window. Default: no limit. */
	rateLimitPerSecond?: number;
	/** Green-API sendMessage calls allowed per instance in any 1 s window. Default: no limit. */
	greenSendRateLimitPerSecond?: number;
	/** Retry-After on Green-API 429s. Default: none (like the real API). */
	retryAfterSeconds?: number;
	/** Status of an expired Green media link. Default 403. */
	greenExpiredLinkStatus?: 403 | 404;
	/** receiveNotification + deleteNotification calls allowed per instance per second. Default: no limit. */
	greenQueueRateLimitPerSecond?: number;
	/** Feishu tenant token lifetime in seconds (enforced). Default 7200. */
	feishuTokenLifetimeSeconds?: number;
	/** Feishu messages per second per chat or user (230020 above); 0 = off. Default 5. */
	feishuChatRateLimitPerSecond?: number;
	/** Feishu calls per second per app per API (429 99991400 above); 0 = off. Default 50. */
	feishuAppRateLimitPerSecond?: number;
}

export interface StandIn {
	dingTalkUrl: string;
	ossUrl: string;
	greenApiUrl: string;
	greenMediaUrl: string;
	/** Feishu and Lark Open API (the credential's base URL); also `POST /callback/ws/endpoint` once a gateway plugs in. */
	feishuUrl: string;
	/** Where /__standin/stats, /expire-tokens, /expire-links, /reset-stats, /requests live (the DingTalk listener). */
	controlUrl: string;
	dingTalk: DingTalkStandIn;
	greenApi: GreenApiStandIn;
	feishu: FeishuStandIn;
	/** Live counters (same object across resetStats()). */
	readonly stats: StandInStats;
	/** Every request received (control endpoints excepted), in order. */
	readonly requests: RecordedRequest[];
	/** Zero the counters and empty `requests`. */
	resetStats(): void;
	/** Stop all listeners, destroying open (stalled) sockets. */
	close(): Promise<void>;
}

interface EveryNth {
	every: number;
	fault: QueueFault;
	/** Consecutive calls that fail from each multiple of `every` on (default 1). */
	times?: number;
}

function everyNth(rule: EveryNth | undefined): ((call: number) => QueueFault | undefined) | undefined {
	if (!rule || !(rule.every > 0)) return undefined;
	const times = Math.max(1, rule.times ?? 1);
	return (call) => (call >= rule.every && call % rule.every < times ? rule.fault : undefined);
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
	const stats = emptyStats();
	const requests: RecordedRequest[] = [];
	const closing = new AbortController();
	let seq = 0;
	const record = (r: Omit<RecordedRequest, 'seq'>) => void requests.push({ seq: ++seq, ...r });

	const dingTalk = new DingTalkStandIn(
		stats,
		{
			tokenLifetimeSeconds: options.dingTalkTokenLifetimeSeconds ?? 7200,
			linkLifetimeSeconds: options.ossLinkLifetimeSeconds ?? 3600,
		},
		closing.signal,
	);
	const greenApi = new GreenApiStandIn(
		stats,
		{
			rateLimitPerSecond: options.rateLimitPerSecond,
			sendRateLimitPerSecond: options.greenSendRateLimitPerSecond,
			retryAfterSeconds: options.retryAfterSeconds,
			expiredLinkStatus: options.greenExpiredLinkStatus ?? 403,
		},
		closing.signal,
	);
	greenApi.queues.options = { rateLimitPerSecond: options.greenQueueRateLimitPerSecond };
	const feishu = new FeishuStandIn(
		stats,
		{
			tokenLifetimeSeconds: options.feishuTokenLifetimeSeconds,
			chatRateLimitPerSecond: options.feishuChatRateLimitPerSecond,
			appRateLimitPerSecond: options.feishuAppRateLimitPerSecond,
		},
		closing.signal,
	);

	const resetStats = () => {
		resetStatsInPlace(stats);
		requests.length = 0;
	};

	// Control endpoints for out-of-process use (cli.ts); they ride on the DingTalk listener.
	const control: Handler = (ctx) => {
		const route = `${ctx.req.method} ${ctx.url.pathname.slice(CONTROL_PREFIX.length)}`;
		switch (route) {
			case 'GET stats':
				return sendJson(ctx.res, 200, stats);
			case 'GET requests':
				return sendJson(ctx.res, 200, requests);
			case 'POST expire-tokens':
				dingTalk.expireTokens();
				feishu.expireTokens();
				return sendJson(ctx.res, 200, { ok: true });
			case 'POST expire-links':
				dingTalk.expireLinks();
				greenApi.expireDirectLinks();
				return sendJson(ctx.res, 200, { ok: true });
			case 'POST green-notify': {
				// {idInstance, body, options?}: Green-API's delivery (webhook when a URL is set, else the queue).
				const input = JSON.parse(ctx.body.toString('utf8')) as { idInstance: string; body: Record<string, unknown>; options?: WebhookDeliveryOptions };
				return void greenApi.queues.notify(input.idInstance, input.body, input.options).then(
					(outcome) => sendJson(ctx.res, 200, outcome),
					(error: Error) => sendJson(ctx.res, 500, { error: error.message }),
				);
			}
			case 'POST green-queue-faults': {
				// {idInstance, receive?: {every, fault}, delete?: {every, fault}, slowMs?}: every n-th call fails.
				const input = JSON.parse(ctx.body.toString('utf8')) as { idInstance: string; receive?: EveryNth; delete?: EveryNth; slowMs?: number };
				greenApi.queues.setFaults(input.idInstance, { receive: everyNth(input.receive), delete: everyNth(input.delete), slowMs: input.slowMs });
				return sendJson(ctx.res, 200, { ok: true });
			}
			case 'POST green-settings': {
				const input = JSON.parse(ctx.body.toString('utf8')) as { idInstance: string; settings: Record<string, unknown> };
				greenApi.queues.updateSettings(input.idInstance, input.settings);
				return sendJson(ctx.res, 200, greenApi.queues.settingsOf(input.idInstance));
			}
			case 'GET green-queue': {
				const idInstance = ctx.url.searchParams.get('idInstance') ?? '';
				return sendJson(ctx.res, 200, {
					pending: greenApi.queues.pending(idInstance),
					deleted: greenApi.queues.deletedReceipts(idInstance),
					deliveries: greenApi.queues.deliveries(idInstance),
					settings: greenApi.queues.settingsOf(idInstance),
					// Long polls open right now, all instances: how many processes are reading queues.
					waitingPolls: greenApi.queues.waitingPolls,
				});
			}
			case 'POST green-add-file': {
				// fault: a Fault of faults.ts (e.g. {slowBytesPerSecond}), for a file host at the edges.
				const input = JSON.parse(ctx.body.toString('utf8')) as { idInstance: string; chatId: string; idMessage: string; base64: string; linkExtension?: string; fault?: Fault };
				const { directUrl } = greenApi.addFile({ idInstance: input.idInstance, chatId: input.chatId, idMessage: input.idMessage, body: Buffer.from(input.base64, 'base64'), linkExtension: input.linkExtension, fault: input.fault });
				return sendJson(ctx.res, 200, { directUrl });
			}
			case 'GET green-sent':
				// Green-API's accepted sends (file bytes left out: the sha256 and size say enough) and the call counters.
				return sendJson(ctx.res, 200, {
					sent: greenApi.sent.map((sent) => ({ ...sent, fileBytes: undefined })),
					sendCalls: greenApi.sendCalls,
					uploadBytesReceived: greenApi.uploadBytesReceived,
				});
			case 'GET dingtalk-sent':
				return sendJson(ctx.res, 200, dingTalk.send.summary());
			case 'POST dingtalk-send-config': {
				// {invalidStaffIds?, flowControlledStaffIds?, groups?: [{openConversationId, robotCodes}]}
				const input = JSON.parse(ctx.body.toString('utf8')) as { invalidStaffIds?: string[]; flowControlledStaffIds?: string[]; groups?: Array<{ openConversationId: string; robotCodes: string[] }> };
				for (const id of input.invalidStaffIds ?? []) dingTalk.send.invalidStaffIds.add(id);
				for (const id of input.flowControlledStaffIds ?? []) dingTalk.send.flowControlledStaffIds.add(id);
				for (const group of input.groups ?? []) dingTalk.send.addGroup(group.openConversationId, group.robotCodes);
				return sendJson(ctx.res, 200, { ok: true });
			}
			case 'POST feishu-setup': {
				// {apps?, users?, chats?, messages?: [{messageId, chatId}], files?: [{…, base64 | size+seed}], expireTokens?,
				//  rateLimits?: {perChat?, perApp?}, contentDisposition?, failNext?: [{route, status, body?, headers?, times?}]}
				const input = JSON.parse(ctx.body.toString('utf8')) as FeishuSetup;
				applyFeishuSetup(feishu, input);
				return sendJson(ctx.res, 200, { ok: true });
			}
			case 'GET feishu-sent':
				// Feishu's accepted messages, uploads (bytes left out) and call counters.
				return sendJson(ctx.res, 200, {
					sent: feishu.sent,
					uploads: feishu.uploads.map((upload) => ({ ...upload, bytes: undefined })),
					calls: feishu.calls,
					uploadBytesReceived: feishu.uploadBytesReceived,
				});
			case 'POST feishu-reset-sends':
				feishu.resetSends();
				return sendJson(ctx.res, 200, { ok: true });
			case 'POST reset-stats':
				resetStats();
				return sendJson(ctx.res, 200, { ok: true });
			default:
				return sendJson(ctx.res, 404, { error: `unknown control route ${route}` });
		}
	};

	const listeners: Listener[] = [];
	try {
		const dingTalkListener = await listen(
			'dingTalk',
			(ctx) => (ctx.url.pathname.startsWith(CONTROL_PREFIX) ? control(ctx) : dingTalk.handleApi(ctx)),
			record,
		);
		listeners.push(dingTalkListener);
		const oss = await listen('oss', dingTalk.handleOss, record);
		listeners.push(oss);
		const greenApiListener = await listen('greenApi', greenApi.handleApi, record);
		listeners.push(greenApiListener);
		const greenMedia = await listen('greenMedia', greenApi.handleMedia, record, { streamsBody: GreenApiStandIn.streamsBody, keepAliveTimeoutMs: 60_000 });
		listeners.push(greenMedia);
		const feishuListener = await listen('feishu', feishu.handleApi, record, { streamsBody: FeishuStandIn.streamsBody, keepAliveTimeoutMs: 60_000 });
		listeners.push(feishuListener);
		feishu.url = feishuListener.url;
		feishu.server = feishuListener.server;

		dingTalk.apiUrl = dingTalkListener.url;
		dingTalk.ossUrl = oss.url;
		greenApi.apiUrl = greenApiListener.url;
		greenApi.mediaUrl = greenMedia.url;
	} catch (err) {
		await Promise.all(listeners.map((l) => l.close()));
		throw err;
	}
	const [dingTalkListener, oss, greenApiListener, greenMedia, feishuListener] = listeners as [Listener, Listener, Listener, Listener, Listener];

	return {
		dingTalkUrl: dingTalkListener.url,
		ossUrl: oss.url,
		greenApiUrl: greenApiListener.url,
		greenMediaUrl: greenMedia.url,
		feishuUrl: feishuListener.url,
		controlUrl: dingTalkListener.url,
		dingTalk,
		greenApi,
		feishu,
		stats,
		requests,
		resetStats,
		close: async () => {
			if (closing.signal.aborted) return;
			closing.abort(); // ends throttled writes and their timers
			await Promise.all(listeners.map((l) => l.close()));
		},
	};
}

type JsonFileBody = { size: number; seed?: number } | { base64: string } | { text: string };

/** What `POST /__standin/feishu-setup` and cli.ts's `feishu` config key take. */
export interface FeishuSetup {
	apps?: FeishuAppInput[];
	users?: FeishuUserInput[];
	chats?: FeishuChatInput[];
	messages?: Array<{ messageId: string; chatId: string }>;
	files?: Array<Omit<FeishuMessageFileInput, 'body'> & { body: JsonFileBody }>;
	expireTokens?: boolean;
	rateLimits?: { perChat?: number; perApp?: number };
	contentDisposition?: FeishuStandIn['contentDisposition'];
	failNext?: Array<Parameters<FeishuStandIn['failNext']>[1] & { route: Parameters<FeishuStandIn['failNext']>[0] }>;
}

export function applyFeishuSetup(feishu: FeishuStandIn, setup: FeishuSetup): void {
	for (const app of setup.apps ?? []) feishu.addApp(app);
	for (const user of setup.users ?? []) feishu.addUser(user);
	for (const chat of setup.chats ?? []) feishu.addChat(chat);
	for (const message of setup.messages ?? []) feishu.addMessage(message);
	for (const file of setup.files ?? []) {
		const body = file.body;
		feishu.addMessageFile({
			...file,
			body: 'size' in body ? { size: body.size, seed: body.seed } : 'base64' in body ? Buffer.from(body.base64, 'base64') : Buffer.from(body.text, 'utf8'),
		});
	}
	if (setup.expireTokens) feishu.expireTokens();
	if (setup.rateLimits) feishu.setRateLimits(setup.rateLimits);
	if (setup.contentDisposition) feishu.contentDisposition = setup.contentDisposition;
	for (const { route, ...fault } of setup.failNext ?? []) feishu.failNext(route, fault);
}
