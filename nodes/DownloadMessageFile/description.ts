import type { INodeProperties } from 'n8n-workflow';

import { messengerFields, messengerNames, serviceProperty, withMessengerOptions } from '../shared/node/service';
import {
	binaryPropertyNameOption,
	fileNameOption,
	maxFileSizeOption,
	maxRetriesOption,
	timeoutOption,
} from '../shared/pipeline/fileOptions';

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: withMessengerOptions([
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
	], (editor) => editor.download.options),
};

/** The node's parameters, in the order the editor shows them. */
export const properties: INodeProperties[] = [
	serviceProperty('download'),
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
			description: `Give ${messengerNames((editor) => editor.download.fieldsSummary)}`,
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
	description: `The incoming message: ${messengerNames((editor) => editor.messageShapes)}. It may also sit under body (Webhook node) or arrive as JSON text.`,
	hint: 'Leave as {{ $json }} when the previous node is the Webhook or trigger that received the message',
	},
	...messengerFields((editor) => editor.download.fields, { source: ['fields'] }),
	options,
];
