import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { properties } from './description';
import { senders } from '../shared/messengers';
import { findMessage } from '../shared/messengers/incomingMessage';
import type { ChatTarget, ExecutionState, MessageSender, SendOptions } from '../shared/messengers/types';
import { failedItemJson, secretsOf, toNodeError } from '../shared/node/errors';
import { mappedMessage } from '../shared/node/message';
import { prepareOutgoingFile } from '../shared/pipeline/sendMessageFile';
import { inputError } from '../shared/transport/errors';

interface NodeOptions {
	fileName?: string;
	markdownTitle?: string;
	linkPreview?: boolean;
	quoteMessage?: boolean;
	durationMs?: number;
	timeout?: number;
	maxRetries?: number;
}

function sendOptions(options: NodeOptions): SendOptions {
	return {
		quoteMessage: options.quoteMessage === true,
		markdownTitle: options.markdownTitle?.trim() || undefined,
		linkPreview: options.linkPreview,
		durationMs: options.durationMs && options.durationMs > 0 ? Math.round(options.durationMs) : undefined,
		timeoutMs: Math.max(1, options.timeout ?? 60) * 1000,
		maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 3)),
	};
}

async function targetOf(context: IExecuteFunctions, sender: MessageSender, itemIndex: number): Promise<ChatTarget> {
	if (context.getNodeParameter('recipient', itemIndex) === 'chat') return await sender.chatFromFields(context, itemIndex);
	const message = findMessage(mappedMessage(context, itemIndex), sender, Object.values(senders));
	return await sender.replyTarget(context, message, itemIndex);
}

function textOf(context: IExecuteFunctions, itemIndex: number, required: boolean): string {
	const value = context.getNodeParameter('text', itemIndex, '') as unknown;
	const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	if (required && text.trim() === '') {
		throw inputError('Text is empty', 'Write the reply in Text, or map it from an earlier node (e.g. an AI answer or OCR text).');
	}
	return text;
}

export class SendMessage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send Message',
		name: 'sendMessage',
		icon: { light: 'file:sendMessage.svg', dark: 'file:sendMessage.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ ($parameter["service"] === "greenApi" ? "Green-API" : "DingTalk") + ": " + ($parameter["content"] === "file" ? "file" : "text") + ($parameter["recipient"] === "chat" ? " to a chat" : " reply") }}',
		description: 'Reply to a DingTalk robot or Green-API WhatsApp / MAX / Telegram message with text or a file from any node',
		defaults: { name: 'Send Message' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'dingTalkApi', required: true, displayOptions: { show: { service: ['dingTalk'] } } },
			{ name: 'greenApi', required: true, displayOptions: { show: { service: ['greenApi'] } } },
		],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const service = this.getNodeParameter('service', 0) as string;
		const sender = senders[service];
		if (!sender) throw new NodeOperationError(this.getNode(), `Unknown service "${service}"`, { description: 'Choose DingTalk or Green-API.' });
		const firstOptions = sendOptions(this.getNodeParameter('options', 0, {}) as NodeOptions);
		const state: ExecutionState = { timeoutMs: firstOptions.timeoutMs, memo: new Map() };
		const secrets = await secretsOf(this, sender.credentialType);
		const output: INodeExecutionData[] = [];

		// One item after the other: replies to one chat must arrive in the order of the items.
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const rawOptions = this.getNodeParameter('options', itemIndex, {}) as NodeOptions;
				const options = sendOptions(rawOptions);
				const target = await targetOf(this, sender, itemIndex);
				let sentMessage: IDataObject;
				if (this.getNodeParameter('content', itemIndex) === 'file') {
					const propertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim() || 'data';
					const file = await prepareOutgoingFile(this, itemIndex, propertyName, rawOptions.fileName?.trim() || undefined);
					await sender.assertSendable(this, file);
					const sent = await sender.sendFile(this, target, file, textOf(this, itemIndex, false), options, state);
					sentMessage = { service, ...sent, fileName: file.fileName, mimeType: file.mimeType, fileSize: file.size } as IDataObject;
				} else {
					const sent = await sender.sendText(this, target, textOf(this, itemIndex, true), options, state);
					sentMessage = { service, ...sent } as IDataObject;
				}
				output.push({ json: { ...items[itemIndex].json, sentMessage }, pairedItem: { item: itemIndex } });
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, itemIndex, secrets);
				if (!this.continueOnFail()) throw nodeError;
				output.push({ json: failedItemJson(items[itemIndex].json, nodeError), pairedItem: { item: itemIndex } });
			}
		}
		return [output];
	}
}
