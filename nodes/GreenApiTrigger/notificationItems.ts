import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { isMessageFileError } from '../shared/transport/errors';
import { redactToken } from '../shared/messengers/greenApi/api';
import { greenApiProvider } from '../shared/messengers/greenApi/provider';
import type { ExecutionState, MessengerContext } from '../shared/messengers/types';
import { describeFetchedFile, fetchMessageFile } from '../shared/pipeline/fetchMessageFile';
import type { FileOptionValues } from '../shared/pipeline/fileOptions';
import { binaryPropertyNameOf, toFetchOptions } from '../shared/pipeline/fileOptions';

export interface ItemOptions extends FileOptionValues {
	downloadFiles: boolean;
}

function failure(error: unknown, credentials: ICredentialDataDecryptedObject): IDataObject {
	const message = error instanceof Error ? error.message : String(error);
	const description = isMessageFileError(error) ? error.details.description : undefined;
	const result: IDataObject = { error: redactToken(message || 'The file could not be downloaded', credentials) };
	if (description) result.errorDescription = redactToken(description, credentials);
	if (isMessageFileError(error) && error.details.httpCode !== undefined) result.httpCode = error.details.httpCode;
	return result;
}

/**
 * A notification as output items: the body as Green-API sent it, one item per file with
 * the file attached through the same pipeline as Download Message File. A file that
 * cannot be had keeps its item, with the reason in `messageFile.error`.
 */
export async function notificationItems(
	context: MessengerContext,
	body: IDataObject,
	options: ItemOptions,
	credentials: ICredentialDataDecryptedObject,
): Promise<INodeExecutionData[]> {
	if (!options.downloadFiles) return [{ json: body }];
	let found;
	try {
		found = await greenApiProvider.fromMessage(context, body, 0);
	} catch (error) {
		return [{ json: { ...body, messageFile: { service: 'greenApi', ...failure(error, credentials) } } }];
	}
	if ('noFile' in found) return [{ json: body }];
	const fetchOptions = toFetchOptions(options);
	const property = binaryPropertyNameOf(options);
	const state: ExecutionState = { timeoutMs: fetchOptions.timeoutMs, memo: new Map() };
	const items: INodeExecutionData[] = [];
	for (const file of found) {
		try {
			const fetched = await fetchMessageFile(context, greenApiProvider, file, fetchOptions, state);
			items.push({ json: { ...body, messageFile: describeFetchedFile('greenApi', file, fetched) }, binary: { [property]: fetched.binary } });
		} catch (error) {
			items.push({ json: { ...body, messageFile: { service: 'greenApi', ...file.info, ...failure(error, credentials) } } });
		}
	}
	return items;
}
