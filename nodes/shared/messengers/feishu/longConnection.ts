import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { sendApiRequest } from '../../transport/apiResponse';
import { MessageFileError } from '../../transport/errors';
import { feishuBaseUrl } from './api';
import type { Frame } from './frames';
import { FRAME_METHOD, FRAME_TYPE, decodeFrame, encodeFrame, headerRecord } from './frames';

/**
 * Feishu's long connection (长连接), as the official SDK's WSClient speaks it: an endpoint
 * request hands out a WebSocket URL and the client config; on the socket the client pings at
 * the server's interval, the server's pong may change the config, events arrive as data frames
 * (possibly in fragments) and each is acknowledged by sending its frame back with a result.
 * This file knows the frames and the endpoint; the socket's life is the shared socket client's.
 */

export const ENDPOINT_PATH = '/callback/ws/endpoint';
/** The SDK waits 15 s for the endpoint; so do we. */
export const ENDPOINT_TIMEOUT_MS = 15_000;
const USER_AGENT = 'n8n-nodes-message-files/feishuTrigger';

/** Fragments of an event not complete after this long are dropped (the SDK's 10 s sweep). */
export const FRAGMENT_TTL_MS = 10_000;
/** No frame for this many ping intervals: the connection is dead (a live one answers every ping). */
export const SILENT_AFTER_PING_INTERVALS = 2.5;

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/** The server's say on pings and reconnects, in milliseconds (Feishu sends seconds). */
export interface ClientConfig {
	pingIntervalMs: number;
	/** Reconnect attempts before giving up; negative: never give up. */
	reconnectCount: number;
	reconnectIntervalMs: number;
	/** Before the first attempt after a drop: a random wait up to this, so a cluster does not reconnect at once. */
	reconnectNonceMs: number;
}

/** The SDK's values until the endpoint says otherwise. */
export const DEFAULT_CLIENT_CONFIG: ClientConfig = {
	pingIntervalMs: 120_000,
	reconnectCount: -1,
	reconnectIntervalMs: 120_000,
	reconnectNonceMs: 30_000,
};

export interface LongConnectionEndpoint {
	/** wss:// URL. It authorises the connection: never logged. */
	url: string;
	deviceId: string;
	/** Echoed in every ping frame. */
	serviceId: number;
	config: ClientConfig;
}

/** Endpoint codes, in plain words. `retry`: trying again later can help. */
const ENDPOINT_CODES: Record<number, { message: string; description: string; retry: boolean }> = {
	1: {
		message: 'Feishu\'s long-connection gateway is busy (code 1, "system busy")',
		description: 'A passing condition at Feishu: the trigger tries again by itself.',
		retry: true,
	},
	403: {
		message: 'Feishu refused the long connection for this app (code 403, "forbidden")',
		description:
			'Long connection works only for custom (self-built) apps: in the Developer Console, Events & Callbacks → Event Configuration, choose "Receive events through persistent connection". Store apps, and Lark apps whose console offers no such choice, must use Mode: Webhook.',
		retry: false,
	},
	514: {
		message: 'Feishu rejected the App ID or App Secret (code 514, "auth failed")',
		description: "Copy the App ID and App Secret again from the app's Credentials & Basic Info page in the Feishu Developer Console into the credential.",
		retry: false,
	},
	1000040343: {
		message: "Feishu's long-connection gateway had an internal error (code 1000040343)",
		description: 'A passing condition at Feishu: the trigger tries again by itself.',
		retry: true,
	},
	1000040350: {
		message: 'This Feishu app already holds the most long connections Feishu allows (code 1000040350: 50 per app)',
		description:
			"Every active workflow with a Feishu Trigger in long-connection mode holds one connection, and so does every other program using the app's long connection (the official SDK, other n8n instances). Deactivate some of them, or use Mode: Webhook. Note that Feishu gives each event to only one connection of the app.",
		retry: false,
	},
};

function appCredentials(credentials: ICredentialDataDecryptedObject): { appId: string; appSecret: string } {
	const appId = String(credentials.appId ?? '').trim();
	const appSecret = String(credentials.appSecret ?? '').trim();
	if (!appId || !appSecret) {
		throw new MessageFileError(`The Feishu credential has no ${appId ? 'App Secret' : 'App ID'}`, {
			kind: 'input',
			description: "The long connection signs in with the app's App ID and App Secret, from its Credentials & Basic Info page in the Feishu Developer Console.",
		});
	}
	return { appId, appSecret };
}

/** A positive number of seconds from the server, in ms; otherwise the current value stays. */
function secondsToMs(value: unknown, current: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value * 1000 : current;
}

/** ClientConfig as Feishu sends it (`PingInterval`, … in seconds), over `current`. */
export function readClientConfig(raw: unknown, current: ClientConfig): ClientConfig {
	if (!raw || typeof raw !== 'object') return current;
	const record = raw as Record<string, unknown>;
	return {
		pingIntervalMs: secondsToMs(record.PingInterval, current.pingIntervalMs),
		reconnectCount: typeof record.ReconnectCount === 'number' && Number.isInteger(record.ReconnectCount) ? record.ReconnectCount : current.reconnectCount,
		reconnectIntervalMs: secondsToMs(record.ReconnectInterval, current.reconnectIntervalMs),
		reconnectNonceMs: typeof record.ReconnectNonce === 'number' && record.ReconnectNonce >= 0 ? record.ReconnectNonce * 1000 : current.reconnectNonceMs,
	};
}

/**
 * `device_id` and `service_id` from the URL's query. The SDK parses the whole URL string with
 * `qs`, so a parameter in first place would be missed there; here every place works.
 */
function connectionIds(url: string): { deviceId: string; serviceId: number } | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return undefined;
	}
	if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') return undefined;
	const serviceId = Number(parsed.searchParams.get('service_id') ?? '');
	return { deviceId: parsed.searchParams.get('device_id') ?? '', serviceId: Number.isFinite(serviceId) ? serviceId : 0 };
}

/** Asks Feishu where to connect. Errors name Feishu's code in plain words and never carry the secret or the URL. */
export async function requestEndpoint(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
	current: ClientConfig = DEFAULT_CLIENT_CONFIG,
	timeoutMs = ENDPOINT_TIMEOUT_MS,
): Promise<LongConnectionEndpoint> {
	const { appId, appSecret } = appCredentials(credentials);
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${feishuBaseUrl(credentials)}${ENDPOINT_PATH}`,
		// `locale` is read by the gateway (the SDK sends it).
		headers: { locale: 'zh', 'User-Agent': USER_AGENT, Accept: 'application/json' },
		body: { AppID: appId, AppSecret: appSecret },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
	};
	const response = await sendApiRequest(async () => await httpRequest(request), "Feishu's long-connection gateway");
	const body = (response.body && typeof response.body === 'object' ? response.body : {}) as { code?: unknown; msg?: unknown; data?: unknown };
	const code = typeof body.code === 'number' ? body.code : undefined;
	if (code !== undefined && code !== 0) {
		const known = ENDPOINT_CODES[code];
		const said = typeof body.msg === 'string' && body.msg ? `: ${body.msg.slice(0, 200)}` : '';
		throw new MessageFileError(known?.message ?? `Feishu's long-connection gateway refused the connection (code ${code}${said})`, {
			kind: 'api',
			httpCode: response.statusCode,
			apiCode: String(code),
			description: known?.description ?? 'Look the code up in the Feishu Open Platform documentation; the trigger tries again by itself.',
			retryable: known?.retry ?? true,
		});
	}
	if (response.statusCode !== 200 || code === undefined) {
		throw new MessageFileError(`Feishu's long-connection gateway answered HTTP ${response.statusCode} without a result code`, {
			kind: 'api',
			httpCode: response.statusCode,
			description: "Check the Base URL in the credential: it must be Feishu's Open API host (https://open.feishu.cn, https://open.larksuite.com for Lark) or a proxy that passes /callback/ws/endpoint through.",
			retryable: response.statusCode === 0 || response.statusCode === 429 || response.statusCode >= 500,
		});
	}
	const data = (body.data && typeof body.data === 'object' ? body.data : {}) as { URL?: unknown; ClientConfig?: unknown };
	const ids = typeof data.URL === 'string' ? connectionIds(data.URL) : undefined;
	if (typeof data.URL !== 'string' || !ids) {
		throw new MessageFileError("Feishu's long-connection gateway gave no WebSocket URL", {
			kind: 'api',
			httpCode: response.statusCode,
			description: 'Check the Base URL in the credential: a proxy in front of Feishu must pass the gateway answer through unchanged.',
		});
	}
	return { url: data.URL, ...ids, config: readClientConfig(data.ClientConfig, current) };
}

/**
 * Feishu said no for a reason that retrying will not change (wrong secret, not allowed, too many
 * connections), or the credential lacks a field. Network failures and other answers are retried.
 */
export function isLastingRefusal(error: unknown): boolean {
	if (!(error instanceof MessageFileError)) return false;
	if (error.details.kind === 'input') return true;
	const known = ENDPOINT_CODES[Number(error.details.apiCode)];
	return known !== undefined && !known.retry;
}

/**
 * The waits between reconnect attempts, as the ClientConfig says: a random part of
 * ReconnectNonce before the first, ReconnectInterval between the next ones, and no more
 * attempts after ReconnectCount (negative: unlimited). `undefined` = give up.
 */
export function reconnectDelayMs(config: ClientConfig, failedAttempts: number, random: () => number = Math.random): number | undefined {
	if (config.reconnectCount >= 0 && failedAttempts >= Math.max(1, config.reconnectCount)) return undefined;
	if (failedAttempts === 0) return Math.round(random() * config.reconnectNonceMs);
	return config.reconnectIntervalMs;
}

/** One event, reassembled: its envelope (`{schema, header, event}`) and what its acknowledgement echoes. */
export interface LongConnectionEvent {
	/** The frame header `message_id` (the delivery's id; the event's own ids are in the envelope). */
	messageId: string;
	envelope: IDataObject;
	/** The frame that completed the event (its last fragment): the acknowledgement is this frame sent back. */
	frame: Frame;
	receivedAt: number;
}

export type LongConnectionAction =
	/** A whole event: acknowledged and handed to the trigger. */
	| { action: 'handle'; message: LongConnectionEvent }
	/** Sent back at once without handing anything on (an event that cannot be read). */
	| { action: 'reply'; data: Uint8Array }
	| { action: 'ignore' };

export interface LongConnectionLogger {
	debug(message: string): void;
	warn(message: string): void;
}

interface PartialEvent {
	parts: Array<Uint8Array | undefined>;
	firstAt: number;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function toBytes(data: unknown): Uint8Array | undefined {
	if (data instanceof Uint8Array) return data;
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) {
		// `ws` may hand a fragmented message over as its parts.
		return concat(data as Uint8Array[]);
	}
	return undefined;
}

function concat(parts: Uint8Array[]): Uint8Array {
	const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
	const joined = new Uint8Array(total);
	let offset = 0;
	for (const part of parts) {
		joined.set(part, offset);
		offset += part.byteLength;
	}
	return joined;
}

/**
 * One socket's frames: reads what the gateway sends, builds pings and acknowledgements.
 * Shares `settings.config` with the client that made it, so a pong's config reaches the
 * next ping and the reconnect policy.
 */
export class LongConnectionProtocol {
	readonly binaryType = 'arraybuffer' as const;

	private readonly partial = new Map<string, PartialEvent>();

	constructor(
		private readonly endpoint: LongConnectionEndpoint,
		private readonly settings: { config: ClientConfig },
		private readonly logger: LongConnectionLogger,
	) {}

	get url(): string {
		return this.endpoint.url;
	}

	pingEveryMs(): number {
		return this.settings.config.pingIntervalMs;
	}

	silenceMs(): number {
		return this.settings.config.pingIntervalMs * SILENT_AFTER_PING_INTERVALS;
	}

	/** `{SeqID: 0, LogID: 0, service, method: control, headers: [type: ping]}`, no payload. */
	ping(): Uint8Array {
		this.sweep(Date.now());
		return encodeFrame({
			seqId: 0,
			logId: 0,
			service: this.endpoint.serviceId,
			method: FRAME_METHOD.control,
			headers: [{ key: 'type', value: FRAME_TYPE.ping }],
		});
	}

	/** The event's frame sent back with `biz_rt` (ms spent) and payload `{"code":200}`. */
	answer(event: LongConnectionEvent): Uint8Array {
		return encodeFrame({
			...event.frame,
			headers: [...event.frame.headers, { key: 'biz_rt', value: String(Math.max(0, Date.now() - event.receivedAt)) }],
			payload: utf8Encoder.encode(JSON.stringify({ code: 200 })),
		});
	}

	read(data: unknown): LongConnectionAction {
		const now = Date.now();
		this.sweep(now);
		const bytes = toBytes(data);
		if (!bytes) {
			this.logger.warn('Feishu long connection: dropped a frame that was not binary');
			return { action: 'ignore' };
		}
		const decoded = decodeFrame(bytes);
		if (!decoded.ok) {
			this.logger.warn(`Feishu long connection: dropped a frame it could not read: ${decoded.reason}`);
			return { action: 'ignore' };
		}
		const { frame } = decoded;
		const headers = headerRecord(frame);
		if (frame.method === FRAME_METHOD.control) {
			if (headers.type === FRAME_TYPE.pong && frame.payload?.byteLength) this.takePong(frame.payload);
			return { action: 'ignore' };
		}
		if (frame.method !== FRAME_METHOD.data) return { action: 'ignore' };
		if (headers.type === FRAME_TYPE.card) {
			// Card callbacks are for interactive cards, which this node sends none of. The official
			// SDK (1.74) leaves them unanswered too, so Feishu sees what it sees from any SDK app.
			this.logger.debug(`Feishu long connection: card callback ${headers.message_id ?? ''} ignored`);
			return { action: 'ignore' };
		}
		if (headers.type !== FRAME_TYPE.event) return { action: 'ignore' };
		return this.takeEventFragment(frame, headers, now);
	}

	private takePong(payload: Uint8Array): void {
		try {
			this.settings.config = readClientConfig(JSON.parse(utf8Decoder.decode(payload)), this.settings.config);
		} catch {
			this.logger.warn('Feishu long connection: a pong carried a config that is not JSON; kept the current one');
		}
	}

	private takeEventFragment(frame: Frame, headers: Record<string, string>, now: number): LongConnectionAction {
		const messageId = headers.message_id ?? '';
		// A frame without `sum`/`seq` is a whole event.
		const sum = headers.sum === undefined ? 1 : Number(headers.sum);
		const seq = headers.seq === undefined ? 0 : Number(headers.seq);
		if (!Number.isInteger(sum) || sum < 1 || !Number.isInteger(seq) || seq < 0 || seq >= sum) {
			this.logger.warn(`Feishu long connection: dropped event ${messageId} with invalid fragment numbers (sum ${headers.sum}, seq ${headers.seq})`);
			return { action: 'ignore' };
		}
		const payload = frame.payload ?? new Uint8Array();
		let whole: Uint8Array;
		if (sum === 1) {
			whole = payload;
		} else {
			let entry = this.partial.get(messageId);
			if (entry && entry.parts.length !== sum) {
				this.logger.warn(`Feishu long connection: dropped event ${messageId}: its fragments disagree on their count (${entry.parts.length}, ${sum})`);
				this.partial.delete(messageId);
				return { action: 'ignore' };
			}
			if (!entry) {
				entry = { parts: new Array<Uint8Array | undefined>(sum).fill(undefined), firstAt: now };
				this.partial.set(messageId, entry);
			}
			entry.parts[seq] = payload;
			if (entry.parts.some((part) => part === undefined)) return { action: 'ignore' };
			this.partial.delete(messageId);
			whole = concat(entry.parts as Uint8Array[]);
		}
		let envelope: unknown;
		try {
			envelope = JSON.parse(utf8Decoder.decode(whole));
		} catch {
			envelope = undefined;
		}
		if (!envelope || typeof envelope !== 'object' || Array.isArray(envelope)) {
			// Answered all the same: Feishu would only send the same bytes again.
			this.logger.warn(`Feishu long connection: event ${messageId} is not a JSON object; acknowledged and skipped`);
			return { action: 'reply', data: this.answer({ messageId, envelope: {}, frame, receivedAt: now }) };
		}
		return { action: 'handle', message: { messageId, envelope: envelope as IDataObject, frame, receivedAt: now } };
	}

	/** Events whose fragments did not all arrive within FRAGMENT_TTL_MS are forgotten (Feishu sends them again). */
	private sweep(now: number): void {
		for (const [messageId, entry] of this.partial) {
			if (now - entry.firstAt <= FRAGMENT_TTL_MS) continue;
			this.partial.delete(messageId);
			this.logger.debug(`Feishu long connection: incomplete event ${messageId} dropped after ${FRAGMENT_TTL_MS / 1000} s`);
		}
	}

	/** Events waiting for more fragments (for tests). */
	get incompleteEvents(): number {
		return this.partial.size;
	}
}
