import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { MessageFileError, inputError } from '../../transport/errors';
import { SlidingWindowLimiter } from '../../transport/rateLimiter';
import { withRetries } from '../../transport/retry';
import { stringField } from '../fieldValues';
import type { ChatTarget, ExecutionState, SendOptions } from '../types';
import { deliveryUuid, type MessagePart } from './deliveryUuid';
import { feishuApiCall, feishuAppId } from './sendApi';

export const SEND_PATH = '/open-apis/im/v1/messages';
export const replyPath = (messageId: string) => `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/reply`;

/** A text message's content (the JSON text `{"text": …}`) may be at most 150 KB (Feishu's send page; 230025 above). */
export const FEISHU_MAX_TEXT_CONTENT_BYTES = 150 * 1024;

/**
 * Feishu allows 5 messages a second to one chat or person (shared by every bot in a
 * group) and 50 calls a second per app to each API (its rate-limit page). The node keeps
 * under both in this process, so a burst to one chat is paced instead of refused; what
 * other processes and bots add comes back as 230020 / 429 and is waited out. The chat's
 * window is a little longer than Feishu's second: Feishu counts a message when it
 * arrives, and one that travels slower than the next must not bring five into a second.
 */
const perChat = new SlidingWindowLimiter(5, 1_150, 50);
const perApp = new SlidingWindowLimiter(50, 1_000, 20);

/**
 * Failures where the send may have reached Feishu but its answer did not come back (a
 * timeout, a connection cut mid-answer). With its uuid the send is safe to repeat: Feishu
 * answers a repeat with the message it already sent, so these are tried again too.
 */
const LOST_ANSWER_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ECONNRESET', 'EPIPE']);

function repeatableWithUuid(error: unknown): unknown {
	if (!(error instanceof MessageFileError) || error.retryable) return error;
	const code = error.details.apiCode;
	return code && LOST_ANSWER_CODES.has(code) ? new MessageFileError(error.message, { ...error.details, retryable: true }) : error;
}

/** A Feishu message: its msg_type and its content object (sent as JSON text). */
export interface FeishuMessage {
	msgType: 'text' | 'image' | 'file' | 'audio' | 'media';
	content: IDataObject;
}

/** What Feishu answered a send with: the fields the output shows (never a token). */
export interface FeishuSent {
	messageId: string;
	details: IDataObject;
}

function contentText(message: FeishuMessage): string {
	return JSON.stringify(message.content);
}

/** Refuses, before sending, a text Feishu would refuse as too long (230025). */
export function assertTextFits(text: string, what: 'Text' | 'Caption'): void {
	const bytes = Buffer.byteLength(contentText({ msgType: 'text', content: { text } }), 'utf8');
	if (bytes > FEISHU_MAX_TEXT_CONTENT_BYTES) {
		throw inputError(
			`${what} is ${Math.ceil(bytes / 1024)} KB as a Feishu text message, over Feishu's limit of 150 KB`,
			'Shorten it or split it into several messages (e.g. with the Split Out node), or send it as a file. Nothing was sent.',
		);
	}
}

function address(target: ChatTarget, key: string): string | undefined {
	const value = target.address[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The request of one send or reply: the path, the receive_id_type and the body, with the item's uuid. */
function sendRequest(target: ChatTarget, message: FeishuMessage, part: MessagePart, state: ExecutionState): IHttpRequestOptions {
	const key = address(target, 'deliveryKey');
	const uuid = key ? deliveryUuid(key, part) : undefined;
	const body: IDataObject = { msg_type: message.msgType, content: contentText(message), ...(uuid ? { uuid } : {}) };
	const replyTo = address(target, 'replyTo');
	const common = { method: 'POST' as const, json: true, returnFullResponse: true, ignoreHttpStatusErrors: true, timeout: state.timeoutMs };
	if (replyTo) {
		if (address(target, 'replyInThread') === 'true') body.reply_in_thread = true;
		return { ...common, url: replyPath(replyTo), body };
	}
	const receiveId = address(target, 'receiveId');
	const receiveIdType = address(target, 'receiveIdType');
	if (!receiveId || !receiveIdType) throw inputError('Chat ID is empty', 'Set Chat ID, or reply to an incoming Feishu message.');
	return { ...common, url: SEND_PATH, qs: { receive_id_type: receiveIdType }, body: { receive_id: receiveId, ...body } };
}

function answerData(response: ApiResponse): IDataObject | undefined {
	const body = response.body as { code?: unknown; data?: unknown } | undefined;
	if (response.statusCode !== 200 || body?.code !== 0) return undefined;
	return body.data && typeof body.data === 'object' ? (body.data as IDataObject) : {};
}

/** The answer's fields worth showing: where the message went and its place in a thread. */
function sentDetails(data: IDataObject): IDataObject {
	const details: IDataObject = {};
	const fields: Array<[string, string]> = [
		['chat_id', 'chatId'],
		['root_id', 'rootId'],
		['parent_id', 'parentId'],
		['thread_id', 'threadId'],
		['create_time', 'createTime'],
	];
	for (const [from, to] of fields) {
		const value = stringField(data, from);
		if (value !== undefined) details[to] = value;
	}
	return details;
}

/**
 * Sends (or replies with) one message: paced under Feishu's per-chat and per-app limits,
 * tried again on 429 / 230020 (after the wait Feishu names), 5xx, resets and timeouts as
 * Max Retries allows. Every try carries the same uuid, so Feishu delivers it once.
 */
export async function sendFeishuMessage(
	context: IExecuteFunctions,
	target: ChatTarget,
	message: FeishuMessage,
	part: MessagePart,
	options: SendOptions,
	state: ExecutionState,
): Promise<FeishuSent> {
	const request = sendRequest(target, message, part, state);
	const uuid = (request.body as IDataObject).uuid;
	const appId = await feishuAppId(context);
	const api = address(target, 'replyTo') ? 'reply' : 'send';
	return await withRetries(
		async () => {
			await perChat.acquire(`${appId}\n${target.chat}`);
			await perApp.acquire(`${appId}\n${api}`);
			const response = await feishuApiCall(context, request, state, api === 'reply' ? 'reply to the message' : 'send the message').catch(
				(error: unknown) => {
					throw uuid ? repeatableWithUuid(error) : error;
				},
			);
			const data = answerData(response);
			const messageId = data ? stringField(data, 'message_id') : undefined;
			if (!data || !messageId) {
				throw new MessageFileError('Feishu answered without a message ID', {
					kind: 'api',
					httpCode: response.statusCode,
					description: 'The send call succeeded but carried no message_id. Check the Base URL in the credential (a proxy must pass Feishu\'s answers unchanged).',
				});
			}
			return { messageId, details: sentDetails(data) };
		},
		{ retries: options.maxRetries },
	);
}
