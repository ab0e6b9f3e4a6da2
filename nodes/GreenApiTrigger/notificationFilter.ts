import type { IDataObject } from 'n8n-workflow';

/** Which notifications start the workflow (the trigger's Webhook Types, Message Types and Chat IDs options). */
export interface NotificationFilter {
	webhookTypes: string[];
	/** Empty: every message type. */
	messageTypes: string[];
	/** Empty: every chat. */
	chatIds: string[];
}

export const DEFAULT_WEBHOOK_TYPES = ['incomingMessageReceived'];

export function parseChatIds(text: string | undefined): string[] {
	return (text ?? '')
		.split(/[\s,;]+/)
		.map((id) => id.trim())
		.filter((id) => id.length > 0);
}

function messageTypeOf(body: IDataObject): string | undefined {
	const messageData = body.messageData as IDataObject | undefined;
	const type = messageData?.typeMessage ?? body.typeMessage;
	return typeof type === 'string' ? type : undefined;
}

function chatIdOf(body: IDataObject): string | undefined {
	const senderData = body.senderData as IDataObject | undefined;
	const chatId = senderData?.chatId ?? body.chatId;
	return typeof chatId === 'string' || typeof chatId === 'number' ? String(chatId) : undefined;
}

export function acceptsNotification(body: IDataObject, filter: NotificationFilter): boolean {
	const typeWebhook = typeof body.typeWebhook === 'string' ? body.typeWebhook : '';
	if (!filter.webhookTypes.includes(typeWebhook)) return false;
	if (filter.messageTypes.length > 0) {
		const messageType = messageTypeOf(body);
		// Notifications that are not messages (statuses, calls) have no message type to filter on.
		if (messageType !== undefined && !filter.messageTypes.includes(messageType)) return false;
	}
	if (filter.chatIds.length > 0) {
		const chatId = chatIdOf(body);
		if (chatId === undefined || !filter.chatIds.includes(chatId)) return false;
	}
	return true;
}
