import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { credentialsOnce } from '../credentialsOnce';
import type { ExecutionState } from '../types';
import { FEISHU_CREDENTIAL, feishuBaseUrl, isFeishuSuccess, sendFeishuRequest } from './api';
import { feishuError } from './errors';

/** The credential's App ID: the per-app rate limits are kept per app. */
export async function feishuAppId(context: IExecuteFunctions): Promise<string> {
	const credentials = await credentialsOnce(context, FEISHU_CREDENTIAL);
	return typeof credentials.appId === 'string' ? credentials.appId.trim() : '';
}

/**
 * One call of the send side (`path` relative to the credential's Base URL) with the
 * tenant token, renewed once when Feishu rejects it. `request` is a function when its
 * body streams a file, so a repeat after a renewal re-opens it. Feishu's success (HTTP
 * 2xx, code 0) comes back; anything else is thrown explained, retryable for its rate
 * limits (with the wait Feishu names) and 5xx.
 */
export async function feishuApiCall(
	context: IExecuteFunctions,
	request: IHttpRequestOptions | (() => IHttpRequestOptions),
	state: ExecutionState,
	action: string,
): Promise<ApiResponse> {
	const base = feishuBaseUrl(await credentialsOnce(context, FEISHU_CREDENTIAL));
	const build = typeof request === 'function' ? request : () => request;
	const response = await sendFeishuRequest(
		context,
		() => {
			const built = build();
			return { ...built, url: `${base}${built.url}` };
		},
		state,
	);
	if (!isFeishuSuccess(response)) throw feishuError(response, action);
	return response;
}
