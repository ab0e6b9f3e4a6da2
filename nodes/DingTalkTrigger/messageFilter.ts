import type { IDataObject } from 'n8n-workflow';

export const MESSAGE_TYPES = ['text', 'picture', 'file', 'audio', 'video', 'richText'] as const;

export interface MessageFilterOptions {
	/** Accepted `msgtype`s. All of them (the default) also lets types outside the list through. */
	messageTypes?: string[];
	/** `conversationType`: "1" one-to-one, "2" group. */
	chatType?: 'both' | 'oneToOne' | 'group';
	/** Only messages to this robot; empty: any. */
	robotCode?: string;
}

const CONVERSATION_TYPE = { oneToOne: '1', group: '2' } as const;

/** Whether the trigger starts a workflow for this message. */
export function acceptsMessage(message: IDataObject, options: MessageFilterOptions): boolean {
	const types = options.messageTypes;
	if (types && !MESSAGE_TYPES.every((type) => types.includes(type)) && !types.includes(String(message.msgtype))) return false;
	const chatType = options.chatType ?? 'both';
	if (chatType !== 'both' && String(message.conversationType) !== CONVERSATION_TYPE[chatType]) return false;
	const robotCode = options.robotCode?.trim();
	if (robotCode && String(message.robotCode ?? '') !== robotCode) return false;
	return true;
}
