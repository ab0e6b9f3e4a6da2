import type { IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { MessageFileError } from './errors';
import { bodyText, headerValue, networkError, retryAfterMs } from './apiResponse';
import { readAheadUpTo } from './largeReads';

/** A response body as axios hands it over: a Node readable stream. */
export interface ByteStream extends NodeJS.ReadableStream {
	destroy(error?: Error): this;
	unshift(chunk: Buffer): void;
	push(chunk: Buffer | null, encoding?: BufferEncoding): boolean;
	readonly readableEnded?: boolean;
	readonly readableLength?: number;
}

export interface DownloadLimits {
	/** Longest silence from the file host before the download is abandoned. */
	idleTimeoutMs: number;
	/** Refuse files larger than this (0 or undefined: no limit). */
	maxBytes?: number;
	/** How many redirects to follow. */
	maxRedirects?: number;
	/**
	 * Whether a redirect may be followed to `url`: the rule the first URL was held to, for
	 * every hop (a link trusted for its host must not lead anywhere else). Absent: any http(s) hop.
	 */
	allowRedirect?: (url: URL) => boolean;
	/** How many leading bytes to read before handing the stream on. */
	headBytes: number;
	/**
	 * The API's own explanation of an answer that is not the file (an authenticated
	 * request's JSON error body). Undefined, or returning undefined: the generic file-host error.
	 */
	explainRefusal?: (status: number, body: string) => MessageFileError | undefined;
	/**
	 * Sends the requests after a redirect. An authenticated first request must not carry
	 * its token to another host. Default: the first request's function.
	 */
	redirectHttpRequest?: HttpRequest;
}

export interface OpenedDownload {
	/** The first bytes, for deciding the type. */
	head: Buffer;
	/** The head is the whole file. */
	complete: boolean;
	/** What to store: the head itself when complete, else the response stream (head put back), watched for the size limit and stalls. */
	body: Buffer | ByteStream;
	contentType?: string;
	/** The size the server announced, if it did. */
	contentLength?: number;
	finalUrl: string;
	/** How many bytes of the body have been read so far (for "cut off after N of M bytes"). */
	bytesReceived(): number;
}

/** n8n's plain HTTP helper (the same function in executions, triggers and webhooks). */
export type HttpRequest = IExecuteFunctions['helpers']['httpRequest'];

const DEFAULT_MAX_REDIRECTS = 5;

function assertHttpUrl(url: string, what: string): URL {
	if (!URL.canParse(url)) {
		throw new MessageFileError(`The ${what} is not a valid URL`, { kind: 'download', description: 'The messenger returned a link n8n cannot use.' });
	}
	const parsed = new URL(url);
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new MessageFileError(`The ${what} uses ${parsed.protocol.replace(':', '')}, not http or https`, {
			kind: 'download',
			description: 'Only http and https links are downloaded.',
		});
	}
	return parsed;
}

function megabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function tooLargeError(bytes: number, maxBytes: number, known: boolean): MessageFileError {
	return new MessageFileError(
		known ? `The file is ${megabytes(bytes)}, over the ${megabytes(maxBytes)} limit` : `The file is larger than the ${megabytes(maxBytes)} limit`,
		{ kind: 'download', description: 'Raise Max File Size in the node\'s options (0 means no limit), or skip such files.' },
	);
}

/** Reads at most `limit` bytes of an answer that is not the file (an error page), then closes it. */
export async function readSmallBody(stream: ByteStream, limit = 4096): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			chunks.push(chunk);
			length += chunk.length;
			if (length >= limit) break;
		}
	} catch {
		// An error page that fails to arrive is still an error page.
	}
	stream.destroy();
	return Buffer.concat(chunks).subarray(0, limit);
}

/** The Code and Message of an object storage XML error (Aliyun OSS, S3, Yandex). */
function storageErrorText(body: Buffer): string | undefined {
	const text = body.toString('utf8');
	const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]{1,300})<\/Message>/.exec(text)?.[1];
	if (!code && !message) return undefined;
	return [code, message].filter(Boolean).join(': ');
}

async function httpStatusError(
	response: IN8nHttpFullResponse,
	stream: ByteStream,
	explainRefusal?: DownloadLimits['explainRefusal'],
): Promise<MessageFileError> {
	const status = response.statusCode;
	const body = await readSmallBody(stream);
	const explained = explainRefusal?.(status, body.toString('utf8'));
	if (explained) return explained;
	const detail = storageErrorText(body) ?? bodyText(body.toString('utf8'), 200);
	const expired = status === 403 || status === 404 || status === 410;
	const transient = status === 408 || status === 429 || status >= 500;
	return new MessageFileError(
		expired ? `The file host refused the download link (HTTP ${status}): it has expired or is invalid` : `The file host answered HTTP ${status} instead of the file`,
		{
			kind: 'download',
			httpCode: status,
			description: [
				expired ? 'Temporary links expire quickly: download the file soon after the message arrives.' : transient ? 'The file host is busy; try again shortly.' : undefined,
				detail && `The host said: ${detail}.`,
			]
				.filter(Boolean)
				.join(' '),
			linkExpired: expired,
			retryable: transient,
			retryAfterMs: retryAfterMs(response.headers as Record<string, unknown>),
		},
	);
}

/** Reads until `limit` bytes or the end, leaving the stream paused for whoever reads it next. */
async function readHead(stream: ByteStream, limit: number, progressed: () => void): Promise<{ head: Buffer; ended: boolean }> {
	return await new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let length = 0;
		const cleanup = () => {
			stream.removeListener('readable', onReadable);
			stream.removeListener('end', onEnd);
			stream.removeListener('error', onError);
		};
		const onReadable = () => {
			let chunk: Buffer | null;
			while (length < limit && (chunk = stream.read() as Buffer | null) !== null) {
				chunks.push(chunk);
				length += chunk.length;
				progressed();
			}
			if (length >= limit) {
				cleanup();
				resolve({ head: Buffer.concat(chunks), ended: false });
			}
		};
		const onEnd = () => {
			cleanup();
			resolve({ head: Buffer.concat(chunks), ended: true });
		};
		const onError = (error: Error) => {
			cleanup();
			reject(error);
		};
		stream.on('readable', onReadable);
		stream.on('end', onEnd);
		stream.on('error', onError);
	});
}

export function cutOffError(received: number, expected: number | undefined): MessageFileError {
	return new MessageFileError(
		expected ? `The download was cut off after ${received} of ${expected} bytes` : 'The download was cut off before the file ended',
		{ kind: 'download', description: 'The connection to the file host broke. Try again.', retryable: true },
	);
}

function stalledError(): MessageFileError {
	return new MessageFileError('The file host stopped sending data', {
		kind: 'download',
		description: 'No data arrived within the timeout. Raise Timeout in the node\'s options for slow hosts, or try again.',
		retryable: true,
	});
}

/** How often the stall watch looks at the clock: bounds how long it outlives a finished download. */
const STALL_CHECK_MS = 1_000;

/**
 * Gives up on a file host that goes silent, before or after the headers. axios's own
 * timeout is not enough: some n8n versions wait past it for the first body bytes, and
 * none watch the body once it is handed over. So progress is tracked here (each chunk
 * read resets the clock) and checked by a loop on n8n's `sleep`; a stall aborts the
 * request and ends the body with an error.
 */
class StallWatch {
	readonly abort = new AbortController();

	private lastProgress = Date.now();

	private finished = false;

	private stream?: ByteStream;

	constructor(private readonly idleTimeoutMs: number) {
		void this.run();
	}

	get stalled(): boolean {
		return this.abort.signal.aborted;
	}

	readonly progressed = (): void => {
		this.lastProgress = Date.now();
	};

	readonly stop = (): void => {
		this.finished = true;
	};

	/** Watches the body from now on, until it ends, fails or closes. */
	attach(stream: ByteStream): void {
		this.stream = stream;
		this.progressed();
		stream.once('close', this.stop);
		stream.once('end', this.stop);
		stream.once('error', this.stop);
	}

	private async run(): Promise<void> {
		while (!this.finished) {
			const wait = this.lastProgress + this.idleTimeoutMs - Date.now();
			if (wait <= 0) {
				// The body's own error first, so its readers see why; then the request itself.
				this.stream?.destroy(stalledError());
				this.abort.abort();
				return;
			}
			await sleep(Math.min(wait, STALL_CHECK_MS));
		}
	}
}

/**
 * Sees every chunk of the body as it arrives, and fails the body when `onChunk` returns
 * an error. The hook sits on the stream's own `push` (where the HTTP parser hands chunks
 * in), so the response stream itself goes to n8n's storage: no second stream on the
 * byte path, nothing per chunk but a counter. A listener for 'data' would start the
 * flow before n8n reads it, and losing bytes is not an option.
 */
function tapArrivingChunks(stream: ByteStream, onChunk: (chunk: Buffer) => MessageFileError | undefined): void {
	const push = stream.push.bind(stream);
	stream.push = (chunk: Buffer | null, encoding?: BufferEncoding): boolean => {
		if (chunk !== null && chunk !== undefined) {
			const error = onChunk(chunk);
			if (error) {
				stream.destroy(error);
				return false;
			}
		}
		return push(chunk, encoding);
	};
}

/** Whatever went wrong while reading the body, as a MessageFileError (the size limit's own error passes through). */
export function bodyError(error: unknown, received: number, expected: number | undefined): MessageFileError {
	if (error instanceof MessageFileError) return error;
	const code = (error as { code?: unknown })?.code;
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String((error as Error)?.message))) return stalledError();
	return cutOffError(received, expected);
}

/**
 * Opens a download: follows at most a few http(s) redirects, refuses error answers and
 * files over the size limit, reads the first bytes for type detection and hands back
 * the body as a stream (so large files are never held whole) or, when it all fit, as a Buffer.
 * Sends no Content-Type (signed links sign their headers), and credentials only where the
 * caller's `httpRequest` adds them (an authenticated API call), never after a redirect.
 */
export async function openDownload(httpRequest: HttpRequest, url: string, limits: DownloadLimits): Promise<OpenedDownload> {
	let current = assertHttpUrl(url, 'download link').toString();
	const maxRedirects = limits.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
	for (let redirects = 0; ; redirects++) {
		const request: IHttpRequestOptions = {
			method: 'GET',
			url: current,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: limits.idleTimeoutMs,
			// Compressed bodies would not match Content-Length, and stored files gain nothing from it.
			headers: { 'Accept-Encoding': 'identity' },
		};
		const watch = new StallWatch(limits.idleTimeoutMs);
		let response: IN8nHttpFullResponse;
		try {
			const send = redirects > 0 && limits.redirectHttpRequest ? limits.redirectHttpRequest : httpRequest;
			response = (await send({ ...request, abortSignal: watch.abort.signal })) as IN8nHttpFullResponse;
		} catch (error) {
			watch.stop();
			throw watch.stalled ? stalledError() : networkError(error, 'the file host', 'download');
		}
		const stream = response.body as ByteStream;
		watch.attach(stream);
		const progressed = watch.progressed;
		const headers = response.headers as Record<string, unknown>;
		const status = response.statusCode;

		if (status >= 300 && status < 400 && headerValue(headers, 'location')) {
			stream.destroy();
			if (redirects >= maxRedirects) {
				throw new MessageFileError(`The file host redirected more than ${maxRedirects} times`, {
					kind: 'download',
					description: 'The download link leads into a redirect loop.',
				});
			}
			const target = assertHttpUrl(new URL(headerValue(headers, 'location') as string, current).toString(), 'redirect target');
			if (limits.allowRedirect && !limits.allowRedirect(target)) {
				throw new MessageFileError(`The file host redirected the download to ${target.host}, which the link is not trusted for`, {
					kind: 'download',
					description: 'Only hosts of the messenger itself are followed from a link in a message; the file is asked for through the messenger\'s API instead where it can be.',
					redirectRefused: true,
				});
			}
			current = target.toString();
			continue;
		}
		if (status < 200 || status >= 300) throw await httpStatusError(response, stream, limits.explainRefusal);

		const lengthHeader = headerValue(headers, 'content-length');
		const contentLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
		if (limits.maxBytes && contentLength !== undefined && contentLength > limits.maxBytes) {
			stream.destroy();
			throw tooLargeError(contentLength, limits.maxBytes, true);
		}

		const { head, ended: endSeen } = await readHead(stream, limits.headBytes, progressed).catch((error: unknown) => {
			stream.destroy();
			throw bodyError(error, 0, contentLength);
		});
		// When the head took the last bytes, 'end' fires right after readHead let go of the
		// stream: the head is then the whole file (and unshifting it would lose it).
		const ended = endSeen || stream.readableEnded === true;
		if (ended && contentLength !== undefined && head.length < contentLength) throw cutOffError(head.length, contentLength);
		if (head.length === 0) {
			throw new MessageFileError('The file is empty (0 bytes)', {
				kind: 'download',
				description: 'The file host sent no bytes. The sender may have sent an empty file; otherwise try again.',
			});
		}
		if (limits.maxBytes && head.length > limits.maxBytes) {
			stream.destroy();
			throw tooLargeError(head.length, limits.maxBytes, ended);
		}

		const contentType = headerValue(headers, 'content-type');
		if (ended) return { head, complete: true, body: head, contentType, contentLength, finalUrl: current, bytesReceived: () => head.length };

		stream.unshift(head);
		// What arrived so far: the head and whatever the parser buffered behind it.
		let received = stream.readableLength ?? head.length;
		const maxBytes = limits.maxBytes;
		tapArrivingChunks(stream, (chunk) => {
			progressed();
			received += chunk.length;
			return maxBytes && received > maxBytes ? tooLargeError(received, maxBytes, false) : undefined;
		});
		// Whoever stores the body reads it in large pieces (few, large file writes).
		readAheadUpTo(stream);
		return { head, complete: false, body: stream, contentType, contentLength, finalUrl: current, bytesReceived: () => received };
	}
}
