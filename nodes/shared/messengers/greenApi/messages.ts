import type { IDataObject } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { objectField, pickDefined, stringField } from '../fieldValues';
import type { MessageFile, NoFile } from '../types';

/** Message types whose `fileMessageData` (webhook) or top-level fields (journal) hold a file. */
const FILE_MESSAGE_TYPES = new Set(['imageMessage', 'videoMessage', 'documentMessage', 'audioMessage', 'stickerMessage']);

/** Green-API's marker for a file over 100 MB that it did not store. */
const TOO_LARGE_MARKER = '{{SWE002}}';

export function greenApiFallbackName(messengerPrefix: string, idMessage: string): string {
	return `${messengerPrefix}-${idMessage}`;
}

/**
 * Whether a link in a message may be fetched directly. Anyone who can post to the
 * workflow's webhook writes the message, so only Green-API's own file hosts qualify;
 * any other link is ignored and the file is asked for through downloadFile instead.
 */
export type LinkPolicy = (url: URL) => boolean;

function usableLink(value: string | undefined, isTrusted: LinkPolicy): string | undefined {
	if (!value || !URL.canParse(value)) return undefined;
	const url = new URL(value);
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
	return isTrusted(url) ? value : undefined;
}

/**
 * Finds the file in a Green-API webhook (`incomingMessageReceived`, outgoing-message
 * webhooks) or journal message (`getMessage`, `getChatHistory`).
 */
export function fileInGreenApiMessage(message: IDataObject, messengerPrefix: string, isTrusted: LinkPolicy): MessageFile[] | NoFile {
	const messageData = objectField(message, 'messageData');
	const isWebhook = typeof message.typeWebhook === 'string';
	const messageType = stringField(messageData, 'typeMessage') ?? stringField(message, 'typeMessage');
	if (!messageType || !FILE_MESSAGE_TYPES.has(messageType)) {
		return { noFile: true, messageType: messageType ?? stringField(message, 'typeWebhook') ?? 'unknown' };
	}
	// Webhooks nest the file under messageData.fileMessageData; journals put its fields at the top.
	const fileData = objectField(messageData, 'fileMessageData') ?? (isWebhook ? undefined : message);
	const senderData = objectField(message, 'senderData');
	const instanceData = objectField(message, 'instanceData');
	const chatId = stringField(senderData, 'chatId') ?? stringField(message, 'chatId');
	const idMessage = stringField(message, 'idMessage');
	const downloadUrl = stringField(fileData, 'downloadUrl');

	if (downloadUrl === TOO_LARGE_MARKER) {
		throw new MessageFileError('The file is larger than 100 MB and Green-API did not store it', {
			kind: 'api',
			apiCode: 'SWE002',
			description: 'Green-API keeps no copy of files over 100 MB, so it cannot be downloaded through the API. Ask the sender to share it another way (e.g. a cloud link).',
		});
	}
	const directUrl = usableLink(downloadUrl, isTrusted);
	if (!directUrl && (!chatId || !idMessage)) {
		throw new MessageFileError('The Green-API message has no download link and no chat ID / message ID to ask for one', {
			kind: 'input',
			description: 'Pass the webhook or journal message as Green-API delivered it (it carries senderData.chatId and idMessage).',
		});
	}
	return [
		{
			hints: {
				fileName: stringField(fileData, 'fileName'),
				mimeType: stringField(fileData, 'mimeType'),
				fallbackName: greenApiFallbackName(messengerPrefix, idMessage ?? 'file'),
			},
			directUrl,
			directUrlPolicy: directUrl ? (url: URL) => usableLink(url.toString(), isTrusted) !== undefined : undefined,
			locator: chatId && idMessage ? (pickDefined({ chatId, idMessage, instanceId: stringField(instanceData, 'idInstance') }) as Record<string, string>) : undefined,
			info: pickDefined({
				messageId: idMessage,
				messageType,
				chatId,
				sender: stringField(senderData, 'sender') ?? stringField(message, 'senderId'),
				senderName: stringField(senderData, 'senderName') ?? stringField(message, 'senderName'),
				chatName: stringField(senderData, 'chatName'),
				caption: stringField(fileData, 'caption'),
				timestamp: message.timestamp,
				instanceId: stringField(instanceData, 'idInstance'),
				typeWebhook: stringField(message, 'typeWebhook'),
				isForwarded: fileData?.isForwarded,
			}),
		},
	];
}
