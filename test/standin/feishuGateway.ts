// Feishu's long-connection gateway, as the official SDK (@larksuiteoapi/node-sdk 1.74.0) meets it
// (/work/shared/facts/feishu.md §4): `POST /callback/ws/endpoint` on the Feishu Open API stand-in's
// listener hands out a WebSocket URL and the ClientConfig; WebSocket upgrades on the same listener
// speak protobuf `pbbp2.Frame`s. Pings are answered with a pong carrying the ClientConfig; each
// event goes to ONE random open connection of its app (cluster mode), optionally in fragments sent
// out of order; an event not acknowledged within `redeliverAfterMs` is sent again (Feishu: 15 s).
// Faults: refused endpoint requests (514, 1000040350, ...), dropped or silent connections, raw bytes.
// The frames are built with protobufjs's reflection (not the node's hand-written codec), so the SDK
// test proves the wire format independently.
// Control routes under /__standin/feishu-ws/ on the same listener drive it from another process.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import protobuf from 'protobufjs';
import { WebSocketServer, type WebSocket } from 'ws';

import type { FeishuStandIn } from './feishu';
import { parseJsonObject, sendJson, type RequestContext } from './listener';

export const ENDPOINT_PATH = '/callback/ws/endpoint';
const SOCKET_PATH = '/ws/v2';
const CONTROL = '/__standin/feishu-ws/';

/** pbbp2 as the SDK's generated code declares it (proto2, every scalar required). */
const root = protobuf.Root.fromJSON({
	nested: {
		pbbp2: {
			nested: {
				Header: { fields: { key: { rule: 'required', type: 'string', id: 1 }, value: { rule: 'required', type: 'string', id: 2 } } },
				Frame: {
					fields: {
						SeqID: { rule: 'required', type: 'uint64', id: 1 },
						LogID: { rule: 'required', type: 'uint64', id: 2 },
						service: { rule: 'required', type: 'int32', id: 3 },
						method: { rule: 'required', type: 'int32', id: 4 },
						headers: { rule: 'repeated', type: 'Header', id: 5 },
						payload_encoding: { type: 'string', id: 6 },
						payload_type: { type: 'string', id: 7 },
						payload: { type: 'bytes', id: 8 },
						LogIDNew: { type: 'string', id: 9 },
					},
				},
			},
		},
	},
});
const FrameType = root.lookupType('pbbp2.Frame');

export interface WireFrame {
	SeqID: number;
	LogID: number;
	service: number;
	method: number;
	headers: Array<{ key: string; value: string }>;
	payload?: Uint8Array;
}

export function encodeWireFrame(frame: WireFrame): Uint8Array {
	return FrameType.encode(FrameType.fromObject(frame)).finish();
}

export function decodeWireFrame(bytes: Uint8Array): WireFrame {
	const message = FrameType.decode(bytes);
	return FrameType.toObject(message, { longs: Number, defaults: false, arrays: true }) as WireFrame;
}

function headerOf(frame: WireFrame, key: string): string | undefined {
	return frame.headers.find((header) => header.key === key)?.value;
}

/** ClientConfig as Feishu sends it: seconds (fractions allowed here, so tests run fast). */
export interface GatewayClientConfig {
	PingInterval: number;
	ReconnectCount: number;
	ReconnectInterval: number;
	ReconnectNonce: number;
}

export interface FeishuGatewayOptions {
	/** In the endpoint answer. Default: Feishu's usual 120 s ping, unlimited reconnects, 120 s interval, 30 s nonce. */
	clientConfig?: GatewayClientConfig;
	/** In pongs (default: clientConfig). */
	pongConfig?: GatewayClientConfig;
	/** Send an unacknowledged event again after this long (Feishu: 15 s). Default 15 000. */
	redeliverAfterMs?: number;
	/** Give up on an event after this many deliveries. Default 5. */
	maxDeliveries?: number;
	/** Connections per app (Feishu: 50); one more is refused with 1000040350. */
	maxConnectionsPerApp?: number;
}

export interface GatewayConnection {
	id: string;
	appId: string;
	deviceId: string;
	serviceId: number;
	socket: WebSocket;
	openedAt: number;
	/** When each ping arrived. */
	pings: number[];
	/** Sends and answers nothing while set. */
	silent: boolean;
	/** Event frames (fragments counted once per event) delivered here. */
	events: number;
}

export interface GatewayAck {
	messageId: string;
	connectionId: string;
	/** `code` of the ack payload. */
	code: number | undefined;
	/** `biz_rt` header as sent. */
	bizRt: string | undefined;
	/** ms from the event's (last) frame going out to the ack arriving. */
	latencyMs: number;
	at: number;
	/** SeqID, LogID, service and every header of the last frame sent came back. */
	echoed: boolean;
}

interface PendingEvent {
	appId: string;
	messageId: string;
	payload: Buffer;
	fragments: number;
	order: 'inOrder' | 'reverse';
	deliveries: number;
	nextAt: number;
	sentAt: number;
	/** The frame the client must echo (the last one sent). */
	lastFrame?: WireFrame;
	connectionId?: string;
	acked: boolean;
}

export interface PushOptions {
	/** Split the payload into this many frames (`sum`/`seq` headers). Default 1. */
	fragments?: number;
	/** Send fragments last-first (the client must reorder). Default inOrder. */
	order?: 'inOrder' | 'reverse';
	messageId?: string;
	/** Frame `type` header (default 'event'; 'card' for a card callback). */
	type?: 'event' | 'card';
}

interface EndpointRefusal {
	code: number;
	msg: string;
	times: number;
}

const DEFAULT_CONFIG: GatewayClientConfig = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };

export class FeishuGateway {
	readonly connections: GatewayConnection[] = [];
	readonly acks: GatewayAck[] = [];
	/** Endpoint requests, any outcome (bodies with the secret replaced by its length). */
	readonly endpointRequests: Array<{ at: number; headers: Record<string, unknown>; appId: unknown; code: number }> = [];
	/** Frames the gateway could not decode, and acks for events it never sent. */
	malformedFrames = 0;
	strayAcks = 0;
	/** Every connection ever accepted. */
	accepted = 0;
	/** Most connections of one app open at once. */
	maxConcurrentPerApp = 0;

	private readonly options: Required<Omit<FeishuGatewayOptions, 'pongConfig'>> & { pongConfig?: GatewayClientConfig };
	private readonly pending = new Map<string, PendingEvent>();
	private readonly tickets = new Map<string, { appId: string; deviceId: string; serviceId: number; used: boolean }>();
	private readonly refusals: EndpointRefusal[] = [];
	private readonly wss = new WebSocketServer({ noServer: true });
	private readonly timer: NodeJS.Timeout;
	private seq = 1;
	private readonly onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head);

	constructor(
		private readonly feishu: FeishuStandIn,
		options: FeishuGatewayOptions = {},
	) {
		this.options = { clientConfig: DEFAULT_CONFIG, redeliverAfterMs: 15_000, maxDeliveries: 5, maxConnectionsPerApp: 50, ...options };
		if (!feishu.server) throw new Error('the Feishu stand-in is not listening yet');
		feishu.server.on('upgrade', this.onUpgrade);
		feishu.route('POST', ENDPOINT_PATH, this.endpoint);
		for (const name of ['push', 'stats', 'drop', 'silence', 'refuse', 'options', 'reset']) feishu.route(name === 'stats' ? 'GET' : 'POST', `${CONTROL}${name}`, this.control);
		this.timer = setInterval(() => this.redeliver(), 20);
	}

	get url(): string {
		return this.feishu.url;
	}

	setOptions(options: FeishuGatewayOptions): void {
		Object.assign(this.options, options);
	}

	/** The next `times` endpoint requests answer this code (e.g. 514, 1000040350, 1000040343). */
	refuseEndpoint(code: number, msg = 'refused', times = 1): void {
		this.refusals.push({ code, msg, times });
	}

	/** Open connections (of one app). */
	live(appId?: string): GatewayConnection[] {
		return this.connections.filter((c) => c.socket.readyState === c.socket.OPEN && (!appId || c.appId === appId));
	}

	/** Sends an event (its v2 envelope) to one random open connection of the app; sent again until acknowledged. Returns its message_id. */
	push(appId: string, envelope: unknown, options: PushOptions = {}): string {
		const messageId = options.messageId ?? `${randomUUID()}`;
		const entry: PendingEvent = {
			appId,
			messageId,
			payload: Buffer.from(typeof envelope === 'string' ? envelope : JSON.stringify(envelope)),
			fragments: Math.max(1, options.fragments ?? 1),
			order: options.order ?? 'inOrder',
			deliveries: 0,
			nextAt: Date.now(),
			sentAt: 0,
			acked: false,
		};
		if (options.type === 'card') {
			// Card callbacks are sent once and never expected back (the SDK does not answer them).
			const connection = this.pick(appId);
			if (connection) this.sendEvent(connection, entry, 'card');
			return messageId;
		}
		this.pending.set(messageId, entry);
		this.deliver(entry);
		return messageId;
	}

	/** Events not acknowledged yet. */
	get unacked(): string[] {
		return [...this.pending.values()].filter((e) => !e.acked).map((e) => e.messageId);
	}

	/** Deliveries of an event so far (redeliveries included). */
	deliveries(messageId: string): number {
		return this.pending.get(messageId)?.deliveries ?? 0;
	}

	/** Destroys connections (all, or one) without a close frame. */
	drop(connectionId?: string): void {
		for (const connection of this.live()) if (!connectionId || connection.id === connectionId) connection.socket.terminate();
	}

	/** A connection that stays open but sends and answers nothing. */
	silence(silent: boolean, connectionId?: string): void {
		for (const connection of this.connections) if (!connectionId || connection.id === connectionId) connection.silent = silent;
	}

	/** Raw bytes to every open connection (malformed-frame tests). */
	sendRaw(bytes: Uint8Array, appId?: string): void {
		for (const connection of this.live(appId)) connection.socket.send(bytes);
	}

	reset(): void {
		this.pending.clear();
		this.acks.length = 0;
		this.endpointRequests.length = 0;
		this.refusals.length = 0;
		this.malformedFrames = 0;
		this.strayAcks = 0;
		this.maxConcurrentPerApp = this.live().length ? Math.max(...Object.values(this.countByApp())) : 0;
		for (const connection of this.connections) connection.silent = false;
		for (let i = this.connections.length - 1; i >= 0; i--) if (this.connections[i].socket.readyState !== this.connections[i].socket.OPEN) this.connections.splice(i, 1);
	}

	async close(): Promise<void> {
		clearInterval(this.timer);
		this.feishu.server?.off('upgrade', this.onUpgrade);
		for (const connection of this.connections) connection.socket.terminate();
		this.wss.close();
	}

	// ---- endpoint ---------------------------------------------------------------------------

	private readonly endpoint = (ctx: RequestContext): void => {
		const body = parseJsonObject(ctx.body) ?? {};
		const record = (code: number) => this.endpointRequests.push({ at: Date.now(), headers: { ...ctx.req.headers }, appId: body.AppID, code });
		const refusal = this.refusals[0];
		if (refusal) {
			if (--refusal.times <= 0) this.refusals.shift();
			record(refusal.code);
			return sendJson(ctx.res, 200, { code: refusal.code, msg: refusal.msg, data: {} });
		}
		const appId = typeof body.AppID === 'string' ? body.AppID : '';
		const secret = typeof body.AppSecret === 'string' ? body.AppSecret : '';
		if (this.feishu.checkAppSecret(appId, secret) !== 'ok') {
			record(514);
			return sendJson(ctx.res, 200, { code: 514, msg: 'auth failed', data: {} });
		}
		if (this.live(appId).length >= this.options.maxConnectionsPerApp) {
			record(1000040350);
			return sendJson(ctx.res, 200, { code: 1000040350, msg: 'exceed connection limit', data: {} });
		}
		const ticket = randomBytes(16).toString('hex');
		const deviceId = String(randomInt(1e14, 2e14));
		const serviceId = randomInt(100_000, 999_999);
		this.tickets.set(ticket, { appId, deviceId, serviceId, used: false });
		record(0);
		const wsBase = this.feishu.url.replace(/^http/, 'ws');
		// device_id and service_id never first: the SDK parses the whole URL with qs (facts §4.3).
		const url = `${wsBase}${SOCKET_PATH}?fpid=493&aid=552564&device_id=${deviceId}&access_key=${ticket}&service_id=${serviceId}&ticket=${ticket}`;
		sendJson(ctx.res, 200, { code: 0, msg: 'ok', data: { URL: url, ClientConfig: this.options.clientConfig } });
	};

	// ---- WebSocket -------------------------------------------------------------------------

	private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (url.pathname !== SOCKET_PATH) return; // another upgrade handler's
		const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
		if (!ticket || ticket.used) {
			socket.end('HTTP/1.1 401 Unauthorized\r\nhandshake-status: 514\r\nhandshake-msg: auth failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		ticket.used = true;
		this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket));
	}

	private countByApp(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const connection of this.live()) counts[connection.appId] = (counts[connection.appId] ?? 0) + 1;
		return counts;
	}

	private accept(socket: WebSocket, ticket: { appId: string; deviceId: string; serviceId: number }): void {
		const connection: GatewayConnection = { id: randomUUID(), ...ticket, socket, openedAt: Date.now(), pings: [], silent: false, events: 0 };
		this.connections.push(connection);
		this.accepted++;
		this.maxConcurrentPerApp = Math.max(this.maxConcurrentPerApp, this.countByApp()[ticket.appId] ?? 0);
		socket.on('message', (data: Buffer) => this.receive(connection, data));
		socket.on('error', () => undefined);
		// Anything waiting for a connection of this app goes out now.
		for (const entry of this.pending.values()) if (!entry.acked && entry.appId === ticket.appId && entry.deliveries === 0) this.deliver(entry);
	}

	private receive(connection: GatewayConnection, data: Buffer): void {
		if (connection.silent) return;
		let frame: WireFrame;
		try {
			frame = decodeWireFrame(data);
		} catch {
			this.malformedFrames++;
			return;
		}
		const type = headerOf(frame, 'type');
		if (frame.method === 0 && type === 'ping') {
			connection.pings.push(Date.now());
			const config = this.options.pongConfig ?? this.options.clientConfig;
			this.send(connection, { SeqID: 0, LogID: 0, service: connection.serviceId, method: 0, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(JSON.stringify(config)) });
			return;
		}
		if (frame.method !== 1) return;
		const messageId = headerOf(frame, 'message_id') ?? '';
		const entry = this.pending.get(messageId);
		if (!entry?.lastFrame) {
			this.strayAcks++;
			return;
		}
		let code: number | undefined;
		try {
			code = (JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code?: number }).code;
		} catch {
			code = undefined;
		}
		const sent = entry.lastFrame;
		const echoed =
			frame.SeqID === sent.SeqID &&
			frame.LogID === sent.LogID &&
			frame.service === sent.service &&
			sent.headers.every((header) => headerOf(frame, header.key) === header.value);
		const now = Date.now();
		this.acks.push({ messageId, connectionId: connection.id, code, bizRt: headerOf(frame, 'biz_rt'), latencyMs: now - entry.sentAt, at: now, echoed });
		if (code === 200) entry.acked = true;
	}

	private pick(appId: string): GatewayConnection | undefined {
		const candidates = this.live(appId).filter((c) => !c.silent);
		return candidates.length ? candidates[randomInt(candidates.length)] : undefined;
	}

	private deliver(entry: PendingEvent): void {
		const connection = this.pick(entry.appId);
		entry.nextAt = Date.now() + this.options.redeliverAfterMs;
		if (!connection) return; // goes out when a connection opens, or at the next redelivery
		if (entry.deliveries >= this.options.maxDeliveries) return;
		entry.deliveries++;
		this.sendEvent(connection, entry, 'event');
	}

	private sendEvent(connection: GatewayConnection, entry: PendingEvent, type: 'event' | 'card'): void {
		const size = Math.ceil(entry.payload.length / entry.fragments);
		const frames: WireFrame[] = [];
		const traceId = randomUUID();
		for (let seq = 0; seq < entry.fragments; seq++) {
			frames.push({
				SeqID: this.seq++,
				LogID: randomInt(2 ** 47),
				service: connection.serviceId,
				method: 1,
				headers: [
					{ key: 'type', value: type },
					{ key: 'message_id', value: entry.messageId },
					{ key: 'sum', value: String(entry.fragments) },
					{ key: 'seq', value: String(seq) },
					{ key: 'trace_id', value: traceId },
				],
				payload: entry.payload.subarray(seq * size, (seq + 1) * size),
			});
		}
		if (entry.order === 'reverse') frames.reverse();
		connection.events++;
		for (const frame of frames) this.send(connection, frame);
		// The client echoes the frame that completed the event: the last one sent.
		entry.lastFrame = frames[frames.length - 1];
		entry.connectionId = connection.id;
		entry.sentAt = Date.now();
	}

	private send(connection: GatewayConnection, frame: WireFrame): void {
		if (connection.silent || connection.socket.readyState !== connection.socket.OPEN) return;
		connection.socket.send(encodeWireFrame(frame));
	}

	private redeliver(): void {
		const now = Date.now();
		for (const entry of this.pending.values()) if (!entry.acked && entry.nextAt <= now) this.deliver(entry);
	}

	// ---- control (out-of-process tests) ----------------------------------------------------

	private readonly control = (ctx: RequestContext): void => {
		const body = parseJsonObject(ctx.body) ?? {};
		switch (ctx.url.pathname.slice(CONTROL.length)) {
			case 'push': {
				const events = Array.isArray(body.events) ? (body.events as unknown[]) : [body.envelope];
				const options = (body.options ?? {}) as PushOptions;
				return sendJson(ctx.res, 200, { messageIds: events.map((envelope) => this.push(String(body.appId), envelope, options)) });
			}
			case 'stats':
				return sendJson(ctx.res, 200, {
					connections: this.connections.map(({ socket, ...rest }) => ({ ...rest, open: socket.readyState === socket.OPEN })),
					acks: this.acks,
					unacked: this.unacked,
					accepted: this.accepted,
					maxConcurrentPerApp: this.maxConcurrentPerApp,
					malformedFrames: this.malformedFrames,
					strayAcks: this.strayAcks,
				});
			case 'drop':
				this.drop(typeof body.connectionId === 'string' ? body.connectionId : undefined);
				return sendJson(ctx.res, 200, { ok: true });
			case 'silence':
				this.silence(body.silent === true, typeof body.connectionId === 'string' ? body.connectionId : undefined);
				return sendJson(ctx.res, 200, { ok: true });
			case 'refuse':
				this.refuseEndpoint(Number(body.code), String(body.msg ?? 'refused'), Number(body.times ?? 1));
				return sendJson(ctx.res, 200, { ok: true });
			case 'options':
				this.setOptions(body as FeishuGatewayOptions);
				return sendJson(ctx.res, 200, { ok: true });
			case 'reset':
				this.reset();
				return sendJson(ctx.res, 200, { ok: true });
			default:
				return sendJson(ctx.res, 404, { error: 'unknown gateway control route' });
		}
	};
}

/** Plugs a gateway into a running Feishu stand-in (its endpoint route and WebSocket upgrades). */
export function startFeishuGateway(feishu: FeishuStandIn, options?: FeishuGatewayOptions): FeishuGateway {
	return new FeishuGateway(feishu, options);
}
