import type { IDataObject } from 'n8n-workflow';

import { inputError } from '../transport/errors';

/** The largest message text the node parses; bigger ones are not bot messages. */
const MAX_MESSAGE_CHARACTERS = 5_000_000;

function parseJson(text: string, where: string): unknown {
	if (text.length > MAX_MESSAGE_CHARACTERS) {
		throw inputError(`The message ${where} is too large to be a bot message (${text.length} characters)`, 'Map Message to the incoming message itself.');
	}
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return undefined;
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		throw inputError(`The message ${where} is not valid JSON`, 'Map Message to the incoming message as it arrived (an object, or the JSON text DingTalk Stream mode delivers).');
	}
}

function asObject(value: unknown): IDataObject | undefined {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

/**
 * The places a bot message can sit in an n8n item, in order: the value itself, the
 * `body` of n8n's Webhook node, and the `data` JSON text of a DingTalk Stream frame,
 * each possibly as JSON text.
 */
export function messageCandidates(raw: unknown): IDataObject[] {
	const candidates: IDataObject[] = [];
	const visit = (value: unknown, where: string, depth: number) => {
		if (depth > 3) return;
		const parsed = typeof value === 'string' ? parseJson(value, where) : value;
		const object = asObject(parsed);
		if (!object) return;
		candidates.push(object);
		if ('body' in object) visit(object.body, 'body', depth + 1);
		if ('data' in object) visit(object.data, 'data', depth + 1);
	};
	visit(raw, 'text', 0);
	return candidates;
}

/** A short description of what the node saw, for "this is not a … message" errors. */
export function describeShape(raw: unknown): string {
	const object = asObject(raw);
	if (!object) return raw === undefined || raw === null || raw === '' ? 'nothing' : `a ${Array.isArray(raw) ? 'list' : typeof raw}`;
	const keys = Object.keys(object).slice(0, 8);
	return keys.length ? `an object with ${keys.join(', ')}${Object.keys(object).length > 8 ? ', …' : ''}` : 'an empty object';
}

export function isDingTalkMessage(object: IDataObject): boolean {
	return typeof object.msgtype === 'string' && ('content' in object || 'text' in object || 'conversationId' in object || 'chatbotUserId' in object || 'msgId' in object);
}

export function isGreenApiMessage(object: IDataObject): boolean {
	if (typeof object.typeWebhook === 'string') return true;
	return typeof object.typeMessage === 'string' && ('idMessage' in object || 'chatId' in object);
}

/** A Feishu `message` object: its message_id and message_type (om_…, image / file / post …). */
function isFeishuMessageObject(value: unknown): boolean {
	const object = asObject(value);
	return !!object && typeof object.message_id === 'string' && typeof object.message_type === 'string';
}

/**
 * A Feishu message in any of its shapes: the event body and the Feishu Trigger's item
 * (`{schema: "2.0", header, event: {sender, message}}`), the official SDK's flattened
 * event (`{event_id, event_type, sender, message}`), or the `message` object itself.
 */
export function isFeishuMessage(object: IDataObject): boolean {
	return isFeishuMessageObject(object) || isFeishuMessageObject(object.message) || isFeishuMessageObject(asObject(object.event)?.message);
}

/** A messenger as far as recognising its messages goes (a FileProvider or a MessageSender). */
export interface MessageShape {
	readonly displayName: string;
	recognises(message: IDataObject): boolean;
}

/**
 * The messenger's message in what the user mapped to Message (the item, the Webhook
 * node's body, DingTalk Stream's JSON text). Another messenger's message, or none,
 * is an input error that says which.
 */
export function findMessage(raw: unknown, messenger: MessageShape, others: MessageShape[]): IDataObject {
	const candidates = messageCandidates(raw);
	const message = candidates.find((candidate) => messenger.recognises(candidate));
	if (message) return message;
	const other = others.find((candidate) => candidate !== messenger && candidates.some((object) => candidate.recognises(object)));
	if (other) {
		throw inputError(
			`This is a ${other.displayName} message, but Service is set to ${messenger.displayName}`,
			`Set Service to match the message, or map Message to a ${messenger.displayName} message.`,
		);
	}
	throw inputError(
		`Message is not a ${messenger.displayName} message: the node saw ${describeShape(raw)}`,
		`Map Message to the incoming ${messenger.displayName} message as it arrived (by default {{ $json }}; the Webhook node's body and JSON text are accepted too).`,
	);
}
