import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { sendApiRequest } from '../../transport/apiResponse';
import { SlidingWindowLimiter } from '../../transport/rateLimiter';
import { SharedRateLimit } from '../../transport/sharedRateLimit';
import { credentialsOnce } from '../credentialsOnce';
import { readIdentifier } from '../fieldValues';
import { isGreenApiMessage } from '../incomingMessage';
import type { ExecutionState, FileProvider, MessageFile, MessengerContext, NoFile } from '../types';
import { greenApiError, isGreenApiFileLink, messengerOf } from './api';
import { fileInGreenApiMessage, greenApiFallbackName } from './messages';

/**
 * Green-API allows 5 downloadFile calls a second per instance; a little headroom
 * keeps requests that arrive bunched by the network under it too. Other n8n
 * processes (queue-mode workers) on the same instance share the limit unseen, so
 * the 429s they cause are waited out (SharedRateLimit) instead of failing items.
 */
const DOWNLOAD_FILE_WINDOW_MS = 1_050;
const downloadFileLimit = new SharedRateLimit(new SlidingWindowLimiter(5, DOWNLOAD_FILE_WINDOW_MS, 100), DOWNLOAD_FILE_WINDOW_MS);

async function credentialsOf(context: MessengerContext) {
	return await credentialsOnce(context, 'greenApi');
}

export const greenApiProvider: FileProvider = {
	credentialType: 'greenApi',
	displayName: 'Green-API',
	recognises: isGreenApiMessage,

	async fromFields(context: IExecuteFunctions, itemIndex: number): Promise<MessageFile> {
		const chatId = readIdentifier(context, 'chatId', 'Chat ID', itemIndex, true);
		const idMessage = readIdentifier(context, 'idMessage', 'Message ID', itemIndex, true);
		const messenger = messengerOf(await credentialsOf(context));
		return {
			hints: { fallbackName: greenApiFallbackName(messenger, idMessage) },
			locator: { chatId, idMessage },
			info: {},
		};
	},

	async fromMessage(context: MessengerContext, message: IDataObject): Promise<MessageFile[] | NoFile> {
		const credentials = await credentialsOf(context);
		return fileInGreenApiMessage(message, messengerOf(credentials), (url) => isGreenApiFileLink(url, credentials));
	},

	async resolveSource(context: MessengerContext, file: MessageFile, state: ExecutionState): Promise<string> {
		if (!file.locator) throw new MessageFileError('No chat ID and message ID to ask Green-API for the file', { kind: 'input' });
		const { chatId, idMessage, instanceId } = file.locator;
		const credentials = await credentialsOf(context);
		const configuredInstance = String(credentials.idInstance ?? '').trim();
		if (instanceId && configuredInstance && instanceId !== configuredInstance) {
			throw new MessageFileError(`The message arrived at instance ${instanceId}, but the credential is for instance ${configuredInstance}`, {
				kind: 'input',
				description: 'Use the Green-API credential of the instance that received the message.',
			});
		}
		const response = await downloadFileLimit.call(
			configuredInstance,
			async () =>
				await sendApiRequest(
					async () =>
						await context.helpers.httpRequestWithAuthentication.call(context, 'greenApi', {
							method: 'POST',
							url: 'downloadFile',
							body: { chatId, idMessage },
							json: true,
							returnFullResponse: true,
							ignoreHttpStatusErrors: true,
							timeout: state.timeoutMs,
						}),
					'Green-API',
				),
		);
		const downloadUrl = (response.body as { downloadUrl?: unknown } | undefined)?.downloadUrl;
		if (response.statusCode === 200 && typeof downloadUrl === 'string' && /^https?:\/\//i.test(downloadUrl)) return downloadUrl;
		if (response.statusCode === 200) {
			throw new MessageFileError('Green-API answered without a download link', {
				kind: 'api',
				httpCode: 200,
				description: 'downloadFile succeeded but returned no downloadUrl. Check that the message holds a file.',
			});
		}
		throw greenApiError(response, credentials);
	},
};
