// DingTalk's Stream gateway: `POST /v1.0/gateway/connections/open` (served through the
// DingTalk API listener) hands out a one-use ticket and this WebSocket server's endpoint;
// frames and acknowledgements follow the official SDKs (see /work/shared/facts/dingtalk.md).
// Unanswered robot messages are delivered again after `ackDeadlineMs`, as DingTalk does
// after about 60 s. Faults: disconnect frames, abrupt close, silence, open errors,
// duplicates, short acknowledgement deadlines. HTTP control routes under /__stream/ on
// the gateway's own port let an out-of-process test (the e2e) drive it.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

import type { DingTalkStandIn } from './dingtalk';
import { parseJsonObject, sendJson, sendText, type RequestContext } from './listener';

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';

export interface StreamGatewayOptions {
	/** Redeliver an unanswered robot message after this long. Default 60 000 (DingTalk's ~60 s). */
	ackDeadlineMs?: number;
	/** Give up on a message after this many deliveries. Default 5. */
	maxDeliveries?: number;
	/** SYSTEM ping to every connection this often (0: never). Default 0. */
	pingEveryMs?: number;
}

export interface OpenFault {
	status: number;
	body: unknown;
	/** How many open calls get it. Default 1. */
	times?: number;
}

interface Connection {
	id: string;
	clientId: string;
	socket: WebSocket;
	openedAt: number;
}

interface Pending {
	messageId: string;
	/** Only to a connection of this app (client ID); any connection when absent. */
	clientId?: string;
	msgId: string;
	data: string;
	deliveries: number;
	nextAt: number;
}

export interface StreamGatewayStats {
	opens: number;
	openErrors: number;
	/** WebSocket connections accepted. */
	connections: number;
	/** Upgrades refused (unknown or reused ticket). */
	refusedUpgrades: number;
	/** Highest number of connections open at once for one client ID. */
	maxConcurrentConnections: number;
	/** CALLBACK frames sent, redeliveries and duplicates included. */
	callbacksSent: number;
	redeliveries: number;
	/** Acknowledgements received for robot messages, by frame messageId. */
	acks: Record<string, number>;
	/** Acks for frames this gateway never sent or already forgot. */
	strayAcks: number;
	pingsSent: number;
	pongs: number;
	disconnectsSent: number;
	kills: number;
	/** Ack texts that did not have the shape the official SDKs send. */
	malformedAcks: number;
}

function emptyGatewayStats(): StreamGatewayStats {
	return {
		opens: 0,
		openErrors: 0,
		connections: 0,
		refusedUpgrades: 0,
		maxConcurrentConnections: 0,
		callbacksSent: 0,
		redeliveries: 0,
		acks: {},
		strayAcks: 0,
		pingsSent: 0,
		pongs: 0,
		disconnectsSent: 0,
		kills: 0,
		malformedAcks: 0,
	};
}

export class DingTalkStreamGateway {
	/** ws://127.0.0.1:<port> of the gateway (also its control routes, over http). */
	url = '';

	stats = emptyGatewayStats();

	private readonly tickets = new Map<string, { clientId: string; used: boolean }>();
	private readonly connections = new Set<Connection>();
	private readonly pending = new Map<string, Pending>();
	private readonly sockets = new Set<Socket>();
	private readonly openFaults: OpenFault[] = [];
	private readonly server = http.createServer((req, res) => void this.control(req, res));
	private readonly wss = new WebSocketServer({ noServer: true });
	private timer?: NodeJS.Timeout;
	private lastPingAt = 0;
	private silent = false;
	private readonly options: Required<StreamGatewayOptions>;

	constructor(
		private readonly dingTalk: DingTalkStandIn,
		options: StreamGatewayOptions = {},
	) {
		this.options = { ackDeadlineMs: 60_000, maxDeliveries: 5, pingEveryMs: 0, ...options };
	}

	async start(): Promise<void> {
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
		});
		this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.timer = setInterval(() => this.tick(), 20);
		this.dingTalk.streamGateway = this;
	}

	async close(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		for (const connection of this.connections) connection.socket.terminate();
		for (const socket of this.sockets) socket.destroy();
		this.wss.close();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	setOptions(options: StreamGatewayOptions): void {
		Object.assign(this.options, options);
	}

	/** The next open call(s) fail with this answer (e.g. a 5xx, or the wrong-secret error). */
	failOpens(fault: OpenFault): void {
		this.openFaults.push({ times: 1, ...fault });
	}

	get liveConnections(): number {
		return this.connections.size;
	}

	/** Open connections by client ID. */
	liveByClient(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const connection of this.connections) counts[connection.clientId] = (counts[connection.clientId] ?? 0) + 1;
		return counts;
	}

	/** What workflows posted to the sessionWebhook the messages carried (see the /__stream/reply route). */
	readonly replies: unknown[] = [];

	/** Sends a robot message (or, given a string, that frame data) to a live connection; returns the frame's messageId. Redelivered until acked. */
	deliver(message: Record<string, unknown> | string, options: { messageId?: string; clientId?: string } = {}): string {
		const messageId = options.messageId ?? `msg-${randomUUID()}`;
		// A string goes out as the frame's data as it is: a malformed frame, for the client's tests.
		const entry: Pending = {
			messageId,
			clientId: options.clientId,
			msgId: typeof message === 'string' ? '' : String(message.msgId ?? ''),
			data: typeof message === 'string' ? message : JSON.stringify(message),
			deliveries: 0,
			nextAt: Date.now(),
		};
		this.pending.set(messageId, entry);
		this.send(entry);
		return messageId;
	}

	/** The same message again under a new frame id: a duplicate the client must not start twice. */
	duplicate(message: Record<string, unknown>): string {
		return this.deliver(message);
	}

	/** Robot messages not acknowledged yet (and not given up on). */
	get unacked(): number {
		return this.unackedMessages().length;
	}

	/** Which messages those are: for a test that waited in vain to say which and how often each went out. */
	unackedMessages(): Array<{ msgId: string; messageId: string; clientId?: string; deliveries: number }> {
		return [...this.pending.values()]
			.filter((entry) => entry.deliveries < this.options.maxDeliveries)
			.map(({ msgId, messageId, clientId, deliveries }) => ({ msgId, messageId, clientId, deliveries }));
	}

	/** SYSTEM disconnect to every connection (DingTalk's way of asking for a reconnect). */
	sendDisconnect(reason = 'gateway maintenance'): void {
		for (const connection of this.connections) {
			this.stats.disconnectsSent++;
			this.frame(connection, 'SYSTEM', 'disconnect', JSON.stringify({ reason }));
		}
	}

	/** Destroys every connection's TCP socket without a close frame. */
	killConnections(): void {
		for (const connection of this.connections) {
			this.stats.kills++;
			connection.socket.terminate();
		}
	}

	/** A gateway that goes quiet: keeps sockets open but sends and answers nothing. */
	setSilent(silent: boolean): void {
		this.silent = silent;
	}

	sendPing(): void {
		for (const connection of this.connections) {
			this.stats.pingsSent++;
			this.frame(connection, 'SYSTEM', 'ping', JSON.stringify({ opaque: randomBytes(8).toString('hex') }));
		}
	}

	resetStats(): void {
		this.stats = emptyGatewayStats();
		this.pending.clear();
	}

	// ------------------------------------------------------------- open (API host)

	handleOpen = (ctx: RequestContext): void => {
		this.stats.opens++;
		const accept = ctx.req.headers.accept ?? '';
		const fault = this.openFaults[0];
		if (fault) {
			if (--(fault.times as number) <= 0) this.openFaults.shift();
			this.stats.openErrors++;
			return sendJson(ctx.res, fault.status, fault.body);
		}
		const body = parseJsonObject(ctx.body);
		const clientId = typeof body?.clientId === 'string' ? body.clientId : '';
		const clientSecret = typeof body?.clientSecret === 'string' ? body.clientSecret : '';
		if (!this.dingTalk.hasApp(clientId, clientSecret)) {
			this.stats.openErrors++;
			// Same code and text as the token endpoint's wrong key/secret answer (the gateway's own text is not documented).
			return sendJson(ctx.res, 400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: randomUUID().toUpperCase() });
		}
		const subscriptions = Array.isArray(body?.subscriptions) ? (body.subscriptions as Array<Record<string, unknown>>) : [];
		if (!subscriptions.some((s) => s.type === 'CALLBACK' && s.topic === ROBOT_TOPIC)) {
			this.stats.openErrors++;
			return sendJson(ctx.res, 400, { code: 'invalidParameter', message: 'subscriptions is invalid' });
		}
		const ticket = randomBytes(24).toString('hex');
		this.tickets.set(ticket, { clientId, used: false });
		const answer = { endpoint: `${this.url}/connect`, ticket };
		// Without Accept: application/json the real gateway answers XML.
		if (!/application\/json/i.test(accept)) {
			return sendText(ctx.res, 200, `<OpenConnectionResponse><endpoint>${answer.endpoint}</endpoint><ticket>${ticket}</ticket></OpenConnectionResponse>`, {}, 'application/xml');
		}
		sendJson(ctx.res, 200, answer);
	};

	// ------------------------------------------------------------- WebSocket

	private upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
		if (url.pathname !== '/connect' || !ticket || ticket.used) {
			this.stats.refusedUpgrades++;
			socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		ticket.used = true;
		this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket.clientId));
	}

	private accept(socket: WebSocket, clientId: string): void {
		const connection: Connection = { id: randomUUID(), clientId, socket, openedAt: Date.now() };
		this.connections.add(connection);
		this.stats.connections++;
		const sameClient = [...this.connections].filter((c) => c.clientId === clientId).length;
		this.stats.maxConcurrentConnections = Math.max(this.stats.maxConcurrentConnections, sameClient);
		socket.on('message', (data) => this.receive(data.toString()));
		socket.on('close', () => this.connections.delete(connection));
		socket.on('error', () => this.connections.delete(connection));
		// Anything waiting goes out on the new connection at once.
		for (const entry of this.pending.values()) if (entry.deliveries > 0) entry.nextAt = Math.min(entry.nextAt, Date.now());
	}

	private receive(text: string): void {
		if (this.silent) return;
		let ack: Record<string, unknown> | undefined;
		try {
			ack = JSON.parse(text) as Record<string, unknown>;
		} catch {
			this.stats.malformedAcks++;
			return;
		}
		const headers = (ack.headers ?? {}) as Record<string, unknown>;
		const messageId = String(headers.messageId ?? '');
		if (ack.code !== 200 || typeof ack.data !== 'string' || headers.contentType !== 'application/json' || !messageId) {
			this.stats.malformedAcks++;
			return;
		}
		if (messageId.startsWith('sys-')) {
			this.stats.pongs++;
			return;
		}
		const entry = this.pending.get(messageId);
		if (!entry) {
			// A second answer to a frame already answered (it was delivered again meanwhile), or one never sent.
			if (this.stats.acks[messageId] !== undefined) this.stats.acks[messageId]++;
			else this.stats.strayAcks++;
			return;
		}
		const data = parseJsonObject(Buffer.from(ack.data));
		if (!data || typeof data.response !== 'object') {
			this.stats.malformedAcks++;
			return;
		}
		// Answered: forgotten, so a long run (the benchmark) keeps the gateway's work small.
		this.pending.delete(messageId);
		this.stats.acks[messageId] = (this.stats.acks[messageId] ?? 0) + 1;
	}

	private tick(): void {
		const now = Date.now();
		if (this.silent) return;
		if (this.options.pingEveryMs > 0 && now - this.lastPingAt >= this.options.pingEveryMs) {
			this.lastPingAt = now;
			this.sendPing();
		}
		for (const entry of this.pending.values()) {
			if (entry.nextAt > now) continue;
			if (entry.deliveries >= this.options.maxDeliveries) continue;
			this.send(entry);
		}
	}

	private send(entry: Pending): void {
		if (this.silent) return;
		const connection = [...this.connections].find((c) => c.socket.readyState === c.socket.OPEN && (!entry.clientId || c.clientId === entry.clientId));
		if (!connection) return; // waits for the next connection
		if (entry.deliveries > 0) this.stats.redeliveries++;
		entry.deliveries++;
		entry.nextAt = Date.now() + this.options.ackDeadlineMs;
		this.stats.callbacksSent++;
		this.frame(connection, 'CALLBACK', ROBOT_TOPIC, entry.data, entry.messageId);
	}

	private frame(connection: Connection, type: 'SYSTEM' | 'CALLBACK', topic: string, data: string, messageId = `sys-${randomUUID()}`): void {
		if (connection.socket.readyState !== connection.socket.OPEN) return;
		connection.socket.send(
			JSON.stringify({
				specVersion: '1.0',
				type,
				headers: { appId: connection.clientId, connectionId: connection.id, contentType: 'application/json', messageId, time: String(Date.now()), topic },
				data,
			}),
		);
	}

	// ------------------------------------------------------------- control (out-of-process tests)

	private async control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = parseJsonObject(Buffer.concat(chunks)) ?? {};
		const route = `${req.method} ${new URL(req.url ?? '/', 'http://127.0.0.1').pathname}`;
		switch (route) {
			case 'GET /__stream/stats':
				return sendJson(res, 200, { ...this.stats, liveConnections: this.liveConnections, liveByClient: this.liveByClient(), unacked: this.unacked, unackedMessages: this.unackedMessages() });
			case 'POST /__stream/deliver': {
				const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
				const clientId = typeof body.clientId === 'string' ? body.clientId : undefined;
				return sendJson(res, 200, { messageIds: messages.map((m) => this.deliver(m, { clientId })) });
			}
			// A message's sessionWebhook can point here: the robot's reply is recorded.
			case 'POST /__stream/reply':
				this.replies.push(body);
				return sendJson(res, 200, { errcode: 0, errmsg: 'ok' });
			case 'GET /__stream/replies':
				return sendJson(res, 200, this.replies);
			case 'POST /__stream/kill':
				this.killConnections();
				return sendJson(res, 200, { ok: true });
			case 'POST /__stream/disconnect':
				this.sendDisconnect();
				return sendJson(res, 200, { ok: true });
			case 'POST /__stream/silence':
				this.setSilent(body.silent === true);
				return sendJson(res, 200, { ok: true });
			case 'POST /__stream/options':
				this.setOptions(body as StreamGatewayOptions);
				return sendJson(res, 200, { ok: true });
			case 'POST /__stream/fail-opens':
				this.failOpens(body as unknown as OpenFault);
				return sendJson(res, 200, { ok: true });
			case 'POST /__stream/reset':
				this.resetStats();
				return sendJson(res, 200, { ok: true });
			default:
				return sendJson(res, 404, { error: `unknown route ${route}` });
		}
	}
}

/** Starts a gateway and plugs it into the DingTalk stand-in's open-connection route. */
export async function startStreamGateway(dingTalk: DingTalkStandIn, options?: StreamGatewayOptions): Promise<DingTalkStreamGateway> {
	const gateway = new DingTalkStreamGateway(dingTalk, options);
	await gateway.start();
	return gateway;
}
