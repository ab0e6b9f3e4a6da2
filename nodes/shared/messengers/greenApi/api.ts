import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import type { ApiResponse } from '../../transport/apiResponse';
import { bodyText, retryAfterMs } from '../../transport/apiResponse';

/** What Green-API's HTTP API knows: URLs (the token sits in the path), and its errors. */

export const DEFAULT_GREEN_API_URL = 'https://api.green-api.com';
export const DEFAULT_GREEN_MEDIA_URL = 'https://media.green-api.com';

export type Messenger = 'whatsapp' | 'max' | 'telegram';

export function messengerOf(credentials: ICredentialDataDecryptedObject): Messenger {
	return credentials.messenger === 'max' || credentials.messenger === 'telegram' ? credentials.messenger : 'whatsapp';
}

const MESSENGER_NAMES: Record<Messenger, string> = { whatsapp: 'WhatsApp', max: 'MAX', telegram: 'Telegram' };

export function messengerName(messenger: Messenger): string {
	return MESSENGER_NAMES[messenger];
}

/** The instance's API root: trailing slashes and a trailing /v3 dropped, then /v3 added for MAX (WhatsApp and Telegram have none). */
export function greenApiBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.apiUrl === 'string' ? credentials.apiUrl.trim() : '';
	const root = (raw || DEFAULT_GREEN_API_URL).replace(/\/+$/, '').replace(/\/v3$/i, '').replace(/\/+$/, '');
	return messengerOf(credentials) === 'max' ? `${root}/v3` : root;
}

/**
 * The instance's media root (sendFileByUpload, uploadFile), normalised as the API root is:
 * Green-API's MAX docs put the media methods under /v3 too.
 */
export function greenApiMediaBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.mediaUrl === 'string' ? credentials.mediaUrl.trim() : '';
	const root = (raw || DEFAULT_GREEN_MEDIA_URL).replace(/\/+$/, '').replace(/\/v3$/i, '').replace(/\/+$/, '');
	return messengerOf(credentials) === 'max' ? `${root}/v3` : root;
}

/**
 * Method names starting with this prefix go to the instance's Media URL instead of its API URL
 * (`media:sendFileByUpload`). The node names only the method; the credential adds host and token,
 * so the token never exists outside n8n's request.
 */
export const MEDIA_METHOD_PREFIX = 'media:';

export function greenApiMediaMethod(method: string): string {
	return `${MEDIA_METHOD_PREFIX}${method}`;
}

function idInstanceOf(credentials: ICredentialDataDecryptedObject): string {
	return String(credentials.idInstance ?? '').trim();
}

/**
 * `{apiUrl}[/v3]/waInstance{idInstance}/{method}/{apiTokenInstance}`, or against the Media URL
 * for `media:{method}`. A URL that is already absolute is left alone, so only the node's method
 * names are expanded.
 */
export function greenApiMethodUrl(credentials: ICredentialDataDecryptedObject, method: string | undefined): string {
	let name = (method ?? '').replace(/^\/+/, '');
	if (/^[a-z]+:\/\//i.test(name)) return name;
	const onMediaHost = name.startsWith(MEDIA_METHOD_PREFIX);
	if (onMediaHost) name = name.slice(MEDIA_METHOD_PREFIX.length);
	// Methods that take a path argument after the token (deleteNotification/{receiptId}) name it as `method/argument`.
	const [methodName, ...rest] = name.split('/');
	const token = encodeURIComponent(String(credentials.apiTokenInstance ?? '').trim());
	const tail = rest.length ? `/${rest.join('/')}` : '';
	const root = onMediaHost ? greenApiMediaBaseUrl(credentials) : greenApiBaseUrl(credentials);
	return `${root}/waInstance${encodeURIComponent(idInstanceOf(credentials))}/${methodName}/${token}${tail}`;
}

/** Hosts Green-API serves message files from (WhatsApp's object storage, MAX's CDN, its own media hosts). */
const GREEN_API_FILE_HOSTS = [/(^|\.)storage\.yandexcloud\.net$/, /(^|\.)green-api\.com$/, /(^|\.)greenapi\.com$/, /(^|\.)oneme\.ru$/];

/** Whether a link from a message points at Green-API's file hosts or the instance's own media URL. */
export function isGreenApiFileLink(url: URL, credentials: ICredentialDataDecryptedObject): boolean {
	const mediaUrl = typeof credentials.mediaUrl === 'string' ? credentials.mediaUrl.trim() : '';
	if (mediaUrl && URL.canParse(mediaUrl) && new URL(mediaUrl).host === url.host) return true;
	return GREEN_API_FILE_HOSTS.some((pattern) => pattern.test(url.hostname.toLowerCase()));
}

/** Removes the API token from any text that might carry a Green-API URL. */
export function redactToken(text: string, credentials: ICredentialDataDecryptedObject): string {
	const token = String(credentials.apiTokenInstance ?? '').trim();
	if (token.length < 4) return text;
	return text.split(token).join('***').split(encodeURIComponent(token)).join('***');
}

interface Explanation {
	message: string;
	description: string;
	retryable?: boolean;
	kind?: 'input' | 'api';
}

interface QuotaStatus {
	status?: unknown;
	description?: unknown;
}

function quotaStatus(body: unknown, key: string): QuotaStatus | undefined {
	const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
	return value && typeof value === 'object' ? (value as QuotaStatus) : undefined;
}

/**
 * HTTP 466: `invokeStatus` says whether the monthly quota of API calls is used up
 * (QUOTE_EXCEEDED), `correspondentsStatus` whether the quota of chats is
 * (CORRESPONDENTS_QUOTE_EXCEEDED). Either or both may be exceeded.
 */
function quotaExplanation(body: unknown, text: string, method: GreenApiMethod): Explanation {
	const invoke = quotaStatus(body, 'invokeStatus');
	const correspondents = quotaStatus(body, 'correspondentsStatus');
	const calls = invoke?.status === 'QUOTE_EXCEEDED' || (!invoke && !correspondents && !text.includes('CORRESPONDENTS_QUOTE_EXCEEDED'));
	const chats = correspondents?.status === 'CORRESPONDENTS_QUOTE_EXCEEDED' || (!correspondents && text.includes('CORRESPONDENTS_QUOTE_EXCEEDED'));
	const said = [invoke, correspondents]
		.filter((entry): entry is QuotaStatus => entry !== undefined && typeof entry.status === 'string' && entry.status !== 'ALLOWED')
		.map((entry) => `${String(entry.status)}${typeof entry.description === 'string' ? ` (${entry.description})` : ''}`)
		.join('; ');
	const saidText = said ? ` Green-API said: ${said}.` : '';
	if (calls) {
		return {
			message: chats
				? "The instance's monthly quotas of API calls and of chats are used up"
				: "The instance's monthly quota of API calls is used up",
			description: `Upgrade the instance's plan in the Green-API console, or wait for the quota to reset.${saidText}`,
		};
	}
	return {
		message: "The instance's correspondents quota is used up",
		description: `The plan allows ${isSend(method) ? 'messages to' : 'files from'} only a few chats a month: upgrade the instance's plan in the Green-API console.${saidText}`,
	};
}

/** The Green-API methods the package calls, for errors that depend on what was asked. */
export type GreenApiMethod = 'downloadFile' | 'sendMessage' | 'sendFileByUpload' | 'receiveNotification' | 'deleteNotification' | 'getSettings' | 'setSettings';

/** Green-API's documented requests per second per instance (its "Rate limiter" page). */
export const GREEN_API_RATE_PER_SECOND: Partial<Record<GreenApiMethod, number>> = {
	downloadFile: 5,
	sendMessage: 50,
	sendFileByUpload: 50,
	receiveNotification: 100,
	deleteNotification: 100,
	getSettings: 1,
	setSettings: 1,
};

function isSend(method: GreenApiMethod): boolean {
	return method === 'sendMessage' || method === 'sendFileByUpload';
}

/** Green-API's limits on what it sends (SendMessage, SendFileByUpload docs). */
export const GREEN_API_MAX_TEXT_CHARACTERS = 20_000;
export const GREEN_API_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** The send methods' own refusals: Joi validation details and the upload size limit. */
function sendExplanation(status: number, lower: string, text: string, name: string): Explanation | undefined {
	if (lower.includes("'message' length") || lower.includes("'caption' length")) {
		return {
			kind: 'input',
			message: `The text is longer than Green-API's ${GREEN_API_MAX_TEXT_CHARACTERS} characters`,
			description: `Shorten the text or split it into several messages. Green-API said: “${text}”.`,
		};
	}
	if (lower.includes("'chatid'")) {
		return {
			kind: 'input',
			message: 'Green-API refused the chat ID',
			description: `A WhatsApp chat ID looks like 79001234567@c.us (a group: …@g.us); a MAX or Telegram chat ID is a number, negative for groups. Green-API said: “${text}”.`,
		};
	}
	if (lower.includes("'quotedmessageid'") || lower.includes('message id')) {
		return {
			kind: 'input',
			message: 'Green-API refused the ID of the message to quote',
			description: `Quoting needs a message Green-API knows in the same chat. Turn Quote Message off, or reply to a message as Green-API delivered it. Green-API said: “${text}”.`,
		};
	}
	if (status === 413 || lower.includes('exceeded max upload size')) {
		return {
			kind: 'input',
			message: `The file is over Green-API's ${GREEN_API_MAX_FILE_BYTES / 1024 / 1024} MB limit`,
			description: `${name} through Green-API takes files up to 100 MB. Send a smaller file, or a link to it.`,
		};
	}
	if (lower.includes('validation failed') || lower.includes('bad request data')) {
		return {
			kind: 'input',
			message: 'Green-API refused the message',
			description: `Check Chat ID, the text and the file name (it must end with the file's extension). Green-API said: “${text}”.`,
		};
	}
	return undefined;
}

function explain(status: number, text: string, body: unknown, messenger: Messenger, failure: string, method: GreenApiMethod): Explanation {
	const lower = text.toLowerCase();
	const name = messengerName(messenger);
	const sendProblem = isSend(method) ? sendExplanation(status, lower, text, name) : undefined;
	if (sendProblem) return sendProblem;
	if (lower.includes('encrypted url not found')) {
		return {
			message: 'This message has no file to download',
			description: 'Green-API found no file in the message with this chat ID and message ID. Check that idMessage belongs to a file message (image, video, document, audio, sticker) in that chat.',
		};
	}
	if (status === 500 && lower.includes('internal error when downloading file')) {
		return {
			message: `The file is no longer available on ${name}'s servers`,
			description: `${name} no longer holds this file, so Green-API cannot download it. This is final: ask the sender to send the file again.`,
		};
	}
	if (lower.includes('validation failed')) {
		return {
			kind: 'input',
			message: 'Green-API refused the chat ID or message ID',
			description: `Check Chat ID and Message ID: both are required (a WhatsApp chat ID looks like 79001234567@c.us; a MAX or Telegram chat ID is a number). Green-API said: “${text}”.`,
		};
	}
	if (lower.includes('not authorized')) {
		return {
			message: `The Green-API instance is not linked to a ${name} account`,
			description: 'Open the instance in the Green-API console and scan the QR code with the messenger app.',
		};
	}
	if (lower.includes('starting process')) {
		return { message: 'The Green-API instance is still starting', description: 'Wait a minute and run the workflow again.' };
	}
	if (lower.includes('expired')) {
		return { message: 'The Green-API instance has expired', description: 'Renew the instance\'s plan in the Green-API console.' };
	}
	if (lower.includes('deleted')) {
		return { message: 'The Green-API instance was deleted', description: 'Create a new instance and update the credential.' };
	}
	switch (status) {
		case 401:
			return { message: 'Green-API rejected the API token', description: 'Copy apiTokenInstance again from the instance page of the Green-API console into the credential.' };
		case 403:
			return { message: 'Green-API does not know this instance at this API URL', description: 'Check the instance ID and the API URL in the credential: each instance has its own apiUrl.' };
		case 404:
			return {
				message: 'Green-API has no such method at this URL',
				description: `Check the API URL and the Messenger setting of the credential (it is set to ${name}; MAX instances use the /v3 API).`,
			};
		case 466:
			return quotaExplanation(body, text, method);
		case 429: {
			const rate = GREEN_API_RATE_PER_SECOND[method];
			const paced = method === 'downloadFile';
			const limit = rate ? `${paced ? 'The node keeps under' : 'Green-API allows'} ${rate} ${method} calls a second per instance; other` : 'Other';
			const advice = method === 'downloadFile' ? " Lower the node's Concurrency option." : isSend(method) ? ' Raise Max Retries, or send fewer messages at once.' : '';
			return {
				message: 'Green-API is rate-limiting this instance',
				description: `${limit} workflows on the same instance count too.${advice}`,
				retryable: true,
			};
		}
		case 502:
		case 503:
		case 504:
			return { message: `Green-API is unavailable (HTTP ${status})`, description: 'Try again shortly.', retryable: true };
		default:
			return {
				message: `Green-API ${failure} (HTTP ${status})`,
				description: text ? `Green-API said: “${text}”.` : isSend(method) ? 'Check the chat ID.' : 'Check the chat ID and message ID.',
			};
	}
}

/**
 * The error for a non-success answer (downloadFile by default; `failure` says what else failed,
 * e.g. "could not deliver notifications", and `method` which call it was, for the errors that
 * depend on it). The text never holds the URL, and the token is redacted regardless.
 */
export function greenApiError(
	response: ApiResponse,
	credentials: ICredentialDataDecryptedObject,
	failure = 'could not resolve the file link',
	method: GreenApiMethod = 'downloadFile',
): MessageFileError {
	const text = redactToken(bodyText(response.body), credentials);
	const explanation = explain(response.statusCode, text, response.body, messengerOf(credentials), failure, method);
	const quoted = explanation.description.includes(text) || explanation.description.includes('Green-API said:');
	const said = text && !quoted ? ` Green-API said: “${text}”.` : '';
	return new MessageFileError(explanation.message, {
		kind: explanation.kind ?? 'api',
		httpCode: response.statusCode,
		description: `${explanation.description}${said}`,
		retryable: explanation.retryable === true,
		retryAfterMs: retryAfterMs(response.headers),
	});
}
