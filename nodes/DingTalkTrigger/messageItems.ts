import type { IDataObject, INodeExecutionData, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { isMessageFileError } from '../shared/transport/errors';
import { dingTalkProvider } from '../shared/messengers/dingTalk/provider';
import type { ActivationLifetime } from '../shared/delivery/activation';
import type { ExecutionState, MessageFile } from '../shared/messengers/types';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { binaryPropertyNameOf, toFetchOptions } from '../shared/pipeline/fileOptions';
import { describeFetchedFile, fetchMessageFile } from '../shared/pipeline/fetchMessageFile';

type TriggerContext = ITriggerFunctions | IWebhookFunctions;

/**
 * Files fetched from one message at most, unless the Max Files per Message option says
 * otherwise: each costs a DingTalk API call (paid from the organisation's quota) and a
 * download, and a richText message can hold hundreds of pictures.
 */
export const DEFAULT_MAX_FILES_PER_MESSAGE = 10;

export interface MessageItemOptions extends FileOptionValues {
	maxFilesPerMessage?: number;
}

/** The message without its content: what the second and later items of a message carry (the first has it all). */
function messageReference(message: IDataObject): IDataObject {
	const reference = { ...message };
	delete reference.content;
	delete reference.text;
	return reference;
}

/** Why a file could not be attached, without any secret (the caller's redaction runs over it). */
function failure(error: unknown, redact: (text: string) => string): IDataObject {
	if (isMessageFileError(error)) {
		const { description, httpCode, apiCode, requestId } = error.details;
		return {
			error: redact(error.message),
			...(description ? { errorDescription: redact(description) } : {}),
			...(httpCode !== undefined ? { httpCode } : {}),
			...(apiCode ? { apiCode } : {}),
			...(requestId ? { requestId } : {}),
		};
	}
	return { error: redact(error instanceof Error ? error.message : String(error)) };
}

async function fileItem(
	context: TriggerContext,
	message: IDataObject,
	file: MessageFile,
	options: FileOptionValues,
	state: ExecutionState,
	redact: (text: string) => string,
): Promise<INodeExecutionData> {
	try {
		const fetched = await fetchMessageFile(context, dingTalkProvider, file, toFetchOptions(options), state);
		return {
			json: { ...message, messageFile: describeFetchedFile('dingTalk', file, fetched) },
			binary: { [binaryPropertyNameOf(options)]: fetched.binary },
		};
	} catch (error) {
		// The message is never lost over its file: it goes on, with the reason.
		return { json: { ...message, messageFile: { service: 'dingTalk', ...file.info, ...failure(error, redact) } } };
	}
}

/**
 * The items one robot message starts a workflow with: one item per file (a richText
 * message: one per picture, up to Max Files per Message) with the file attached, or one
 * item without binary when there is no file or downloads are off. The first item carries
 * the message as DingTalk sent it; later ones carry it without its `content` (the same
 * message, not a copy per file). Files over the limit are named on the first item, in
 * `filesNotDownloaded`. When the activation closes meanwhile, the work is abandoned (throws).
 */
export async function messageItems(
	context: TriggerContext,
	message: IDataObject,
	downloadFiles: boolean,
	options: MessageItemOptions,
	redact: (text: string) => string,
	lifetime?: ActivationLifetime,
): Promise<INodeExecutionData[]> {
	if (!downloadFiles) return [{ json: message }];
	let files: Awaited<ReturnType<typeof dingTalkProvider.fromMessage>>;
	try {
		files = await dingTalkProvider.fromMessage(context, message, 0);
	} catch (error) {
		return [{ json: { ...message, messageFile: { service: 'dingTalk', ...failure(error, redact) } } }];
	}
	if ('noFile' in files) return [{ json: message }];
	const state: ExecutionState = { timeoutMs: toFetchOptions(options).timeoutMs, memo: new Map() };
	const limit = Math.max(1, Math.floor(options.maxFilesPerMessage ?? DEFAULT_MAX_FILES_PER_MESSAGE));
	const items: INodeExecutionData[] = [];
	// One after the other: a richText message's pictures share one token and keep their order.
	for (const file of files.slice(0, limit)) {
		lifetime?.assertOpen();
		items.push(await fileItem(context, items.length === 0 ? message : messageReference(message), file, options, state, redact));
	}
	lifetime?.assertOpen();
	if (files.length > limit) {
		items[0].json.filesNotDownloaded = {
			count: files.length - limit,
			limit,
			reason: `The message holds ${files.length} files; Max Files per Message is ${limit}. The others were not downloaded (their download codes are in the message's content).`,
		};
	}
	return items;
}
