// One plain node:http listener on 127.0.0.1:0 with what every stand-in host
// needs: request recording, body reading, socket tracking (so close() is quick
// even with stalled or half-written responses) and small response helpers.
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export type HostRole = 'dingTalk' | 'oss' | 'greenApi' | 'greenMedia' | 'chatModel' | 'feishu';

export interface RecordedRequest {
	seq: number;
	role: HostRole;
	method: string;
	/** Raw request target as sent, query and any token included. */
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
	at: number;
}

export interface RequestContext {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	body: Buffer;
	/** http://127.0.0.1:<port> of this listener. */
	baseUrl: string;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;

export interface Listener {
	url: string;
	/** The node:http server, for hosts that also take WebSocket upgrades. */
	server: http.Server;
	close(): Promise<void>;
}

const MAX_REQUEST_BODY = 16 * 1024 * 1024;

/** Paths under this prefix are the stand-in's own control API: never recorded. */
export const CONTROL_PREFIX = '/__standin/';

export interface ListenOptions {
	/** Requests the handler reads itself from `ctx.req` (uploads larger than memory should hold); their `body` is empty. */
	streamsBody?: (req: IncomingMessage) => boolean;
	/**
	 * How long an idle kept-alive connection stays open (Node's default: 5 s). A client that
	 * reuses one just as the server closes it gets ECONNRESET, and an upload body cannot be
	 * replayed: hosts that take uploads keep idle connections longer, as real ones do.
	 */
	keepAliveTimeoutMs?: number;
}

export async function listen(
	role: HostRole,
	handler: Handler,
	record: (r: Omit<RecordedRequest, 'seq'>) => void,
	options: ListenOptions = {},
): Promise<Listener> {
	const sockets = new Set<Socket>();
	const server = http.createServer((req, res) => {
		void dispatch(req, res);
	});
	if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	// A client that resets mid-request must not crash the test process.
	server.on('clientError', (_err, socket) => socket.destroy());

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
		let body = Buffer.alloc(0);
		// A multipart upload (or what a host asks to read itself) stays a stream for its handler: uploads may be large.
		if (!isMultipart(req) && !options.streamsBody?.(req)) {
			try {
				body = await readBody(req);
			} catch {
				req.socket.destroy();
				return;
			}
		}
		const path = req.url ?? '/';
		if (!path.startsWith(CONTROL_PREFIX)) {
			record({
				role,
				method: req.method ?? 'GET',
				path,
				headers: { ...req.headers },
				body: body.toString('utf8'),
				at: Date.now(),
			});
		}
		try {
			await handler({ req, res, url: new URL(path, baseUrl), body, baseUrl });
		} catch (err) {
			if (res.headersSent) res.destroy();
			else sendText(res, 500, `stand-in ${role} crashed: ${(err as Error).stack ?? String(err)}`);
		}
	}

	return {
		url: baseUrl,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			}),
	};
}

function isMultipart(req: IncomingMessage): boolean {
	return /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const parts: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_REQUEST_BODY) reject(new Error('request body too large'));
			else parts.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(parts)));
		req.on('error', reject);
	});
}

export function sendText(
	res: ServerResponse,
	status: number,
	text: string,
	headers: Record<string, string> = {},
	contentType = 'text/plain; charset=utf-8',
): void {
	const data = Buffer.from(text, 'utf8');
	setHeaders(res, { 'Content-Type': contentType, 'Content-Length': String(data.length), ...headers });
	res.writeHead(status);
	res.end(data);
}

export function sendJson(
	res: ServerResponse,
	status: number,
	value: unknown,
	headers: Record<string, string> = {},
	contentType = 'application/json',
): void {
	sendText(res, status, JSON.stringify(value), headers, contentType);
}

/** setHeader one by one: case-insensitive, so a later 'content-type' replaces 'Content-Type'. */
export function setHeaders(res: ServerResponse, headers: Record<string, string>): void {
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/** JSON object from a request body, or undefined when it is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(body.toString('utf8'));
		return value !== null && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

export function isJsonContentType(req: IncomingMessage): boolean {
	return /^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '');
}

export function waitDrainOrClose(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/** Sleep that ends early (returning false) when the stand-in closes. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
	try {
		await delay(ms, undefined, { signal });
		return true;
	} catch {
		return false;
	}
}
