import type { INodeProperties } from 'n8n-workflow';

import { serviceProperty } from '../shared/node/service';
import {
	binaryPropertyNameOption,
	fileNameOption,
	maxFileSizeOption,
	maxRetriesOption,
	timeoutOption,
} from '../shared/pipeline/fileOptions';

const dingTalkFields: INodeProperties[] = [
	{
		displayName: 'Download Code',
		name: 'downloadCode',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.content.downloadCode }}',
		displayOptions: { show: { service: ['dingTalk'], source: ['fields'] } },
		description: 'The downloadCode of the picture, file, audio or video in the robot message (content.downloadCode). It expires soon after the message arrives.',
	},
	{
		displayName: 'Robot Code',
		name: 'robotCode',
		type: 'string',
		default: '',
		placeholder: '={{ $json.robotCode }}',
		displayOptions: { show: { service: ['dingTalk'], source: ['fields'] } },
		description: 'The robot that received the message (robotCode in the message). Empty: the credential\'s default robot, then the App Key of an internal app.',
	},
];

const greenApiFields: INodeProperties[] = [
	{
		displayName: 'Chat ID',
		name: 'chatId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.senderData.chatId }}',
		displayOptions: { show: { service: ['greenApi'], source: ['fields'] } },
		description: 'The chat the message is in: 79001234567@c.us or a group ID ending @g.us for WhatsApp, a number for MAX and Telegram',
	},
	{
		displayName: 'Message ID',
		name: 'idMessage',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.idMessage }}',
		displayOptions: { show: { service: ['greenApi'], source: ['fields'] } },
		description: 'The idMessage of the message that holds the file',
	},
];

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
			description: 'How many items to download at the same time. Green-API calls stay under 5 a second per instance regardless.',
		},
		fileNameOption,
		maxFileSizeOption,
		maxRetriesOption,
		binaryPropertyNameOption,
		timeoutOption,
		{
			displayName: 'When the Message Has No File',
			name: 'whenNoFile',
			type: 'options',
			displayOptions: { show: { '/source': ['message'] } },
			options: [
				{ name: 'Drop the Item', value: 'drop', description: 'Output nothing for it' },
				{ name: 'Fail', value: 'error', description: 'Stop with an error that names the message type' },
				{ name: 'Pass the Item Through', value: 'passThrough', description: 'Output the item unchanged, without a file' },
			],
			default: 'error',
			description: 'What to do with text messages, reactions, locations and other messages without a file',
		},
	],
};

/** The node's parameters, in the order the editor shows them. */
export const properties: INodeProperties[] = [
	serviceProperty({ dingTalk: 'Files sent to a DingTalk robot', greenApi: 'Files received by a Green-API instance' }),
	{
	displayName: 'Source',
	name: 'source',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Incoming Message',
			value: 'message',
			description: 'Find the file(s) in the bot or webhook message as it arrived',
		},
		{
			name: 'Fields',
			value: 'fields',
			description: 'Give the download code (DingTalk) or chat ID and message ID (Green-API)',
		},
	],
	default: 'message',
	},
	{
	displayName: 'Message',
	name: 'message',
	type: 'json',
	default: '={{ $json }}',
	displayOptions: { show: { source: ['message'] } },
	description: 'The incoming message: a DingTalk robot callback or Stream-mode message, or a Green-API webhook or journal message. It may also sit under body (Webhook node) or arrive as JSON text.',
	hint: 'Leave as {{ $json }} when the previous node is the Webhook or trigger that received the message',
	},
	...dingTalkFields,
	...greenApiFields,
	options,
];
