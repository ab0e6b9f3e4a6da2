import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { messageTypesOption, triggerOptions } from '../shared/delivery/triggerOptions';
import { MESSAGE_TYPES } from './messageFilter';

const MESSAGE_TYPE_NAMES: Record<(typeof MESSAGE_TYPES)[number], string> = {
	text: 'Text',
	post: 'Rich Text (Post)',
	image: 'Image',
	file: 'File',
	audio: 'Voice (Audio)',
	media: 'Video (Media)',
	sticker: 'Sticker',
	interactive: 'Card (Interactive)',
	merge_forward: 'Forwarded Messages',
};

/**
 * Only registered in Webhook mode: an empty method registers no webhook, so the long
 * connection needs no URL, and the editor hides the "Webhook URLs" panel there (ndvHideUrl).
 */
export const webhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: '={{$parameter["mode"] === "webhook" ? "POST" : ""}}',
		ndvHideUrl: '={{$parameter["mode"] !== "webhook"}}',
		responseMode: 'onReceived',
		path: 'feishu',
	},
];

export const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Long Connection',
				value: 'longConnection',
				description: 'Connects out from n8n to Feishu over a WebSocket; no public URL needed (Feishu custom apps)',
			},
			{
				name: 'Webhook',
				value: 'webhook',
				description: 'Feishu posts each event to this node\'s webhook URL; signature, token and age are checked (Feishu and Lark)',
			},
		],
		default: 'longConnection',
	},
	{
		displayName:
			'In the Feishu Developer Console, open Events & Callbacks → Event Configuration, choose "Receive events through persistent connection" and add the event im.message.receive_v1. Feishu gives each event to ONE connection of the app: two active workflows on the same app split its messages between them, and so does Listen for Test Event while the workflow is active. Lark apps may only offer webhooks: then use Mode: Webhook.',
		name: 'longConnectionNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['longConnection'] } },
	},
	{
		displayName:
			'In the Feishu (or Lark) Developer Console, open Events & Callbacks → Event Configuration, choose "Send events to developer\'s server", paste this node\'s Production URL as the Request URL and add the event im.message.receive_v1. Copy the Encrypt Key (recommended) and the Verification Token from Encryption Strategy into the credential: requests they do not prove are refused.',
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['webhook'] } },
	},
	{
		displayName: 'Download Files',
		name: 'downloadFiles',
		type: 'boolean',
		default: true,
		description: 'Whether to attach the image, file, voice message, video or the pictures of a rich-text post as binary data (one item per file)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: triggerOptions(
			[
				{
					displayName: 'Chat Type',
					name: 'chatType',
					type: 'options',
					options: [
						{ name: 'Both', value: 'both' },
						{ name: 'One-to-One', value: 'p2p', description: 'Private chats with the bot' },
						{ name: 'Group', value: 'group', description: 'Group chats (the bot gets the messages that @mention it, or all with the im:message.group_msg scope)' },
					],
					default: 'both',
					description: 'Which chats start the workflow',
				},
				messageTypesOption(MESSAGE_TYPES, MESSAGE_TYPE_NAMES),
			],
			'A rich-text post can hold many pictures and videos; each costs an API call and a download.',
		),
	},
];
