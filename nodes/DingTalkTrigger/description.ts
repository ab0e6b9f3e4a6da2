import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { MESSAGE_TYPES } from './messageFilter';
import { messageTypesOption, triggerOptions } from '../shared/delivery/triggerOptions';

const MESSAGE_TYPE_NAMES: Record<(typeof MESSAGE_TYPES)[number], string> = {
	text: 'Text',
	picture: 'Picture',
	file: 'File',
	audio: 'Voice (Audio)',
	video: 'Video',
	richText: 'Rich Text',
};

/**
 * Only registered in HTTP Callback mode: an empty method registers no webhook, so Stream
 * mode needs no URL, and the editor hides the "Webhook URLs" panel there (ndvHideUrl, an
 * expression the editor evaluates against the node's parameters since n8n 1.x).
 */
export const webhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: '={{$parameter["mode"] === "httpCallback" ? "POST" : ""}}',
		ndvHideUrl: '={{$parameter["mode"] !== "httpCallback"}}',
		responseMode: 'onReceived',
		path: 'dingtalk',
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
				name: 'Stream',
				value: 'stream',
				description: 'Connects out from n8n to DingTalk over a WebSocket; no public URL needed',
			},
			{
				name: 'HTTP Callback',
				value: 'httpCallback',
				description: 'DingTalk posts each message to this node\'s webhook URL; the signature is checked',
			},
		],
		default: 'stream',
	},
	{
		displayName:
			'In the DingTalk developer console, open the app\'s robot settings and choose Stream mode as the message receiving mode. Only one n8n workflow should listen per app.',
		name: 'streamNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['stream'] } },
	},
	{
		displayName:
			'In the DingTalk developer console, choose HTTP mode for the robot and paste this node\'s Production URL as the message receiving address. Requests without a valid DingTalk signature are refused.',
		name: 'callbackNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['httpCallback'] } },
	},
	{
		displayName: 'Download Files',
		name: 'downloadFiles',
		type: 'boolean',
		default: true,
		description: 'Whether to attach the picture, file, voice note or video of each message as binary data (one item per file)',
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
					displayName: 'Acknowledge Message',
					name: 'acknowledge',
					type: 'options',
					displayOptions: { show: { '/mode': ['stream'] } },
					options: [
						{ name: 'When the Workflow Received It', value: 'emitted', description: 'Fastest; if n8n stops mid-execution, that message is not run again' },
						{
							name: 'When the Execution Finished',
							value: 'executionFinished',
							description: 'If the n8n process running the execution stops (queue mode: a worker killed), DingTalk delivers the message again and it runs again',
						},
					],
					default: 'emitted',
					description: 'When the trigger tells DingTalk it has the message. DingTalk delivers an unacknowledged message again after about a minute.',
				},
				{
					displayName: 'Chat Type',
					name: 'chatType',
					type: 'options',
					options: [
						{ name: 'Both', value: 'both' },
						{ name: 'One-to-One', value: 'oneToOne', description: 'Private chats with the robot' },
						{ name: 'Group', value: 'group', description: 'Group chats where the robot was @-mentioned' },
					],
					default: 'both',
					description: 'Which conversations start the workflow. DingTalk delivers voice, file and video messages only from one-to-one chats.',
				},
				{
					displayName: 'Robot Code',
					name: 'robotCode',
					type: 'string',
					default: '',
					description: 'Only messages to this robot (robotCode). Empty: messages to any robot of the app.',
				},
				messageTypesOption(MESSAGE_TYPES, MESSAGE_TYPE_NAMES),
			],
			'A rich text message can hold many pictures; each costs a DingTalk API call and a download.',
		),
	},
];
