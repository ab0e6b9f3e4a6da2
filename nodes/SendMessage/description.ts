import type { INodeProperties } from 'n8n-workflow';

import { messengerFields, messengerNames, serviceProperty, withMessengerOptions } from '../shared/node/service';
import { maxRetriesOption, timeoutOption } from '../shared/pipeline/fileOptions';

const recipientFields: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'json',
		default: '={{ $json }}',
		displayOptions: { show: { recipient: ['message'] } },
		description: `The incoming message to answer: ${messengerNames((editor) => editor.messageShapes)}. It may also sit under body (Webhook node) or arrive as JSON text.`,
		hint: 'Leave as {{ $json }} right after the trigger; further down the workflow use e.g. {{ $(\'DingTalk Trigger\').item.json }}',
	},
	...messengerFields((editor) => editor.send.chatFields, { recipient: ['chat'] }),
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
		description: 'Text to go with the file: the caption under a picture or video where the messenger has captions (WhatsApp, MAX, Telegram), otherwise a text message sent right after the file',
	},
];

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: withMessengerOptions(
		[
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: 0,
				description:
					'How many chats to send to at the same time; 0: as many as the messenger takes (20 for Green-API and Feishu, 4 for DingTalk, whose throttling spends retries). Messages to one chat always go one after the other, in the order of the items.',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				displayOptions: { show: { '/content': ['file'] } },
				description: 'Name to send the file under instead of the binary\'s own. The extension of the file\'s real type is added when it has none.',
			},
			maxRetriesOption,
			timeoutOption,
		],
		(editor) => editor.send.options,
	),
};

/** The node's parameters, in the order the editor shows them. */
export const properties: INodeProperties[] = [
	serviceProperty('send'),
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
