import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { credentialsOnce } from '../credentialsOnce';
import { objectField, readIdentifier, stringField } from '../fieldValues';
import type { ChatTarget } from '../types';

function target(chatId: string, replyToMessageId?: string): ChatTarget {
	return { chat: chatId, address: { chatId }, ...(replyToMessageId ? { replyToMessageId } : {}) };
}

/**
 * The chat an incoming Green-API message came from (the node has already found the message
 * in its item): webhooks (incoming and outgoing messages) carry it in `senderData.chatId`,
 * journal messages (`getMessage`, `getChatHistory`) flat in `chatId`.
 */
export async function greenApiReplyTarget(context: IExecuteFunctions, message: IDataObject): Promise<ChatTarget> {
	const instanceId = stringField(objectField(message, 'instanceData'), 'idInstance');
	if (instanceId) {
		const credentials = await credentialsOnce(context, 'greenApi');
		const configuredInstance = String(credentials.idInstance ?? '').trim();
		if (configuredInstance && instanceId !== configuredInstance) {
			throw new MessageFileError(`The message arrived at instance ${instanceId}, but the credential is for instance ${configuredInstance}`, {
				kind: 'input',
				description: 'Reply with the Green-API credential of the instance that received the message.',
			});
		}
	}
	const chatId = stringField(objectField(message, 'senderData'), 'chatId') ?? stringField(message, 'chatId');
	if (!chatId) {
		throw new MessageFileError('The Green-API message names no chat to reply to', {
			kind: 'input',
			description: 'It has neither senderData.chatId (webhooks) nor chatId (journal messages). Pass the message as Green-API delivered it, or choose Recipient: Chat and set Chat ID.',
		});
	}
	return target(chatId, stringField(message, 'idMessage'));
}

/**
 * The chat named in the node's Chat ID: WhatsApp `79001234567@c.us`, groups `…@g.us`,
 * `…@lid`; MAX and Telegram numbers, negative for groups. Not validated further:
 * Green-API's own answer names what it refuses.
 */
export function greenApiChatFromFields(context: IExecuteFunctions, itemIndex: number): ChatTarget {
	return target(readIdentifier(context, 'chatId', 'Chat ID', itemIndex, true));
}
