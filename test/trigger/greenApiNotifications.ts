// Notification bodies shaped like Green-API's (WhatsApp, MAX, Telegram webhook docs).
export interface InstanceRef {
	idInstance: number;
	apiTokenInstance: string;
	messenger: 'whatsapp' | 'max' | 'telegram';
}

const TYPE_INSTANCE = { whatsapp: 'whatsapp', max: 'v3', telegram: 'telegram' } as const;

function envelope(instance: InstanceRef, typeWebhook: string, idMessage: string, chatId: string) {
	return {
		typeWebhook,
		instanceData: { idInstance: instance.idInstance, wid: `${instance.idInstance}@c.us`, typeInstance: TYPE_INSTANCE[instance.messenger] },
		timestamp: 1_700_000_000,
		idMessage,
		senderData: { chatId, sender: chatId, chatName: 'Someone', senderName: 'Someone' },
	};
}

export function textMessage(instance: InstanceRef, idMessage: string, chatId: string, text = `hello ${idMessage}`) {
	return { ...envelope(instance, 'incomingMessageReceived', idMessage, chatId), messageData: { typeMessage: 'textMessage', textMessageData: { textMessage: text } } };
}

export function fileMessage(
	instance: InstanceRef,
	idMessage: string,
	chatId: string,
	file: { typeMessage: string; downloadUrl: string; fileName?: string; mimeType?: string; caption?: string },
) {
	return {
		...envelope(instance, 'incomingMessageReceived', idMessage, chatId),
		messageData: {
			typeMessage: file.typeMessage,
			fileMessageData: {
				downloadUrl: file.downloadUrl,
				caption: file.caption ?? '',
				fileName: file.fileName ?? `${idMessage}.bin`,
				jpegThumbnail: '',
				mimeType: file.mimeType ?? 'application/octet-stream',
				isForwarded: false,
				forwardingScore: 0,
			},
		},
	};
}

export function statusNotification(instance: InstanceRef, idMessage: string, chatId: string, status: 'sent' | 'delivered' | 'read') {
	return {
		typeWebhook: 'outgoingMessageStatus',
		instanceData: { idInstance: instance.idInstance, wid: `${instance.idInstance}@c.us`, typeInstance: TYPE_INSTANCE[instance.messenger] },
		timestamp: 1_700_000_000,
		idMessage,
		status,
		chatId,
		sendByApi: true,
	};
}
