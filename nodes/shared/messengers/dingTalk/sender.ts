import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../../transport/errors';
import { withRetries } from '../../transport/retry';
import { identifierValue, readIdentifier, stringField } from '../fieldValues';
import { isDingTalkMessage } from '../incomingMessage';
import type { ChatTarget, ExecutionState, MessageSender, OutgoingFile, SendOptions, SentKind, SentMessage } from '../types';
import { durationFromBytes } from './audioDuration';
import { MEDIA_RULES, dingTalkExtension, dingTalkUploadType, uploadTypeOf, type UploadType } from './mediaKinds';
import { uploadMedia } from './mediaUpload';
import { defaultRobotCode } from './provider';
import { MAX_USERS_PER_MESSAGE, sendRobotMessage, type RobotMessage } from './send';

function requireRobotCode(robotCode: string): string {
	if (!robotCode) {
		throw inputError(
			'No robot code: the node, the message and the credential name none',
			'Set Robot Code in the node or a default in the DingTalk credential. For an internal app it is usually the App Key.',
		);
	}
	return robotCode;
}

function userTarget(robotCode: string, userIds: string[]): ChatTarget {
	return { chat: `user:${userIds.join(',')}`, address: { robotCode, userIds } };
}

function groupTarget(robotCode: string, openConversationId: string, coolAppCode: string): ChatTarget {
	return { chat: `group:${openConversationId}`, address: { robotCode, openConversationId, ...(coolAppCode ? { coolAppCode } : {}) } };
}

/**
 * The group cool app's code (groupMessages/send `coolAppCode`, required where the robot came
 * with a group cool app): the Cool App Code option, else a `coolAppCode` the message carries.
 */
function coolAppCodeOf(context: IExecuteFunctions, itemIndex: number, message?: IDataObject): string {
	const option = identifierValue(context.getNodeParameter('options.coolAppCode', itemIndex, '') as unknown, 'Cool App Code', false);
	return option || (message ? (stringField(message, 'coolAppCode') ?? '') : '');
}

/** Staff IDs from a comma-separated text or a list (an expression's array), each checked like any identifier. */
function readUserIds(context: IExecuteFunctions, itemIndex: number): string[] {
	const raw = context.getNodeParameter('userIds', itemIndex, '') as unknown;
	const parts = Array.isArray(raw) ? (raw as unknown[]) : typeof raw === 'string' ? raw.split(',') : [raw];
	const userIds = [...new Set(parts.map((part) => identifierValue(part, 'User IDs', false)).filter((id) => id !== ''))];
	if (userIds.length === 0) {
		throw inputError('User IDs is empty', "Set User IDs to one or more staff IDs (userId), comma-separated, e.g. the message's senderStaffId.");
	}
	if (userIds.length > MAX_USERS_PER_MESSAGE) {
		throw inputError(
			`User IDs lists ${userIds.length} users; DingTalk takes at most ${MAX_USERS_PER_MESSAGE} per message`,
			'Split the users over several items (for example with the Split Out and Loop Over Items nodes).',
		);
	}
	return userIds;
}

/** The kind the output shows: the upload type's, but a video without a cover went as a file. */
function kindOf(type: UploadType, media: UploadedMedia): SentKind {
	return type === 'video' && !media.coverMediaId ? 'file' : MEDIA_RULES[type].kind;
}

/**
 * A voice message, or a video sent as one (it has a cover), states its length: the Duration
 * option, else what the bytes tell. Read before any upload; a length that cannot be read is refused.
 */
async function mediaDuration(file: OutgoingFile, type: UploadType, options: SendOptions): Promise<number | undefined> {
	if (type !== 'voice' && !(type === 'video' && options.videoCover)) return undefined;
	if (options.durationMs !== undefined) return options.durationMs;
	const extension = dingTalkExtension(file.extension);
	const durationMs = await durationFromBytes(file.open, extension, file.mimeType, file.size);
	if (durationMs === undefined) {
		throw inputError(
			`The duration of the ${extension.toUpperCase()} ${type === 'voice' ? 'recording' : 'video'} cannot be read from its bytes`,
			'Set the Voice/Video Duration (ms) option, or check that the file is complete.',
		);
	}
	return durationMs;
}

/** The cover of a video message: a picture DingTalk takes (JPG, PNG, GIF, BMP up to 20 MB), refused before any upload otherwise. */
function assertCover(cover: OutgoingFile): void {
	if (uploadTypeOf(cover.extension) !== 'image') {
		throw inputError(
			`The video cover is ${cover.extension.toUpperCase()} (${cover.mimeType}), not a picture DingTalk takes`,
			'The field named in Video Cover must hold a JPG, PNG, GIF or BMP picture (for example a frame of the video).',
		);
	}
	dingTalkUploadType(cover); // its size limit
}

interface UploadedMedia {
	mediaId: string;
	/** The cover's media_id, when the video goes as a video message. */
	coverMediaId?: string;
	durationMs?: number;
}

function fileMessage(file: OutgoingFile, type: UploadType, media: UploadedMedia): RobotMessage {
	switch (type) {
		case 'image':
			// sampleImageMsg takes a media_id where it asks for a picture URL.
			return { msgKey: 'sampleImageMsg', msgParam: { photoURL: media.mediaId } };
		case 'voice':
			// sampleAudio states its duration in milliseconds, as text.
			return { msgKey: 'sampleAudio', msgParam: { mediaId: media.mediaId, duration: String(Math.round(media.durationMs ?? 0)) } };
		case 'video':
			// sampleVideo needs its cover picMediaId and states the duration in milliseconds, as text (docs/sending.md,
			// "Video"); without a cover the MP4 goes as a file message, which DingTalk always shows.
			if (media.coverMediaId) {
				return {
					msgKey: 'sampleVideo',
					msgParam: { duration: String(Math.max(1, Math.round(media.durationMs ?? 0))), videoMediaId: media.mediaId, videoType: 'mp4', picMediaId: media.coverMediaId },
				};
			}
			return { msgKey: 'sampleFile', msgParam: { mediaId: media.mediaId, fileName: file.fileName, fileType: 'mp4' } };
		default:
			return { msgKey: 'sampleFile', msgParam: { mediaId: media.mediaId, fileName: file.fileName, fileType: dingTalkExtension(file.extension) } };
	}
}

/** One robot message, tried again on throttling, 5xx and resets as the options allow. */
async function send(context: IExecuteFunctions, target: ChatTarget, message: RobotMessage, options: SendOptions, state: ExecutionState): Promise<string> {
	return await withRetries(async () => await sendRobotMessage(context, target, message, state), { retries: options.maxRetries });
}

function textMessage(text: string, options: SendOptions): RobotMessage {
	const title = options.markdownTitle?.trim();
	return title ? { msgKey: 'sampleMarkdown', msgParam: { title, text } } : { msgKey: 'sampleText', msgParam: { content: text } };
}

export const dingTalkSender: MessageSender = {
	credentialType: 'dingTalkApi',
	displayName: 'DingTalk robot',
	// DingTalk documents no per-robot rate, and its throttling (QpsLimit) spends Max Retries: kept low.
	chatsAtOnce: 4,
	recognises: isDingTalkMessage,

	async replyTarget(context: IExecuteFunctions, message: IDataObject, itemIndex: number): Promise<ChatTarget> {
		const robotCode = requireRobotCode(stringField(message, 'robotCode') ?? (await defaultRobotCode(context)));
		const conversationType = stringField(message, 'conversationType');
		const messageId = stringField(message, 'msgId');
		if (conversationType === '2') {
			const conversationId = stringField(message, 'conversationId');
			if (!conversationId) {
				throw inputError('The DingTalk group message has no conversationId', 'Pass the robot message exactly as DingTalk delivered it.');
			}
			return { ...groupTarget(robotCode, conversationId, coolAppCodeOf(context, itemIndex, message)), replyToMessageId: messageId };
		}
		if (conversationType === '1') {
			const staffId = stringField(message, 'senderStaffId');
			if (!staffId) {
				throw inputError(
					'The DingTalk message has no senderStaffId: the sender is not a member of the organisation',
					'A robot can only send one-to-one messages to members of its organisation (users from other organisations have no staff ID). Reply with the quick-reply sessionWebhook of the message instead, or send to a chat named in the node.',
				);
			}
			return { ...userTarget(robotCode, [staffId]), replyToMessageId: messageId };
		}
		throw inputError(
			`The DingTalk message has ${conversationType ? `conversationType "${conversationType}"` : 'no conversationType'}`,
			'Replies need conversationType "1" (one-to-one) or "2" (group): pass the robot message exactly as DingTalk delivered it, or set Recipient to a chat named in the node.',
		);
	},

	async chatFromFields(context: IExecuteFunctions, itemIndex: number): Promise<ChatTarget> {
		const robotCode = requireRobotCode(readIdentifier(context, 'robotCode', 'Robot Code', itemIndex, false) || (await defaultRobotCode(context)));
		const chatType = context.getNodeParameter('dingTalkChatType', itemIndex, 'user') as string;
		if (chatType === 'group') {
			return groupTarget(robotCode, readIdentifier(context, 'openConversationId', 'Open Conversation ID', itemIndex, true), coolAppCodeOf(context, itemIndex));
		}
		return userTarget(robotCode, readUserIds(context, itemIndex));
	},

	async assertSendable(_context: IExecuteFunctions, file: Omit<OutgoingFile, 'open'>): Promise<void> {
		dingTalkUploadType(file);
	},

	async sendText(context: IExecuteFunctions, target: ChatTarget, text: string, options: SendOptions, state: ExecutionState): Promise<SentMessage> {
		const id = await send(context, target, textMessage(text, options), options, state);
		return { messenger: 'dingTalk', chat: target.chat, kind: 'text', id };
	},

	/**
	 * Upload, then the file message; a non-empty caption follows as a text message of its
	 * own, because DingTalk's file, image, voice and video messages carry no text.
	 */
	async sendFile(
		context: IExecuteFunctions,
		target: ChatTarget,
		file: OutgoingFile,
		caption: string,
		options: SendOptions,
		state: ExecutionState,
	): Promise<SentMessage> {
		const type = dingTalkUploadType(file);
		const cover = type === 'video' ? options.videoCover : undefined;
		if (cover) assertCover(cover);
		const durationMs = await mediaDuration(file, type, options);
		const upload = async (what: OutgoingFile, as: UploadType) =>
			await withRetries(async () => await uploadMedia(context, what, as, state), { retries: options.maxRetries });
		const media: UploadedMedia = { mediaId: await upload(file, type), durationMs };
		if (cover) media.coverMediaId = await upload(cover, 'image');
		const id = await send(context, target, fileMessage(file, type, media), options, state);
		const sent: SentMessage = {
			messenger: 'dingTalk',
			chat: target.chat,
			kind: kindOf(type, media),
			id,
			mediaId: media.mediaId,
			...(media.coverMediaId ? { coverMediaId: media.coverMediaId } : {}),
		};
		if (caption.trim() !== '') {
			const textId = await send(context, target, textMessage(caption, options), options, state);
			sent.more = [{ kind: 'text', id: textId }];
		}
		return sent;
	},
};
