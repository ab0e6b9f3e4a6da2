import type { MessengerEditor } from '../types';

/** Green-API in the editor: the fields and options the nodes show when Service is Green-API. */
export const greenApiEditor: MessengerEditor = {
	name: 'Green-API (WhatsApp / MAX / Telegram)',
	label: 'Green-API',
	messageShapes: 'a Green-API webhook, notification or journal message',
	download: {
		description: 'Files received by a Green-API instance',
		fieldsSummary: 'the chat ID and message ID (Green-API)',
		fields: [
			{
				displayName: 'Chat ID',
				name: 'chatId',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ $json.senderData.chatId }}',
				description: 'The chat the message is in: 79001234567@c.us or a group ID ending @g.us for WhatsApp, a number for MAX and Telegram',
			},
			{
				displayName: 'Message ID',
				name: 'idMessage',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ $json.idMessage }}',
				description: 'The idMessage of the message that holds the file',
			},
		],
	},
	send: {
		description: 'Reply from a Green-API instance',
		chatFields: [
			{
				displayName: 'Chat ID',
				name: 'chatId',
				type: 'string',
				default: '',
				required: true,
				placeholder: '79001234567@c.us',
				description: 'WhatsApp: 79001234567@c.us, or a group ID ending @g.us. MAX and Telegram: the chat number (negative for groups).',
			},
		],
		options: [
			{
				displayName: 'Link Preview',
				name: 'linkPreview',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/content': ['text'] } },
				description: 'Whether WhatsApp shows a preview of the first link in the text',
			},
			{
				displayName: 'Quote the Incoming Message',
				name: 'quoteMessage',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/recipient': ['message'] } },
				description: 'Whether the reply quotes the message it answers (Green-API quotedMessageId)',
			},
		],
	},
};
