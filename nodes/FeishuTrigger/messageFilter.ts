import type { IDataObject } from 'n8n-workflow';

/** The message types the Message Types option lists (Feishu's `message_type`). */
export const MESSAGE_TYPES = ['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'merge_forward'] as const;

export interface MessageFilterOptions {
	/** Accepted `message_type`s. All of them (the default) also lets types outside the list through. */
	messageTypes?: string[];
	/** `chat_type`: p2p (one-to-one) or group. */
	chatType?: 'both' | 'p2p' | 'group';
}

/** Whether the trigger starts a workflow for this message (`event.message` of im.message.receive_v1). */
export function acceptsMessage(message: IDataObject, options: MessageFilterOptions): boolean {
	const types = options.messageTypes;
	if (types && !MESSAGE_TYPES.every((type) => types.includes(type)) && !types.includes(String(message.message_type))) return false;
	const chatType = options.chatType ?? 'both';
	if (chatType !== 'both' && String(message.chat_type) !== chatType) return false;
	return true;
}
