import type { IDataObject } from 'n8n-workflow';

import { inputError } from '../../transport/errors';
import { objectField, pickDefined, stringField } from '../fieldValues';
import type { MessageFile, NoFile } from '../types';
import { shortHash } from '../shortHash';

/** DingTalk robot message types that carry a file in `content.downloadCode`. */
const SINGLE_FILE_TYPES = new Set(['picture', 'file', 'audio', 'video']);

export function dingTalkFallbackName(downloadCode: string, messageId?: string, position?: number): string {
	const base = messageId ? `dingtalk-${messageId}` : `dingtalk-${shortHash(downloadCode)}`;
	return position === undefined ? base : `${base}-${position}`;
}

function messageInfo(message: IDataObject, robotCode: string): IDataObject {
	return pickDefined({
		messageId: stringField(message, 'msgId'),
		messageType: stringField(message, 'msgtype'),
		conversationId: stringField(message, 'conversationId'),
		conversationType: stringField(message, 'conversationType'),
		conversationTitle: stringField(message, 'conversationTitle'),
		senderId: stringField(message, 'senderId'),
		senderStaffId: stringField(message, 'senderStaffId'),
		senderNick: stringField(message, 'senderNick'),
		createAt: message.createAt,
		robotCode,
		// The reply address: handy when the message came as Stream-mode JSON text, where $json does not show it.
		sessionWebhook: stringField(message, 'sessionWebhook'),
		sessionWebhookExpiredTime: message.sessionWebhookExpiredTime,
	});
}

function downloadCodeOf(object: IDataObject | undefined): string | undefined {
	return stringField(object, 'downloadCode') ?? stringField(object, 'pictureDownloadCode');
}

/**
 * Finds the files in a DingTalk robot message (HTTP callback or Stream mode).
 * The robot code comes from the message; `defaultRobotCode` fills in when it has none.
 */
export function filesInDingTalkMessage(message: IDataObject, defaultRobotCode: string): MessageFile[] | NoFile {
	const messageType = stringField(message, 'msgtype') ?? '';
	const content = objectField(message, 'content');
	const robotCode = stringField(message, 'robotCode') ?? defaultRobotCode;
	const messageId = stringField(message, 'msgId');
	const info = messageInfo(message, robotCode);

	if (SINGLE_FILE_TYPES.has(messageType)) {
		const downloadCode = downloadCodeOf(content);
		if (!downloadCode) {
			throw inputError(`The DingTalk ${messageType} message has no content.downloadCode`, 'Pass the robot message exactly as DingTalk delivered it.');
		}
		const fileName = messageType === 'file' ? stringField(content, 'fileName') : undefined;
		return [
			{
				hints: { fileName, fallbackName: dingTalkFallbackName(downloadCode, messageId) },
				locator: { downloadCode, robotCode },
				info: pickDefined({
					...info,
					recognition: stringField(content, 'recognition'),
					duration: content?.duration,
					videoType: stringField(content, 'videoType'),
					spaceId: stringField(content, 'spaceId'),
					fileId: stringField(content, 'fileId'),
				}),
			},
		];
	}

	if (messageType === 'richText') {
		const parts = Array.isArray(content?.richText) ? (content.richText as unknown[]) : [];
		// Text parts are joined untrimmed: the line breaks between them are part of the message.
		const text = parts
			.map((part) => (part && typeof part === 'object' ? (part as IDataObject).text : undefined))
			.filter((part): part is string => typeof part === 'string')
			.join('')
			.trim();
		const pictureCodes = parts
			.filter((part): part is IDataObject => !!part && typeof part === 'object' && downloadCodeOf(part as IDataObject) !== undefined)
			.map((part) => downloadCodeOf(part) as string);
		if (pictureCodes.length === 0) return { noFile: true, messageType };
		return pictureCodes.map((downloadCode, index) => ({
			hints: { fallbackName: dingTalkFallbackName(downloadCode, messageId, pictureCodes.length > 1 ? index + 1 : undefined) },
			locator: { downloadCode, robotCode },
			info: pickDefined({ ...info, text: text || undefined, pictureIndex: index, pictureCount: pictureCodes.length }),
		}));
	}

	return { noFile: true, messageType: messageType || 'unknown' };
}
