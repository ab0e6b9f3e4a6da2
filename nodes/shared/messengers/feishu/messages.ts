import type { IDataObject } from 'n8n-workflow';

import { inputError } from '../../transport/errors';
import { objectField, pickDefined, stringField } from '../fieldValues';
import { isFeishuMessage } from '../incomingMessage';
import { shortHash } from '../shortHash';
import type { MessageFile, NoFile } from '../types';

export { isFeishuMessage };

/** Which of Feishu's resource types a key is downloaded as (`?type=image|file`). */
export type FeishuResourceType = 'image' | 'file';

/** Image keys start with `img_`; file, audio and video keys (`file_…`) are files. */
export function resourceTypeOfKey(fileKey: string): FeishuResourceType {
	return fileKey.startsWith('img_') ? 'image' : 'file';
}

export function feishuFallbackName(fileKey: string, resourceType: FeishuResourceType, messageId?: string, position?: number): string {
	const base = messageId ? `feishu-${messageId}` : `feishu-${resourceType}-${shortHash(fileKey)}`;
	return position === undefined ? base : `${base}-${position}`;
}

/** Message types with nothing an app may download, and why. */
const NOT_DOWNLOADABLE: Record<string, string> = {
	sticker: 'Feishu does not let apps download stickers',
	merge_forward: 'Feishu does not let apps download files from a forwarded bundle (merge_forward) of messages',
	interactive: 'Feishu does not let apps download images or files inside cards',
	folder: 'Feishu does not let apps download shared folders',
	share_chat: 'a shared group card carries no file',
	share_user: 'a shared contact card carries no file',
	share_calendar_event: 'a shared calendar event carries no file',
};

/**
 * The `message` object of an incoming Feishu message, whichever shape it came in: the
 * event body (`event.message`), the SDK's flattened event (`message`), or itself.
 */
export function feishuMessageOf(raw: IDataObject): IDataObject | undefined {
	const candidates = [objectField(objectField(raw, 'event'), 'message'), objectField(raw, 'message'), raw];
	return candidates.find((candidate) => candidate !== undefined && stringField(candidate, 'message_id') !== undefined && 'message_type' in candidate);
}

/** `content` is a JSON string in events; an already parsed object is taken too. */
function parseContent(message: IDataObject, messageType: string): IDataObject {
	const content = message.content;
	if (content && typeof content === 'object' && !Array.isArray(content)) return content as IDataObject;
	if (typeof content !== 'string' || content.trim() === '') {
		throw inputError(`The Feishu ${messageType} message has no content`, 'Pass the message exactly as Feishu delivered it (message.content is a JSON text). A recalled message arrives without content.');
	}
	try {
		const parsed = JSON.parse(content) as unknown;
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as IDataObject;
	} catch {
		// Reported below.
	}
	throw inputError(`The content of the Feishu ${messageType} message is not valid JSON`, 'Pass the message exactly as Feishu delivered it (message.content is a JSON text).');
}

/** What the output item says about the message, whichever file of it this is. */
function messageInfo(raw: IDataObject, message: IDataObject): IDataObject {
	const header = objectField(raw, 'header');
	const sender = objectField(objectField(raw, 'event'), 'sender') ?? objectField(raw, 'sender');
	const senderId = objectField(sender, 'sender_id');
	return pickDefined({
		messageId: stringField(message, 'message_id'),
		messageType: stringField(message, 'message_type'),
		chatId: stringField(message, 'chat_id'),
		chatType: stringField(message, 'chat_type'),
		createTime: stringField(message, 'create_time'),
		rootId: stringField(message, 'root_id'),
		parentId: stringField(message, 'parent_id'),
		threadId: stringField(message, 'thread_id'),
		senderOpenId: stringField(senderId, 'open_id'),
		senderUnionId: stringField(senderId, 'union_id'),
		senderUserId: stringField(senderId, 'user_id'),
		senderType: stringField(sender, 'sender_type'),
		eventId: stringField(header, 'event_id') ?? stringField(raw, 'event_id'),
		tenantKey: stringField(header, 'tenant_key') ?? stringField(raw, 'tenant_key'),
	});
}

interface Resource {
	fileKey: string;
	resourceType: FeishuResourceType;
	fileName?: string;
	extra?: IDataObject;
}

/** A post's body: `{title, content: [[…]]}` as received, or wrapped in a locale (`{zh_cn: {…}}`) as sent. */
function postBody(content: IDataObject): IDataObject | undefined {
	if (Array.isArray(content.content)) return content;
	for (const value of Object.values(content)) {
		if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as IDataObject).content)) return value as IDataObject;
	}
	return undefined;
}

/** Every `img` (image) and `media` (video, a file) element of a post, in reading order, and its text. */
function postResources(content: IDataObject): { resources: Resource[]; title?: string; text?: string } {
	const body = postBody(content);
	if (!body) return { resources: [] };
	const resources: Resource[] = [];
	const lines: string[] = [];
	for (const paragraph of body.content as unknown[]) {
		if (!Array.isArray(paragraph)) continue;
		let line = '';
		for (const element of paragraph as unknown[]) {
			if (!element || typeof element !== 'object') continue;
			const node = element as IDataObject;
			const tag = stringField(node, 'tag');
			const imageKey = stringField(node, 'image_key');
			const fileKey = stringField(node, 'file_key');
			if (tag === 'img' && imageKey) resources.push({ fileKey: imageKey, resourceType: 'image' });
			else if (tag === 'media' && fileKey) resources.push({ fileKey, resourceType: 'file', fileName: stringField(node, 'file_name') });
			else if (typeof node.text === 'string') line += node.text;
		}
		if (line.trim()) lines.push(line);
	}
	return { resources, title: stringField(body, 'title'), text: lines.join('\n').trim() || undefined };
}

function singleResource(messageType: string, content: IDataObject): Resource | undefined {
	switch (messageType) {
		case 'image': {
			const imageKey = stringField(content, 'image_key');
			return imageKey ? { fileKey: imageKey, resourceType: 'image' } : undefined;
		}
		case 'file':
		case 'audio':
		case 'media':
		case 'video': {
			const fileKey = stringField(content, 'file_key');
			if (!fileKey) return undefined;
			return {
				fileKey,
				resourceType: 'file',
				fileName: stringField(content, 'file_name'),
				extra: pickDefined({ duration: content.duration, coverImageKey: stringField(content, 'image_key') }),
			};
		}
		default:
			return undefined;
	}
}

const SINGLE_FILE_TYPES = new Set(['image', 'file', 'audio', 'media', 'video']);

/** Finds the files in an incoming Feishu message (event body, SDK event or the message object). */
export function filesInFeishuMessage(raw: IDataObject): MessageFile[] | NoFile {
	const message = feishuMessageOf(raw);
	if (!message) {
		throw inputError('The Feishu message has no message_id and message_type', 'Pass the message as the Feishu Trigger or the event callback delivered it.');
	}
	const messageType = stringField(message, 'message_type') ?? 'unknown';
	const messageId = stringField(message, 'message_id') as string;
	if (messageType in NOT_DOWNLOADABLE) return { noFile: true, messageType, reason: NOT_DOWNLOADABLE[messageType] };

	const info = messageInfo(raw, message);
	let resources: Resource[];
	let postInfo: IDataObject = {};
	if (SINGLE_FILE_TYPES.has(messageType)) {
		const resource = singleResource(messageType, parseContent(message, messageType));
		if (!resource) {
			const key = messageType === 'image' ? 'image_key' : 'file_key';
			throw inputError(`The Feishu ${messageType} message has no ${key} in its content`, 'Pass the message exactly as Feishu delivered it.');
		}
		resources = [resource];
	} else if (messageType === 'post') {
		const post = postResources(parseContent(message, messageType));
		resources = post.resources;
		postInfo = pickDefined({ title: post.title, text: post.text });
	} else {
		return { noFile: true, messageType };
	}
	if (resources.length === 0) return { noFile: true, messageType };

	const several = resources.length > 1;
	return resources.map((resource, index) => ({
		hints: { fileName: resource.fileName, fallbackName: feishuFallbackName(resource.fileKey, resource.resourceType, messageId, several ? index + 1 : undefined) },
		locator: { messageId, fileKey: resource.fileKey, resourceType: resource.resourceType },
		info: pickDefined({
			...info,
			...postInfo,
			fileKey: resource.fileKey,
			resourceType: resource.resourceType,
			...resource.extra,
			...(several || messageType === 'post' ? { fileIndex: index, fileCount: resources.length } : {}),
		}),
	}));
}
