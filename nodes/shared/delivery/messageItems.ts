import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { isMessageFileError } from '../transport/errors';
import type { ExecutionState, FileProvider, MessageFile, MessengerContext } from '../messengers/types';
import type { FileOptionValues } from '../pipeline/fileOptions';
import { binaryPropertyNameOf, toFetchOptions } from '../pipeline/fileOptions';
import { describeFetchedFile, fetchMessageFile } from '../pipeline/fetchMessageFile';
import type { ActivationLifetime } from './activation';

/**
 * Files fetched from one message at most, unless the Max Files per Message option says
 * otherwise: each costs an API call and a download, and a rich-text message (DingTalk
 * richText, Feishu post) can hold hundreds of pictures.
 */
export const DEFAULT_MAX_FILES_PER_MESSAGE = 10;

export interface MessageItemOptions extends FileOptionValues {
	maxFilesPerMessage?: number;
}

/** The messenger a trigger receives from, as far as turning its messages into items goes. */
export interface MessageOrigin {
	/** The `service` the items' messageFile names. */
	service: string;
	provider: FileProvider;
	/** What the second and later items of one message carry (default: the message itself). */
	laterItemJson?(message: IDataObject): IDataObject;
	/** How the files not downloaded can still be reached, for filesNotDownloaded's reason. */
	remainingFilesHint?: string;
}

/** Why a file could not be attached, its secrets masked. */
export function failureJson(error: unknown, redact: (text: string) => string): IDataObject {
	if (isMessageFileError(error)) {
		const { description, httpCode, apiCode, requestId } = error.details;
		return {
			error: redact(error.message || 'The file could not be downloaded'),
			...(description ? { errorDescription: redact(description) } : {}),
			...(httpCode !== undefined ? { httpCode } : {}),
			...(apiCode ? { apiCode } : {}),
			...(requestId ? { requestId } : {}),
		};
	}
	const message = error instanceof Error ? error.message : String(error);
	return { error: redact(message || 'The file could not be downloaded') };
}

async function fileItem(
	context: MessengerContext,
	origin: MessageOrigin,
	json: IDataObject,
	file: MessageFile,
	options: FileOptionValues,
	state: ExecutionState,
	redact: (text: string) => string,
): Promise<INodeExecutionData> {
	try {
		const fetched = await fetchMessageFile(context, origin.provider, file, toFetchOptions(options), state);
		return {
			json: { ...json, messageFile: describeFetchedFile(origin.service, file, fetched) },
			binary: { [binaryPropertyNameOf(options)]: fetched.binary },
		};
	} catch (error) {
		// The message is never lost over its file: it goes on, with the reason.
		return { json: { ...json, messageFile: { service: origin.service, ...file.info, ...failureJson(error, redact) } } };
	}
}

/**
 * The items one incoming message starts a workflow with, whatever the messenger: one
 * item per file (up to Max Files per Message) with the file attached through the same
 * pipeline as Download Message File, or one item without binary when there is no file
 * or downloads are off. A file that cannot be had keeps its item, with the reason in
 * `messageFile.error`. Files over the limit are named on the first item, in
 * `filesNotDownloaded`. When the activation closes meanwhile, the work is abandoned (throws).
 */
export async function messageItems(
	context: MessengerContext,
	origin: MessageOrigin,
	message: IDataObject,
	downloadFiles: boolean,
	options: MessageItemOptions,
	redact: (text: string) => string,
	lifetime?: ActivationLifetime,
): Promise<INodeExecutionData[]> {
	if (!downloadFiles) return [{ json: message }];
	let files: Awaited<ReturnType<FileProvider['fromMessage']>>;
	try {
		files = await origin.provider.fromMessage(context, message, 0);
	} catch (error) {
		return [{ json: { ...message, messageFile: { service: origin.service, ...failureJson(error, redact) } } }];
	}
	if ('noFile' in files) return [{ json: message }];
	const state: ExecutionState = { timeoutMs: toFetchOptions(options).timeoutMs, memo: new Map() };
	const limit = Math.max(1, Math.floor(options.maxFilesPerMessage ?? DEFAULT_MAX_FILES_PER_MESSAGE));
	const later = origin.laterItemJson?.(message) ?? message;
	const items: INodeExecutionData[] = [];
	// One after the other: a message's files share one token and keep their order.
	for (const file of files.slice(0, limit)) {
		lifetime?.assertOpen();
		items.push(await fileItem(context, origin, items.length === 0 ? message : later, file, options, state, redact));
	}
	lifetime?.assertOpen();
	if (files.length > limit) {
		items[0].json.filesNotDownloaded = {
			count: files.length - limit,
			limit,
			reason: `The message holds ${files.length} files; Max Files per Message is ${limit}. The others were not downloaded${origin.remainingFilesHint ? ` (${origin.remainingFilesHint})` : ''}.`,
		};
	}
	return items;
}
