import type { IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { tokenRenewal } from '../tokenRenewal';
import type { ExecutionState, MessengerContext } from '../types';
import { DINGTALK_TOKEN, isRejectedToken } from './api';

/**
 * DingTalk's token renewal (../tokenRenewal.ts): it rejects an expired token with HTTP 400
 * `InvalidAuthentication`, and a token that predates a permission grant with a 403. The
 * legacy upload host's refusals (errcode 40014 / 42001) get that host's own token
 * (./legacyToken.ts), not a new v1.0 one.
 */
const dingTalkTokens = tokenRenewal({
	credentialType: 'dingTalkApi',
	...DINGTALK_TOKEN,
	appFields: ['baseUrl', 'appType', 'appKey', 'suiteKey', 'authCorpId'],
	apiName: 'DingTalk',
	isRejected: (response) => isRejectedToken(response) || isPermissionPredatingToken(response),
	n8nCanRenew: () => true,
});

function isPermissionPredatingToken(response: ApiResponse): boolean {
	const code = (response.body as { code?: unknown } | undefined)?.code;
	return response.statusCode === 403 && code === 'Forbidden.AccessDenied.AccessTokenPermissionDenied';
}

/**
 * Sends an authenticated DingTalk API request. A token DingTalk rejects (or one that
 * predates a permission grant) is renewed once and the request repeated once.
 * A request whose body is a stream (an upload) is passed as a function that builds it
 * afresh, so a repeat re-reads the file from its start.
 */
export async function sendDingTalkRequest(
	context: MessengerContext,
	request: IHttpRequestOptions | (() => IHttpRequestOptions),
	state: ExecutionState,
): Promise<ApiResponse> {
	return await dingTalkTokens.send(context, request, state);
}
