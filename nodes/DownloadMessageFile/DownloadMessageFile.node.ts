import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { properties } from './description';
import { messengerNames, serviceCredentials, serviceLabelExpression } from '../shared/node/service';
import { failedItemJson, secretsOf, toNodeError } from '../shared/node/errors';
import { mappedMessage } from '../shared/node/message';
import { describeFetchedFile, fetchMessageFile } from '../shared/pipeline/fetchMessageFile';
import { binaryPropertyNameOf as binaryPropertyName, toFetchOptions as fetchOptions } from '../shared/pipeline/fileOptions';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { forEachWithConcurrency } from '../shared/pipeline/itemPool';
import { findMessage } from '../shared/messengers/incomingMessage';
import { providers } from '../shared/messengers';
import type { ExecutionState, FileProvider, MessageFile, NoFile } from '../shared/messengers/types';
import { toolResultJson } from './toolResult';
import { runsAsTool } from '../shared/node/tool';

type WhenNoFile = 'error' | 'passThrough' | 'drop';

interface NodeOptions extends FileOptionValues {
	concurrency?: number;
	whenNoFile?: WhenNoFile;
}

async function filesInMessage(
	context: IExecuteFunctions,
	provider: FileProvider,
	itemIndex: number,
): Promise<MessageFile[] | NoFile> {
	const message = findMessage(mappedMessage(context, itemIndex), provider, Object.values(providers));
	return await provider.fromMessage(context, message, itemIndex);
}

export class DownloadMessageFile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Download Message File',
		name: 'downloadMessageFile',
		icon: { light: 'file:downloadMessageFile.svg', dark: 'file:downloadMessageFile.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ ${serviceLabelExpression()} + ($parameter["source"] === "fields" ? "" : ": from message") }}`,
		description: `Download the file, picture, voice note or video a user sent to a ${messengerNames((editor) => editor.name)} bot`,
		defaults: { name: 'Download Message File' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const service = this.getNodeParameter('service', 0) as string;
		const provider = providers[service];
		if (!provider) throw new NodeOperationError(this.getNode(), `Unknown service "${service}"`, { description: `Choose ${messengerNames()}.` });
		const firstOptions = this.getNodeParameter('options', 0, {}) as NodeOptions;
		const state: ExecutionState = { timeoutMs: fetchOptions(firstOptions).timeoutMs, memo: new Map() };
		const secrets = await secretsOf(this, provider.credentialType);
		const results: INodeExecutionData[][] = new Array(items.length);
		// As an AI Agent's tool, the JSON is all the model sees: it gets what the file is, not the agent's own input echoed back.
		const asTool = runsAsTool(this);

		const processItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
			const item = items[itemIndex];
			const options = this.getNodeParameter('options', itemIndex, {}) as NodeOptions;
			const source = this.getNodeParameter('source', itemIndex) as string;
			const property = binaryPropertyName(options);
			const found = source === 'fields' ? [await provider.fromFields(this, itemIndex)] : await filesInMessage(this, provider, itemIndex);
			if ('noFile' in found) {
				const whenNoFile = options.whenNoFile ?? 'error';
				if (whenNoFile === 'drop') return [];
				if (whenNoFile === 'passThrough') {
					if (asTool) return [{ json: { messageFile: null, noFile: `a ${found.messageType} message${found.reason ? `: ${found.reason}` : ''}` }, pairedItem: { item: itemIndex } }];
					return [{ ...item, pairedItem: { item: itemIndex } }];
				}
				throw new NodeOperationError(this.getNode(), `The ${provider.displayName} message has no file: it is a ${found.messageType} message`, {
					description: `${found.reason ? `${found.reason}. ` : ''}Set the option When the Message Has No File to pass such items through or drop them, or filter them out before this node.`,
					itemIndex,
				});
			}
			const output: INodeExecutionData[] = [];
			for (const file of found) {
				const fetched = await fetchMessageFile(this, provider, file, fetchOptions(options), state);
				const messageFile = describeFetchedFile(service, file, fetched);
				output.push({
					json: asTool ? await toolResultJson(this, messageFile, fetched.binary) : { ...item.json, messageFile },
					binary: { ...item.binary, [property]: fetched.binary },
					pairedItem: { item: itemIndex },
				});
			}
			return output;
		};

		await forEachWithConcurrency(items.length, Math.max(1, Math.floor(firstOptions.concurrency ?? 4)), async (itemIndex) => {
			try {
				results[itemIndex] = await processItem(itemIndex);
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, itemIndex, secrets);
				if (!this.continueOnFail()) throw nodeError;
				results[itemIndex] = [{ json: failedItemJson(items[itemIndex].json, nodeError), pairedItem: { item: itemIndex } }];
			}
		});
		return [results.flat()];
	}
}
