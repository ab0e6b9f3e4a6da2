import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { binaryPropertyNameOption, maxFileSizeOption, maxRetriesOption, timeoutOption } from '../shared/pipeline/fileOptions';

/**
 * Only registered in webhook mode: an empty method registers no webhook, so polling needs
 * no URL, and the editor hides the "Webhook URLs" panel there (ndvHideUrl, an expression
 * the editor evaluates against the node's parameters).
 */
export const webhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: '={{ $parameter["mode"] === "polling" ? "" : "POST" }}',
		ndvHideUrl: '={{ $parameter["mode"] === "polling" }}',
		responseMode: 'onReceived',
		path: 'webhook',
	},
];

/** The trigger's parameters, in the order the editor shows them. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Webhook',
				value: 'webhook',
				description: 'Green-API calls this workflow\'s URL for each notification (n8n must be reachable from the internet)',
			},
			{
				name: 'Polling',
				value: 'polling',
				description: 'Fetch notifications from the instance\'s queue (no public URL needed; the instance\'s webhook URL must be empty)',
			},
		],
		default: 'webhook',
	},
	{
		displayName:
			'In the Green-API console, set the instance\'s Webhook URL to this node\'s Production URL and its webhookUrlToken to the Webhook Token of the credential. Green-API then sends "Authorization: Bearer" and that token with every call, which this node checks.',
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['webhook'] } },
	},
	{
		displayName:
			'Without a Webhook Token in the credential this webhook is open: anyone who learns its URL can start the workflow with a made-up notification (n8n\'s log says so at every activation). Set one in the credential and as webhookUrlToken in the Green-API console.',
		name: 'openWebhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['webhook'] } },
	},
	{
		displayName: 'Set the Instance\'s Webhook URL on Activation',
		name: 'setWebhookUrl',
		type: 'boolean',
		default: false,
		displayOptions: { show: { mode: ['webhook'] } },
		description: 'Whether to point the instance\'s webhook URL at this workflow when it is activated, and restore the previous URL when it is deactivated',
		hint: 'setSettings restarts the instance; the new URL can take up to 5 minutes to apply. Leave off to set the URL yourself in the Green-API console.',
	},
	{
		displayName:
			'Polling needs the instance\'s Webhook URL to be empty (Green-API console → instance → Settings). Notifications are deleted from the queue only after the workflow received them.',
		name: 'pollingNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['polling'] } },
	},
	{
		displayName: 'Wait for Notifications (Seconds)',
		name: 'receiveTimeout',
		type: 'number',
		typeOptions: { minValue: 5, maxValue: 60 },
		default: 20,
		displayOptions: { show: { mode: ['polling'] } },
		description: 'How long each request waits for a new notification before asking again (receiveTimeout, 5–60)',
	},
	{
		displayName: 'Download Files',
		name: 'downloadFiles',
		type: 'boolean',
		default: true,
		description: 'Whether to attach the file of image, video, document, audio and sticker messages as binary data, named and typed from its bytes',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Chat IDs',
				name: 'chatIds',
				type: 'string',
				default: '',
				placeholder: '79001234567@c.us, 120363043968066561@g.us',
				description: 'Only start the workflow for these chats (comma-separated). Empty: every chat.',
			},
			{
				displayName: 'Delete From Queue',
				name: 'deleteAfter',
				type: 'options',
				displayOptions: { show: { '/mode': ['polling'] } },
				options: [
					{ name: 'When the Workflow Received It', value: 'emitted', description: 'Fastest; if n8n stops mid-execution, that notification is not run again' },
					{
						name: 'When the Execution Finished',
						value: 'executionFinished',
						description: 'One execution at a time; if the n8n process running it stops (queue mode: a worker killed), the notification runs again',
					},
				],
				default: 'emitted',
				description: 'When a notification is deleted from the instance\'s queue',
			},
			{
				displayName: 'Message Types',
				name: 'messageTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Audio / Voice', value: 'audioMessage' },
					{ name: 'Contact', value: 'contactMessage' },
					{ name: 'Document', value: 'documentMessage' },
					{ name: 'Extended Text', value: 'extendedTextMessage' },
					{ name: 'Image', value: 'imageMessage' },
					{ name: 'Location', value: 'locationMessage' },
					{ name: 'Poll', value: 'pollMessage' },
					{ name: 'Quoted', value: 'quotedMessage' },
					{ name: 'Reaction', value: 'reactionMessage' },
					{ name: 'Sticker', value: 'stickerMessage' },
					{ name: 'Text', value: 'textMessage' },
					{ name: 'Video', value: 'videoMessage' },
				],
				default: [],
				description: 'Only start the workflow for these message types. Empty: every type.',
			},
			{
				displayName: 'Webhook Types',
				name: 'webhookTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Incoming Call', value: 'incomingCall' },
					{ name: 'Incoming Message', value: 'incomingMessageReceived' },
					{ name: 'Instance State Changed', value: 'stateInstanceChanged' },
					{ name: 'Message Status (Sent, Delivered, Read)', value: 'outgoingMessageStatus' },
					{ name: 'Outgoing Message Sent From the Phone', value: 'outgoingMessageReceived' },
					{ name: 'Outgoing Message Sent Through the API', value: 'outgoingAPIMessageReceived' },
				],
				default: ['incomingMessageReceived'],
				description: 'Which notifications start the workflow. Others are acknowledged (and, when polling, deleted) without starting it.',
			},
			maxFileSizeOption,
			maxRetriesOption,
			binaryPropertyNameOption,
			timeoutOption,
		],
	},
];
