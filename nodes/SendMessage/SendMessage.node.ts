import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { properties } from './description';
import { messengerNames, serviceCredentials, serviceLabelExpression } from '../shared/node/service';
import { senders } from '../shared/messengers';
import { findMessage } from '../shared/messengers/incomingMessage';
import { parameterValue } from '../shared/messengers/parameterValue';
import type { ChatTarget, ExecutionState, MessageSender, SendOptions } from '../shared/messengers/types';
import { failedItemJson, secretsOf, toNodeError } from '../shared/node/errors';
import { itemParameters, mappedMessage } from '../shared/node/message';
import { runsAsTool } from '../shared/node/tool';
import { forEachWithConcurrency } from '../shared/pipeline/itemPool';
import { prepareOutgoingFile } from '../shared/pipeline/sendMessageFile';
import { inputError } from '../shared/transport/errors';

/** The Concurrency option's ceiling. */
const MAX_CONCURRENCY = 20;

interface NodeOptions {
	concurrency?: number;
	fileName?: string;
	markdownTitle?: string;
	linkPreview?: boolean;
	quoteMessage?: boolean;
	durationMs?: number;
	videoCoverBinaryPropertyName?: string;
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

async function targetOf(context: IExecuteFunctions, sender: MessageSender, itemIndex: number, recipient: string): Promise<ChatTarget> {
	if (recipient === 'chat') return await sender.chatFromFields(context, itemIndex);
	const message = findMessage(mappedMessage(context, itemIndex), sender, Object.values(senders));
	return await sender.replyTarget(context, message, itemIndex);
}

function textOf(context: IExecuteFunctions, itemIndex: number, required: boolean): string {
	const value = parameterValue(context, 'text', itemIndex, '');
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
		subtitle: `={{ ${serviceLabelExpression()} + ": " + ($parameter["content"] === "file" ? "file" : "text") + ($parameter["recipient"] === "chat" ? " to a chat" : " reply") }}`,
		description: `Reply to a ${messengerNames((editor) => editor.name)} message with text or a file from any node`,
		defaults: { name: 'Send Message' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const service = this.getNodeParameter('service', 0) as string;
		const sender = senders[service];
		if (!sender) throw new NodeOperationError(this.getNode(), `Unknown service "${service}"`, { description: `Choose ${messengerNames()}.` });
		const firstOptions = sendOptions(this.getNodeParameter('options', 0, {}) as NodeOptions);
		const state: ExecutionState = { timeoutMs: firstOptions.timeoutMs, memo: new Map() };
		const secrets = await secretsOf(this, sender.credentialType);
		// An agent's tool hands the model its output: what was sent, not the agent's own input echoed back.
		const asTool = runsAsTool(this);
		const results: INodeExecutionData[] = new Array(items.length);
		// 0 (the default): as many chats as the messenger takes at once.
		const chosen = Math.floor((this.getNodeParameter('options', 0, {}) as NodeOptions).concurrency ?? 0);
		const concurrency = Math.min(MAX_CONCURRENCY, chosen >= 1 ? chosen : sender.chatsAtOnce);

		const parameter = itemParameters(this);
		const sendItem = async (itemIndex: number, target: ChatTarget): Promise<IDataObject> => {
			const rawOptions = parameter<NodeOptions>('options', itemIndex, {});
			const options = sendOptions(rawOptions);
			if (parameter<string>('content', itemIndex, 'text') === 'file') {
				const propertyName = String(parameter('binaryPropertyName', itemIndex, 'data')).trim() || 'data';
				const file = await prepareOutgoingFile(this, itemIndex, propertyName, rawOptions.fileName?.trim() || undefined);
				await sender.assertSendable(this, file);
				// DingTalk video: the cover picture, when the item has the field the option names.
				const coverName = rawOptions.videoCoverBinaryPropertyName?.trim();
				if (coverName && file.mimeType.startsWith('video/') && items[itemIndex].binary?.[coverName]) options.videoCover = await prepareOutgoingFile(this, itemIndex, coverName);
				const sent = await sender.sendFile(this, target, file, textOf(this, itemIndex, false), options, state);
				return { service, ...sent, fileName: file.fileName, mimeType: file.mimeType, fileSize: file.size } as IDataObject;
			}
			const sent = await sender.sendText(this, target, textOf(this, itemIndex, true), options, state);
			return { service, ...sent } as IDataObject;
		};
		/** Continue On Fail: the item carries the error; otherwise the error to stop with. */
		const failure = (itemIndex: number, error: unknown): NodeApiError | NodeOperationError | undefined => {
			const nodeError = toNodeError(this.getNode(), error, itemIndex, secrets);
			if (!this.continueOnFail()) return nodeError;
			results[itemIndex] = { json: failedItemJson(items[itemIndex].json, nodeError), pairedItem: { item: itemIndex } };
			return undefined;
		};

		// Where each item goes, in item order (no messenger call yet).
		const targets: Array<ChatTarget | undefined> = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const outcome = await targetOf(this, sender, itemIndex, parameter<string>('recipient', itemIndex, 'message')).then(
				(target) => ({ target }),
				(error: unknown) => ({ error: failure(itemIndex, error) }),
			);
			if ('error' in outcome && outcome.error) throw outcome.error;
			targets.push('target' in outcome ? outcome.target : undefined);
		}
		// Each chat gets its messages one after the other, in the order of the items; different chats in parallel.
		const chats = new Map<string, number[]>();
		targets.forEach((target, itemIndex) => {
			if (!target) return;
			const queue = chats.get(target.chat);
			if (queue) queue.push(itemIndex);
			else chats.set(target.chat, [itemIndex]);
		});
		const queues = [...chats.values()];
		let stopped = false;
		await forEachWithConcurrency(queues.length, concurrency, async (queue) => {
			for (const itemIndex of queues[queue]) {
				if (stopped) return;
				let failed: NodeApiError | NodeOperationError | undefined;
				try {
					const sentMessage = await sendItem(itemIndex, targets[itemIndex] as ChatTarget);
					results[itemIndex] = { json: asTool ? { sentMessage } : { ...items[itemIndex].json, sentMessage }, pairedItem: { item: itemIndex } };
				} catch (error) {
					failed = failure(itemIndex, error);
				}
				if (failed) {
					stopped = true; // nothing more is sent once an item failed without Continue On Fail
					throw failed;
				}
			}
		});
		const output = results.filter((item): item is INodeExecutionData => item !== undefined);
		return [output];
	}
}
