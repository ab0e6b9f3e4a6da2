import type { IExecuteFunctions } from 'n8n-workflow';

import { multipartRequest } from '../../transport/multipartBody';
import { MessageFileError } from '../../transport/errors';
import { credentialsOnce } from '../credentialsOnce';
import type { ExecutionState, OutgoingFile } from '../types';
import { LEGACY_TOKEN_PARAMETER, dingTalkError, dingTalkLegacyBaseUrl, legacyErrorCode } from './api';
import type { UploadType } from './mediaKinds';
import { sendDingTalkRequest } from './tokenRenewal';

export const UPLOAD_PATH = '/media/upload';

/**
 * Uploads the file to DingTalk's media storage (legacy API: `POST /media/upload`,
 * multipart field `media`, token in the query) and returns its media_id. The body streams
 * from n8n's binary storage; a repeat after a renewed token re-opens the file.
 */
export async function uploadMedia(
	context: IExecuteFunctions,
	file: OutgoingFile,
	type: UploadType,
	state: ExecutionState,
): Promise<string> {
	const legacyBase = dingTalkLegacyBaseUrl(await credentialsOnce(context, 'dingTalkApi'));
	const buildRequest = () => ({
		method: 'POST' as const,
		url: `${legacyBase}${UPLOAD_PATH}`,
		// The token goes here (filled in by the credential or the renewal); never into the URL text itself.
		qs: { [LEGACY_TOKEN_PARAMETER]: '', type },
		...multipartRequest([{ name: 'media', file }]),
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: state.timeoutMs,
	});
	const response = await sendDingTalkRequest(context, buildRequest, state);
	if (response.statusCode !== 200 || legacyErrorCode(response) !== undefined) throw dingTalkError(response, 'upload the file');
	const mediaId = (response.body as { media_id?: unknown } | undefined)?.media_id;
	if (typeof mediaId !== 'string' || mediaId === '') {
		throw new MessageFileError('DingTalk answered the upload without a media_id', {
			kind: 'api',
			httpCode: response.statusCode,
			description: 'The upload call succeeded but carried no media_id. Check the Legacy API URL in the credential.',
		});
	}
	return mediaId;
}
