import type { IN8nHttpFullResponse } from 'n8n-workflow';

import { MessageFileError } from './errors';

/** A messenger API's answer, whatever its status: the providers read the error codes themselves. */
export interface ApiResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, unknown>;
}

/** Socket-level failures where the request surely got no answer, so trying again is safe. */
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE']);

const NETWORK_EXPLANATIONS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	EPIPE: 'the connection was closed',
	ENOTFOUND: 'the host name does not resolve',
	EAI_AGAIN: 'the host name could not be resolved right now',
	ETIMEDOUT: 'the request timed out',
	ECONNABORTED: 'the request timed out',
	ERR_CANCELED: 'the execution was cancelled',
	CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
	DEPTH_ZERO_SELF_SIGNED_CERT: 'the server uses a self-signed TLS certificate',
};

/**
 * n8n's NodeApiError drops an Error `cause` (its class field resets it) and replaces the
 * message by a phrase of its own; the original message survives in `messages`.
 */
const N8N_PHRASES: Array<[RegExp, string]> = [
	[/socket hang up|closed unexpectedly/i, 'ECONNRESET'],
	[/refused the connection/i, 'ECONNREFUSED'],
	[/incorrect host/i, 'ENOTFOUND'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/connection timed out|timeout of \d+ms exceeded/i, 'ETIMEDOUT'],
];

function networkCode(error: unknown): string | undefined {
	// Plain axios errors carry `code`; n8n's wrapper may hold it in `cause` or only in its texts.
	let current: unknown = error;
	const texts: string[] = [];
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const record = current as { code?: unknown; cause?: unknown; message?: unknown; messages?: unknown };
		if (typeof record.code === 'string' && record.code.length > 0) return record.code;
		if (Array.isArray(record.messages)) texts.push(...record.messages.filter((text): text is string => typeof text === 'string'));
		if (typeof record.message === 'string') texts.push(record.message);
		current = record.cause;
	}
	for (const text of texts) {
		const code = /\b(E[A-Z_]{4,}|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT)\b/.exec(text)?.[1];
		if (code && code in NETWORK_EXPLANATIONS) return code;
	}
	for (const text of texts) {
		const match = N8N_PHRASES.find(([pattern]) => pattern.test(text));
		if (match) return match[1];
	}
	return undefined;
}

/**
 * Turns a failure to get any HTTP answer into a MessageFileError that names the
 * cause but never the URL (Green-API's token sits in its path).
 */
export function networkError(error: unknown, whatWasCalled: string, kind: 'api' | 'download' = 'api'): MessageFileError {
	if (error instanceof MessageFileError) return error;
	const code = networkCode(error);
	const reason = (code && NETWORK_EXPLANATIONS[code]) ?? 'the request failed before any answer arrived';
	return new MessageFileError(`Could not reach ${whatWasCalled}: ${reason}`, {
		kind,
		apiCode: code,
		description:
			code === 'ENOTFOUND' || code === 'ECONNREFUSED'
				? 'Check the URL in the credential and that n8n can reach it.'
				: 'Check the network between n8n and the service, then try again.',
		retryable: code !== undefined && RETRYABLE_NETWORK_CODES.has(code),
	});
}

/** Sends a request whose HTTP errors come back as answers (ignoreHttpStatusErrors), not throws. */
export async function sendApiRequest(
	send: () => Promise<IN8nHttpFullResponse | unknown>,
	whatWasCalled: string,
): Promise<ApiResponse> {
	let response: unknown;
	try {
		response = await send();
	} catch (error) {
		throw networkError(error, whatWasCalled);
	}
	const full = response as Partial<IN8nHttpFullResponse>;
	return {
		statusCode: typeof full.statusCode === 'number' ? full.statusCode : 0,
		body: parseBody(full.body),
		headers: (full.headers ?? {}) as Record<string, unknown>,
	};
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	const trimmed = body.trim();
	if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
		try {
			return JSON.parse(trimmed) as unknown;
		} catch {
			return body;
		}
	}
	return body;
}

export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		if (Array.isArray(value)) return value.map(String).join(', ');
		if (value !== undefined && value !== null) return String(value);
	}
	return undefined;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(headers: Record<string, unknown>, now = Date.now()): number | undefined {
	const raw = headerValue(headers, 'retry-after');
	if (!raw) return undefined;
	const seconds = Number(raw);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(raw);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** Short text of an error body for messages: JSON `message`, or the first line of text. */
export function bodyText(body: unknown, maxLength = 300): string {
	let text = '';
	if (typeof body === 'string') text = body;
	else if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		const candidate = record.message ?? record.error ?? record.msg;
		text = typeof candidate === 'string' ? candidate : JSON.stringify(body);
	}
	text = text.replace(/\s+/g, ' ').trim();
	return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
