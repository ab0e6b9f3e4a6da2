import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MessageFileError, inputError } from '../../transport/errors';
import { credentialsOnce } from '../credentialsOnce';
import { readIdentifier } from '../fieldValues';
import { isDingTalkMessage } from '../incomingMessage';
import type { ExecutionState, FileProvider, MessageFile, MessengerContext, NoFile } from '../types';
import { DOWNLOAD_PATH, dingTalkBaseUrl, dingTalkError } from './api';
import { dingTalkFallbackName, filesInDingTalkMessage } from './messages';
import { sendDingTalkRequest } from './tokenRenewal';

/** The robot code when neither the node nor the message gives one: the credential's default, else an internal app's key. */
export async function defaultRobotCode(context: MessengerContext): Promise<string> {
	const credentials = await credentialsOnce(context, 'dingTalkApi');
	const configured = typeof credentials.robotCode === 'string' ? credentials.robotCode.trim() : '';
	if (configured) return configured;
	return credentials.appType !== 'thirdParty' && typeof credentials.appKey === 'string' ? credentials.appKey.trim() : '';
}

async function apiBaseUrl(context: MessengerContext): Promise<string> {
	return dingTalkBaseUrl(await credentialsOnce(context, 'dingTalkApi'));
}

export const dingTalkProvider: FileProvider = {
	credentialType: 'dingTalkApi',
	displayName: 'DingTalk robot',
	recognises: isDingTalkMessage,

	async fromFields(context: IExecuteFunctions, itemIndex: number): Promise<MessageFile> {
		const downloadCode = readIdentifier(context, 'downloadCode', 'Download Code', itemIndex, true);
		const robotCode = readIdentifier(context, 'robotCode', 'Robot Code', itemIndex, false) || (await defaultRobotCode(context));
		return {
			hints: { fallbackName: dingTalkFallbackName(downloadCode) },
			locator: { downloadCode, robotCode },
			info: {},
		};
	},

	async fromMessage(context: MessengerContext, message: IDataObject): Promise<MessageFile[] | NoFile> {
		return filesInDingTalkMessage(message, await defaultRobotCode(context));
	},

	async resolveSource(context: MessengerContext, file: MessageFile, state: ExecutionState): Promise<string> {
		const { downloadCode, robotCode } = file.locator ?? {};
		if (!robotCode) {
			throw inputError(
				'No robot code: the node, the message and the credential name none',
				'Set Robot Code in the node or a default in the DingTalk credential. For an internal app it is usually the App Key.',
			);
		}
		const response = await sendDingTalkRequest(
			context,
			{
				method: 'POST',
				url: `${await apiBaseUrl(context)}${DOWNLOAD_PATH}`,
				body: { downloadCode, robotCode },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: state.timeoutMs,
			},
			state,
		);
		const downloadUrl = (response.body as { downloadUrl?: unknown } | undefined)?.downloadUrl;
		if (response.statusCode === 200 && typeof downloadUrl === 'string' && downloadUrl) return downloadUrl;
		if (response.statusCode === 200) {
			throw new MessageFileError('DingTalk answered without a download link', {
				kind: 'api',
				httpCode: 200,
				description: 'The download call succeeded but carried no downloadUrl. Try again; if it persists, check the Base URL in the credential.',
			});
		}
		throw dingTalkError(response, 'resolve the download link');
	},
};
