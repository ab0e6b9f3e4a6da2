import type { INodeProperties } from 'n8n-workflow';

import { serviceProperty } from '../shared/node/service';
import { maxRetriesOption, timeoutOption } from '../shared/pipeline/fileOptions';

const recipientFields: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'json',
		default: '={{ $json }}',
		displayOptions: { show: { recipient: ['message'] } },
		description:
			'The incoming message to answer: a DingTalk robot callback or Stream-mode message, or a Green-API webhook, notification or journal message. It may also sit under body (Webhook node) or arrive as JSON text.',
		hint: 'Leave as {{ $json }} right after the trigger; further down the workflow use e.g. {{ $(\'DingTalk Trigger\').item.json }}',
	},
	{
		displayName: 'Chat ID',
		name: 'chatId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '79001234567@c.us',
		displayOptions: { show: { service: ['greenApi'], recipient: ['chat'] } },
		description: 'WhatsApp: 79001234567@c.us, or a group ID ending @g.us. MAX and Telegram: the chat number (negative for groups).',
	},
	{
		displayName: 'Chat Type',
		name: 'dingTalkChatType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Users (One-to-One)', value: 'user', description: 'Send to people in the organisation, by their staff ID (userId)' },
			{ name: 'Group', value: 'group', description: 'Send to a group chat the robot is in, by its openConversationId' },
		],
		default: 'user',
		displayOptions: { show: { service: ['dingTalk'], recipient: ['chat'] } },
	},
	{
		displayName: 'User IDs',
		name: 'userIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'manager1234, 0123456789',
		displayOptions: { show: { service: ['dingTalk'], recipient: ['chat'], dingTalkChatType: ['user'] } },
		description: 'Staff IDs (userId) of the people to message, separated by commas; senderStaffId in an incoming message',
	},
	{
		displayName: 'Open Conversation ID',
		name: 'openConversationId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'cidXXXXXXXXXXXXXXXX==',
		displayOptions: { show: { service: ['dingTalk'], recipient: ['chat'], dingTalkChatType: ['group'] } },
		description: 'The group\'s openConversationId: conversationId in a message the robot received in that group',
	},
	{
		displayName: 'Robot Code',
		name: 'robotCode',
		type: 'string',
		default: '',
		displayOptions: { show: { service: ['dingTalk'], recipient: ['chat'] } },
		description: "The robot that sends. Empty: the credential's default robot, then the App Key of an internal app.",
	},
];

const contentFields: INodeProperties[] = [
	{
		displayName: 'Content',
		name: 'content',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text', value: 'text', description: 'A text message (DingTalk: or markdown)' },
			{ name: 'File', value: 'file', description: 'A picture, voice note, video or document from an input binary field, sent as the kind its bytes show' },
		],
		default: 'text',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		displayOptions: { show: { content: ['text'] } },
		description: 'The text to send',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { content: ['file'] } },
		hint: 'The name of the input binary field containing the file to be sent',
	},
	{
		displayName: 'Caption',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		displayOptions: { show: { content: ['file'] } },
		description: 'Text to go with the file: the caption under a picture or video (Green-API); with other files, and on DingTalk, a text message sent right after the file',
	},
];

/** DingTalk: the cover of a video message (sampleVideo picMediaId). Self-contained, for the messenger registry. */
export const dingTalkVideoCoverOption: INodeProperties = {
	displayName: 'Video Cover (Binary Field)',
	name: 'videoCoverBinaryPropertyName',
	type: 'string',
	default: '',
	placeholder: 'cover',
	displayOptions: { show: { '/service': ['dingTalk'], '/content': ['file'] } },
	description:
		'DingTalk shows an MP4 as a playable video only with a cover picture: the binary field of the item holding it (JPG or PNG, e.g. a frame of the video). Empty, or the item has no such field: the MP4 is sent as a file message, which DingTalk always shows.',
};

/** DingTalk: the group cool app's code (groupMessages/send coolAppCode). Self-contained, for the messenger registry. */
export const dingTalkCoolAppCodeOption: INodeProperties = {
	displayName: 'Cool App Code',
	name: 'coolAppCode',
	type: 'string',
	default: '',
	placeholder: 'COOLAPP-1-…',
	displayOptions: { show: { '/service': ['dingTalk'] } },
	description:
		"Groups whose robot was installed through a group cool app (群酷应用) take robot messages only with the cool app's code. Empty: the incoming message's coolAppCode, if it carries one.",
};

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 4,
			description: 'How many chats to send to at the same time. Messages to one chat always go one after the other, in the order of the items.',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			displayOptions: { show: { '/content': ['file'] } },
			description: 'Name to send the file under instead of the binary\'s own. The extension of the file\'s real type is added when it has none.',
		},
		{
			displayName: 'Link Preview',
			name: 'linkPreview',
			type: 'boolean',
			default: true,
			displayOptions: { show: { '/service': ['greenApi'], '/content': ['text'] } },
			description: 'Whether WhatsApp shows a preview of the first link in the text',
		},
		{
			displayName: 'Markdown Title',
			name: 'markdownTitle',
			type: 'string',
			default: '',
			displayOptions: { show: { '/service': ['dingTalk'] } },
			description: 'DingTalk: send the text as markdown (sampleMarkdown) under this title, shown in notifications and the chat list',
		},
		maxRetriesOption,
		{
			displayName: 'Quote the Incoming Message',
			name: 'quoteMessage',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/service': ['greenApi'], '/recipient': ['message'] } },
			description: 'Whether the reply quotes the message it answers (Green-API quotedMessageId)',
		},
		timeoutOption,
		{
			displayName: 'Voice/Video Duration (Ms)',
			name: 'durationMs',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			displayOptions: { show: { '/service': ['dingTalk'], '/content': ['file'] } },
			description: 'DingTalk voice and video messages show their length. 0: read it from the file itself.',
		},
		dingTalkVideoCoverOption,
		dingTalkCoolAppCodeOption,
	],
};

/** The node's parameters, in the order the editor shows them. */
export const properties: INodeProperties[] = [
	serviceProperty({ dingTalk: 'Reply as a DingTalk robot', greenApi: 'Reply from a Green-API instance' }),
	{
		displayName: 'Send To',
		name: 'recipient',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Reply to the Incoming Message', value: 'message', description: 'The chat the message came from: the same person, or the same group' },
			{ name: 'A Chat', value: 'chat', description: 'A chat you name' },
		],
		default: 'message',
	},
	...recipientFields,
	...contentFields,
	options,
];
