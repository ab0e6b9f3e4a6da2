// Serving one file's bytes on a file host (OSS or Green media), with the
// file faults of faults.ts. Both file hosts resolve their own links, then
// hand over here.
import type { ServerResponse } from 'node:http';
import { bodyChunks, bodySize, type FileBody } from './bytes';
import type { Fault } from './faults';
import { sendText, setHeaders, sleep, waitDrainOrClose, type RequestContext } from './listener';
import type { StandInStats } from './stats';

export interface HostedFile {
	/** Unique id, used in redirect hop paths. */
	id: string;
	body: FileBody;
	contentType: string;
	fault?: Fault;
	/** GETs of the file link so far (drives `fileTimes`). */
	fileGets: number;
}

export interface FileServeEnv {
	signal: AbortSignal;
	stats: StandInStats;
	/** Adds to this host's bytes counter. */
	countBytes(n: number): void;
	/** Host-specific headers on the 200 answer (e.g. OSS request id, ETag). */
	headers?: Record<string, string>;
}

export const REDIRECT_PREFIX = '/__redirect/';

/** File GETs in flight per stand-in (keyed by its stats object). */
const inFlight = new WeakMap<StandInStats, number>();

/** Serve a GET/HEAD of the file's link, applying its file fault if one is due. */
export async function serveHostedFile(ctx: RequestContext, file: HostedFile, env: FileServeEnv): Promise<void> {
	const attempt = file.fileGets++;
	const fault = file.fault;
	const kind = fault?.file !== undefined && attempt < (fault.fileTimes ?? Infinity) ? fault.file : undefined;
	if (kind !== undefined) env.stats.faultsInjected++;
	const { res } = ctx;

	if (kind === undefined) return serveBytes(ctx, file, env, 'normal');
	if (typeof kind === 'object') {
		const body = kind.body ?? '';
		const data = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
		setHeaders(res, {
			'Content-Type': kind.contentType ?? 'text/plain; charset=utf-8',
			'Content-Length': String(data.length),
			...(kind.headers ?? {}),
		});
		res.writeHead(kind.status);
		res.end(ctx.req.method === 'HEAD' ? undefined : data);
		return;
	}
	switch (kind) {
		case 'reset':
			ctx.req.socket.destroy();
			return;
		case 'stallBeforeHeaders':
			return; // never answered; close() destroys the socket
		case 'html200':
			return sendText(res, 200, HTML_ERROR_PAGE, {}, 'text/html; charset=utf-8');
		case 'empty':
			res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': '0', ...(env.headers ?? {}) });
			res.end();
			return;
		case 'redirect': {
			const location = fault?.redirectTo ?? `${ctx.baseUrl}${REDIRECT_PREFIX}${encodeURIComponent(file.id)}/1`;
			return sendText(res, 302, '', { Location: location });
		}
		case 'truncate':
		case 'stall':
		case 'noContentLength':
			return serveBytes(ctx, file, env, kind);
	}
}

/** A hop of a 'redirect' chain: hop k < n redirects to hop k+1, hop n serves the bytes. */
export async function serveRedirectHop(
	ctx: RequestContext,
	file: HostedFile,
	hop: number,
	env: FileServeEnv,
): Promise<void> {
	const total = Math.max(1, file.fault?.redirects ?? 1);
	if (hop < total) {
		return sendText(ctx.res, 302, '', {
			Location: `${ctx.baseUrl}${REDIRECT_PREFIX}${encodeURIComponent(file.id)}/${hop + 1}`,
		});
	}
	return serveBytes(ctx, file, env, 'normal');
}

async function serveBytes(
	ctx: RequestContext,
	file: HostedFile,
	env: FileServeEnv,
	mode: 'normal' | 'truncate' | 'stall' | 'noContentLength',
): Promise<void> {
	const { res } = ctx;
	const size = bodySize(file.body);
	const headers: Record<string, string> = { 'Content-Type': file.contentType, ...(env.headers ?? {}) };
	if (mode !== 'noContentLength') headers['Content-Length'] = String(size);
	res.writeHead(200, headers);
	if (ctx.req.method === 'HEAD') {
		res.end();
		return;
	}

	const active = (inFlight.get(env.stats) ?? 0) + 1;
	inFlight.set(env.stats, active);
	env.stats.maxConcurrentFileGets = Math.max(env.stats.maxConcurrentFileGets, active);
	res.once('close', () => inFlight.set(env.stats, (inFlight.get(env.stats) ?? 1) - 1));

	const limit =
		mode === 'truncate' ? Math.floor(size / 2) : mode === 'stall' ? Math.min(size, file.fault?.stallAfterBytes ?? 4096) : size;
	const sent = await writeChunks(res, bodyChunks(file.body), limit, file.fault?.slowBytesPerSecond, env.signal);
	env.countBytes(sent);

	if (mode === 'truncate') {
		// Let the half we wrote reach the client, then cut the connection.
		await socketFlushed(res);
		res.destroy();
	} else if (mode === 'stall') {
		// Headers and some bytes are out; say nothing more. close() destroys the socket.
	} else if (!res.destroyed) {
		res.end();
	}
}

function socketFlushed(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const socket = res.socket;
		if (!socket || socket.destroyed || socket.writableLength === 0) resolve();
		else {
			// 'drain' only follows a write that returned false; an empty write's callback
			// runs once everything queued before it has been handed to the OS.
			socket.write('', () => resolve());
			socket.once('close', () => resolve());
		}
	});
}

/** Write up to `limit` bytes honouring backpressure and an optional rate. Returns bytes written. */
async function writeChunks(
	res: ServerResponse,
	chunks: Iterable<Buffer>,
	limit: number,
	bytesPerSecond: number | undefined,
	signal: AbortSignal,
): Promise<number> {
	let sent = 0;
	const started = Date.now();
	// Under a rate, write small pieces every ~50 ms so the flow looks steady.
	const pieceSize = bytesPerSecond ? Math.max(1, Math.floor(bytesPerSecond / 20)) : Infinity;
	for (const chunk of chunks) {
		for (let offset = 0; offset < chunk.length; ) {
			if (sent >= limit || res.destroyed || signal.aborted) return sent;
			const n = Math.min(chunk.length - offset, pieceSize, limit - sent);
			if (bytesPerSecond) {
				const wait = started + (sent / bytesPerSecond) * 1000 - Date.now();
				if (wait > 0 && !(await sleep(wait, signal))) return sent;
				if (res.destroyed) return sent;
			}
			const ok = res.write(chunk.subarray(offset, offset + n));
			offset += n;
			sent += n;
			if (!ok) await waitDrainOrClose(res);
		}
	}
	return sent;
}

const HTML_ERROR_PAGE = `<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>Tengine</center>
<p>The file is temporarily unavailable. Please try again later.</p>
</body>
</html>
`;
