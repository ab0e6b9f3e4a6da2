import type { IDataObject, INodeExecutionData, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { isMessageFileError } from '../shared/transport/errors';
import { dingTalkProvider } from '../shared/messengers/dingTalk/provider';
import type { ExecutionState, MessageFile } from '../shared/messengers/types';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { binaryPropertyNameOf, toFetchOptions } from '../shared/pipeline/fileOptions';
import { describeFetchedFile, fetchMessageFile } from '../shared/pipeline/fetchMessageFile';

type TriggerContext = ITriggerFunctions | IWebhookFunctions;

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
 * The items one robot message starts a workflow with: the message as DingTalk sent it,
 * one item per file (a richText message: one per picture) with the file attached, or
 * one item without binary when there is no file or downloads are off.
 */
export async function messageItems(
	context: TriggerContext,
	message: IDataObject,
	downloadFiles: boolean,
	options: FileOptionValues,
	redact: (text: string) => string,
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
	const items: INodeExecutionData[] = [];
	// One after the other: a richText message's pictures share one token and keep their order.
	for (const file of files) items.push(await fileItem(context, message, file, options, state, redact));
	return items;
}
