import type { IExecuteFunctions } from 'n8n-workflow';

import { sendApiRequest, type ApiResponse } from '../../transport/apiResponse';
import { multipartRequest } from '../../transport/multipartBody';
import { MessageFileError } from '../../transport/errors';
import { credentialsOnce } from '../credentialsOnce';
import type { ExecutionState, OutgoingFile } from '../types';
import { LEGACY_TOKEN_PARAMETER, dingTalkError, dingTalkLegacyBaseUrl, isRejectedLegacyToken, legacyErrorCode } from './api';
import { legacyToken, rememberLegacyTokenNeeded, usesLegacyToken } from './legacyToken';
import type { UploadType } from './mediaKinds';
import { sendDingTalkRequest } from './tokenRenewal';

export const UPLOAD_PATH = '/media/upload';

/**
 * Uploads the file to DingTalk's media storage (legacy API: `POST /media/upload`,
 * multipart field `media`, token in the query) and returns its media_id. The body streams
 * from n8n's binary storage; a repeat with another token re-opens the file.
 *
 * It first goes with the credential's v1.0 token, which DingTalk's pages name for this
 * host too. When the host refuses it (errcode 40014 invalid, 42001 expired), the upload
 * fetches the host's own legacy token and goes again once; the credential's later uploads
 * then use the legacy token straight away (cached, renewed before it expires).
 */
export async function uploadMedia(
	context: IExecuteFunctions,
	file: OutgoingFile,
	type: UploadType,
	state: ExecutionState,
): Promise<string> {
	const credentials = await credentialsOnce(context, 'dingTalkApi');
	const legacyBase = dingTalkLegacyBaseUrl(credentials);
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
	const withLegacyToken = async (token: string): Promise<ApiResponse> => {
		const request = buildRequest();
		return await sendApiRequest(
			async () => await context.helpers.httpRequest({ ...request, qs: { ...request.qs, [LEGACY_TOKEN_PARAMETER]: token } }),
			'DingTalk',
		);
	};
	let response: ApiResponse;
	if (usesLegacyToken(credentials)) {
		const token = await legacyToken(context, credentials);
		response = await withLegacyToken(token);
		// Revoked or expired early: a new legacy token, once.
		if (isRejectedLegacyToken(response)) response = await withLegacyToken(await legacyToken(context, credentials, token));
	} else {
		response = await sendDingTalkRequest(context, buildRequest, state);
		if (isRejectedLegacyToken(response)) {
			// 40014 for a token the v1.0 APIs take: this host wants its own. (42001 only says the token expired.)
			if (legacyErrorCode(response) === 40014) rememberLegacyTokenNeeded(credentials);
			response = await withLegacyToken(await legacyToken(context, credentials));
		}
	}
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
