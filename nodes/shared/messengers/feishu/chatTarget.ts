import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../../transport/errors';
import { readIdentifier, stringField } from '../fieldValues';
import type { ChatTarget } from '../types';
import { deliveryKey } from './deliveryUuid';
import { feishuMessageOf } from './messages';

/** Feishu's receive_id_type values for a send to a chat or a person (its send page). */
export const RECEIVE_ID_TYPES = ['chat_id', 'open_id', 'union_id', 'user_id', 'email'] as const;
export type ReceiveIdType = (typeof RECEIVE_ID_TYPES)[number];

/**
 * The receive_id_type an ID's shape shows: Feishu's IDs carry their kind in a prefix
 * (`oc_` chat, `ou_` open ID, `on_` union ID); an e-mail address is an e-mail; anything
 * else is a tenant's own user ID.
 */
export function receiveIdTypeOf(id: string): ReceiveIdType {
	if (id.startsWith('oc_')) return 'chat_id';
	if (id.startsWith('ou_')) return 'open_id';
	if (id.startsWith('on_')) return 'union_id';
	if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(id)) return 'email';
	return 'user_id';
}

function readReceiveIdType(context: IExecuteFunctions, itemIndex: number, receiveId: string): ReceiveIdType {
	const chosen = context.getNodeParameter('options.receiveIdType', itemIndex, 'auto') as string;
	if (!chosen || chosen === 'auto') return receiveIdTypeOf(receiveId);
	if (!(RECEIVE_ID_TYPES as readonly string[]).includes(chosen)) {
		throw inputError(`Receive ID Type "${chosen}" is not one Feishu knows`, `Choose Auto or one of ${RECEIVE_ID_TYPES.join(', ')}.`);
	}
	return chosen as ReceiveIdType;
}

/** Replies go to the incoming message (Feishu puts them in its chat, under it); the chat orders them. */
export function feishuReplyTarget(context: IExecuteFunctions, message: IDataObject, itemIndex: number): ChatTarget {
	const incoming = feishuMessageOf(message);
	const messageId = incoming ? stringField(incoming, 'message_id') : undefined;
	if (!incoming || !messageId) {
		throw inputError(
			'The Feishu message has no message_id to reply to',
			'Pass the message as the Feishu Trigger or the event callback delivered it (event.message.message_id), or set Send To to A Chat.',
		);
	}
	const chatId = stringField(incoming, 'chat_id');
	const replyInThread = context.getNodeParameter('options.replyInThread', itemIndex, false) === true;
	return {
		chat: chatId ?? `message:${messageId}`,
		address: {
			replyTo: messageId,
			...(chatId ? { chatId } : {}),
			...(replyInThread ? { replyInThread: 'true' } : {}),
			deliveryKey: deliveryKey(context, itemIndex),
		},
		replyToMessageId: messageId,
	};
}

/** A chat or a person named in the node: Chat ID, its receive_id_type from its shape unless the option says. */
export function feishuChatFromFields(context: IExecuteFunctions, itemIndex: number): ChatTarget {
	const receiveId = readIdentifier(context, 'chatId', 'Chat ID', itemIndex, true);
	const receiveIdType = readReceiveIdType(context, itemIndex, receiveId);
	return {
		chat: receiveIdType === 'chat_id' ? receiveId : `${receiveIdType}:${receiveId}`,
		address: { receiveId, receiveIdType, deliveryKey: deliveryKey(context, itemIndex) },
	};
}
