import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MessageFileError, inputError } from '../../transport/errors';
import { mediaFormat } from '../mediaFormat';
import type { ChatTarget, ExecutionState, MessageSender, OutgoingFile, SendOptions, SentMessage } from '../types';
import { feishuChatFromFields, feishuReplyTarget } from './chatTarget';
import { assertFeishuSendable, feishuUploadOf, isOgg, type FeishuUpload } from './mediaKinds';
import { isFeishuMessage } from './messages';
import { assertTextFits, sendFeishuMessage, type FeishuMessage } from './send';
import { uploadFeishuFile } from './uploads';

/**
 * What the bytes of an audio or video file tell: an Ogg file's codec (only Opus is a
 * voice message) and the length Feishu shows for voice and video. Read before any upload.
 */
async function mediaOf(file: OutgoingFile): Promise<{ upload: FeishuUpload; durationMs?: number }> {
	const first = feishuUploadOf(file);
	if (first.msgType !== 'media' && !isOgg(file)) return { upload: first };
	const format = await mediaFormat(await file.open(), file.mimeType, file.size);
	const upload = feishuUploadOf(file, format.codec?.toLowerCase() === 'opus');
	return { upload, durationMs: upload.msgType === 'audio' || upload.msgType === 'media' ? format.durationMs : undefined };
}

function fileMessage(upload: FeishuUpload, key: string): FeishuMessage {
	return upload.upload === 'image' ? { msgType: 'image', content: { image_key: key } } : { msgType: upload.msgType, content: { file_key: key } };
}

/** The file went out but the caption after it did not: say so, since running the item again in a new execution would send the file again. */
function captionAfterFileError(messageId: string, error: unknown): MessageFileError {
	const reason = error instanceof Error ? error.message : String(error);
	const details = error instanceof MessageFileError ? error.details : { kind: 'api' as const };
	return new MessageFileError(`The file was sent (message_id ${messageId}), but the caption after it was not: ${reason}`, {
		...details,
		retryable: false,
		description: `${details.description ? `${details.description} ` : ''}Retry On Fail sends only the caption (Feishu recognises the file's uuid for an hour); running the workflow again sends the file a second time.`,
	});
}

/** Replies as a Feishu / Lark bot: text, and files as image, voice, video or file messages. */
export const feishuSender: MessageSender = {
	credentialType: 'feishuApi',
	displayName: 'Feishu / Lark',
	// The sends are paced to Feishu's limits per chat and per app (./send.ts), however many run at once.
	chatsAtOnce: 20,
	recognises: isFeishuMessage,

	replyTarget: async (context: IExecuteFunctions, message: IDataObject, itemIndex: number): Promise<ChatTarget> =>
		feishuReplyTarget(context, message, itemIndex),

	chatFromFields: async (context: IExecuteFunctions, itemIndex: number): Promise<ChatTarget> => feishuChatFromFields(context, itemIndex),

	async assertSendable(_context: IExecuteFunctions, file: Omit<OutgoingFile, 'open'>): Promise<void> {
		assertFeishuSendable(file);
	},

	async sendText(context: IExecuteFunctions, target: ChatTarget, text: string, options: SendOptions, state: ExecutionState): Promise<SentMessage> {
		if (!text.trim()) throw inputError('Text is empty', 'Feishu sends no empty messages: set Text, or choose Content: File.');
		assertTextFits(text, 'Text');
		const sent = await sendFeishuMessage(context, target, { msgType: 'text', content: { text } }, 'text', options, state);
		return { messenger: 'feishu', chat: target.chat, kind: 'text', id: sent.messageId, ...sent.details };
	},

	/**
	 * Upload, then the image, audio, media or file message; a non-empty caption follows
	 * as a text message of its own, since Feishu's file messages carry no text.
	 */
	async sendFile(
		context: IExecuteFunctions,
		target: ChatTarget,
		file: OutgoingFile,
		caption: string,
		options: SendOptions,
		state: ExecutionState,
	): Promise<SentMessage> {
		assertFeishuSendable(file);
		const hasCaption = caption.trim() !== '';
		if (hasCaption) assertTextFits(caption, 'Caption');
		const { upload, durationMs } = await mediaOf(file);
		const key = await uploadFeishuFile(context, file, upload, durationMs, options, state);
		const sent = await sendFeishuMessage(context, target, fileMessage(upload, key), 'file', options, state);
		const result: SentMessage = {
			messenger: 'feishu',
			chat: target.chat,
			kind: upload.kind,
			id: sent.messageId,
			...sent.details,
			...(upload.upload === 'image' ? { imageKey: key } : { fileKey: key, fileType: upload.fileType }),
			...(durationMs !== undefined ? { durationMs } : {}),
		};
		if (hasCaption) {
			const text = await sendFeishuMessage(context, target, { msgType: 'text', content: { text: caption } }, 'caption', options, state).then(
				(message) => message,
				(error: unknown) => captionAfterFileError(sent.messageId, error),
			);
			if (text instanceof MessageFileError) throw text;
			result.more = [{ kind: 'text', id: text.messageId }];
		}
		return result;
	},
};
