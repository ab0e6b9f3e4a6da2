import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { sendApiRequest } from '../../transport/apiResponse';
import type { ExecutionState } from '../types';
import { ACCESS_TOKEN_HEADER, fetchAccessToken, isRejectedToken } from './api';

/**
 * DingTalk rejects an expired token with HTTP 400, and n8n up to 2.40 renews a
 * credential's token only after a 401. So the node renews it itself, once per
 * execution, and remembers the new token in this process, keyed by the stale one n8n
 * still stores, so later executions do not pay for the rejection again. Newer n8n
 * (shouldRefreshCredentials) renews and saves the token itself, and this stays idle.
 */
const renewedTokens = new Map<string, string>();

const CREDENTIAL = 'dingTalkApi';
const RENEWAL_KEY = 'dingTalk.tokenRenewal';

interface CredentialOptions {
	preAuthenticationRetryStatusCode?: number;
	shouldRefreshCredentials?: (response: unknown) => boolean;
}

/** Lets n8n versions that support it renew and persist the token when DingTalk rejects it. */
const REFRESH_ON_REJECTED_TOKEN: CredentialOptions = {
	shouldRefreshCredentials: (response) => isRejectedToken(response as ApiResponse),
};

async function storedToken(context: IExecuteFunctions): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL);
	return typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
}

async function sendWithCredential(context: IExecuteFunctions, request: IHttpRequestOptions): Promise<ApiResponse> {
	return await sendApiRequest(
		async () =>
			await context.helpers.httpRequestWithAuthentication.call(
				context,
				CREDENTIAL,
				request,
				REFRESH_ON_REJECTED_TOKEN as Parameters<IExecuteFunctions['helpers']['httpRequestWithAuthentication']>[2],
			),
		'DingTalk',
	);
}

async function sendWithToken(context: IExecuteFunctions, request: IHttpRequestOptions, token: string): Promise<ApiResponse> {
	const withToken = { ...request, headers: { ...request.headers, [ACCESS_TOKEN_HEADER]: token } };
	return await sendApiRequest(async () => await context.helpers.httpRequest(withToken), 'DingTalk');
}

async function fetchNewToken(context: IExecuteFunctions): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL);
	return await fetchAccessToken(context.helpers.httpRequest, credentials);
}

/** One renewal per execution, shared by all items running at once. */
async function renewOnce(context: IExecuteFunctions, state: ExecutionState, stale: string): Promise<string> {
	let renewal = state.memo.get(RENEWAL_KEY) as Promise<string> | undefined;
	if (!renewal) {
		renewal = fetchNewToken(context).then((token) => {
			if (stale) renewedTokens.set(stale, token);
			return token;
		});
		state.memo.set(RENEWAL_KEY, renewal);
	}
	return await renewal;
}

/**
 * Sends an authenticated DingTalk API request. A token DingTalk rejects (or one that
 * predates a permission grant) is renewed once and the request repeated once.
 */
export async function sendDingTalkRequest(
	context: IExecuteFunctions,
	request: IHttpRequestOptions,
	state: ExecutionState,
): Promise<ApiResponse> {
	const stale = await storedToken(context);
	const remembered = stale ? renewedTokens.get(stale) : undefined;
	const response = remembered
		? await sendWithToken(context, request, remembered)
		: await sendWithCredential(context, request);
	if (!needsNewToken(response)) return response;
	const fresh = await renewOnce(context, state, stale);
	// Already sent with this execution's renewed token: renewing again would only loop.
	if (fresh === remembered) return response;
	return await sendWithToken(context, request, fresh);
}

function needsNewToken(response: ApiResponse): boolean {
	if (isRejectedToken(response)) return true;
	const code = (response.body as { code?: unknown } | undefined)?.code;
	return response.statusCode === 403 && code === 'Forbidden.AccessDenied.AccessTokenPermissionDenied';
}

/** For tests: forget tokens renewed in this process. */
export function forgetRenewedTokens(): void {
	renewedTokens.clear();
}
