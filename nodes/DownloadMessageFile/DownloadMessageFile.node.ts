import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { properties } from './description';
import { inputError, isMessageFileError } from '../shared/transport/errors';
import { describeFetchedFile, fetchMessageFile } from '../shared/pipeline/fetchMessageFile';
import { binaryPropertyNameOf as binaryPropertyName, toFetchOptions as fetchOptions } from '../shared/pipeline/fileOptions';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { forEachWithConcurrency } from '../shared/pipeline/itemPool';
import { credentialsOnce } from '../shared/messengers/credentialsOnce';
import { describeShape, messageCandidates } from '../shared/messengers/incomingMessage';
import { providers } from '../shared/messengers';
import type { ExecutionState, FileProvider, MessageFile, NoFile } from '../shared/messengers/types';

type WhenNoFile = 'error' | 'passThrough' | 'drop';

interface NodeOptions extends FileOptionValues {
	concurrency?: number;
	whenNoFile?: WhenNoFile;
}

/** Credential values that must never appear in an error, whatever path it took. */
const SECRET_FIELDS = ['appSecret', 'suiteSecret', 'suiteTicket', 'accessToken', 'apiTokenInstance'];

/**
 * Whether Message is the default `{{ $json }}`: then the item is the message, and n8n's
 * per-item expression evaluation (a deep copy of the whole message) is skipped.
 */
function readsInputItem(context: IExecuteFunctions): boolean {
	const configured = context.getNode().parameters.message;
	return configured === undefined || (typeof configured === 'string' && /^=\{\{\s*\$json\s*\}\}$/.test(configured.trim()));
}

async function filesInMessage(
	context: IExecuteFunctions,
	provider: FileProvider,
	itemIndex: number,
): Promise<MessageFile[] | NoFile> {
	const raw = readsInputItem(context) ? context.getInputData()[itemIndex].json : (context.getNodeParameter('message', itemIndex, undefined) as unknown);
	const candidates = messageCandidates(raw);
	const message = candidates.find((candidate) => provider.recognises(candidate));
	if (message) return await provider.fromMessage(context, message, itemIndex);
	const other = Object.values(providers).find((candidate) => candidate !== provider && candidates.some((object) => candidate.recognises(object)));
	if (other) {
		throw inputError(
			`This is a ${other.displayName} message, but Service is set to ${provider.displayName}`,
			`Set Service to match the message, or map Message to a ${provider.displayName} message.`,
		);
	}
	throw inputError(
		`Message is not a ${provider.displayName} message: the node saw ${describeShape(raw)}`,
		`Map Message to the incoming ${provider.displayName} message as it arrived (by default {{ $json }}; the Webhook node's body and JSON text are accepted too).`,
	);
}

function redact(text: string | undefined, secrets: string[]): string | undefined {
	if (!text) return text;
	return secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** The n8n error for a failure: input mistakes as NodeOperationError, API and download failures as NodeApiError. */
function toNodeError(node: INode, error: unknown, itemIndex: number, secrets: string[]): NodeApiError | NodeOperationError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (isMessageFileError(error)) {
		const message = redact(error.message, secrets) as string;
		const description = redact(error.details.description, secrets);
		if (error.details.kind === 'input') return new NodeOperationError(node, message, { description, itemIndex });
		const { httpCode, apiCode, requestId } = error.details;
		// `apiCode`, not `code`: NodeApiError swaps the message for its own when `code` is a network code (ECONNRESET…).
		const response: JsonObject = { message, description: description ?? null, httpCode: httpCode ?? null, apiCode: apiCode ?? null, requestId: requestId ?? null };
		return new NodeApiError(node, response, { message, description, httpCode: httpCode !== undefined ? String(httpCode) : undefined, itemIndex });
	}
	const message = redact(error instanceof Error ? error.message : String(error), secrets) as string;
	return new NodeOperationError(node, message || 'Unexpected error', { itemIndex });
}

async function secretsOf(context: IExecuteFunctions, provider: FileProvider): Promise<string[]> {
	try {
		const credentials = await credentialsOnce(context, provider.credentialType);
		return SECRET_FIELDS.map((field) => credentials[field]).filter((value): value is string => typeof value === 'string' && value.trim().length >= 4).map((value) => value.trim());
	} catch {
		return [];
	}
}

export class DownloadMessageFile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Download Message File',
		name: 'downloadMessageFile',
		icon: { light: 'file:downloadMessageFile.svg', dark: 'file:downloadMessageFile.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ($parameter["service"] === "greenApi" ? "Green-API" : "DingTalk") + ($parameter["source"] === "fields" ? "" : ": from message") }}',
		description: 'Download the file, picture, voice note or video a user sent to a DingTalk bot or a Green-API WhatsApp / MAX / Telegram instance',
		defaults: { name: 'Download Message File' },
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
		const provider = providers[service];
		if (!provider) throw new NodeOperationError(this.getNode(), `Unknown service "${service}"`, { description: 'Choose DingTalk or Green-API.' });
		const firstOptions = this.getNodeParameter('options', 0, {}) as NodeOptions;
		const state: ExecutionState = { timeoutMs: fetchOptions(firstOptions).timeoutMs, memo: new Map() };
		const secrets = await secretsOf(this, provider);
		const results: INodeExecutionData[][] = new Array(items.length);

		const processItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
			const item = items[itemIndex];
			const options = this.getNodeParameter('options', itemIndex, {}) as NodeOptions;
			const source = this.getNodeParameter('source', itemIndex) as string;
			const property = binaryPropertyName(options);
			const found = source === 'fields' ? [await provider.fromFields(this, itemIndex)] : await filesInMessage(this, provider, itemIndex);
			if ('noFile' in found) {
				const whenNoFile = options.whenNoFile ?? 'error';
				if (whenNoFile === 'drop') return [];
				if (whenNoFile === 'passThrough') return [{ ...item, pairedItem: { item: itemIndex } }];
				throw new NodeOperationError(this.getNode(), `The ${provider.displayName} message has no file: it is a ${found.messageType} message`, {
					description: 'Set the option When the Message Has No File to pass such items through or drop them, or filter them out before this node.',
					itemIndex,
				});
			}
			const output: INodeExecutionData[] = [];
			for (const file of found) {
				const fetched = await fetchMessageFile(this, provider, file, fetchOptions(options), state);
				output.push({
					json: { ...item.json, messageFile: describeFetchedFile(service, file, fetched) as IDataObject },
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
				results[itemIndex] = [
					{
						json: { ...items[itemIndex].json, error: nodeError.message, ...(nodeError.description ? { errorDescription: nodeError.description } : {}) },
						pairedItem: { item: itemIndex },
					},
				];
			}
		});
		return [results.flat()];
	}
}
