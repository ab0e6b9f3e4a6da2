import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { sendApiRequest } from '../../transport/apiResponse';
import type { ByteStream, HttpRequest } from '../../transport/download';
import { readSmallBody } from '../../transport/download';
import { inputError } from '../../transport/errors';
import type { ReadAnswer } from '../tokenRenewal';
import { tokenRenewal } from '../tokenRenewal';
import type { ExecutionState, MessengerContext } from '../types';
import { feishuCode, feishuError } from './errors';
import type { CredentialToken } from '../tokenCredential';

/** What Feishu's Open API needs: the host, the tenant token and the authenticated call. */

export const DEFAULT_FEISHU_BASE_URL = 'https://open.feishu.cn';
export const LARK_BASE_URL = 'https://open.larksuite.com';
export const TENANT_GRANT_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
export const FEISHU_CREDENTIAL = 'feishuApi';

/** The credential's Base URL (Feishu, Lark or a proxy), without a trailing slash. */
export function feishuBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (raw || DEFAULT_FEISHU_BASE_URL).replace(/\/+$/, '');
}

function field(credentials: ICredentialDataDecryptedObject, name: string): string {
	const value = credentials[name];
	return typeof value === 'string' ? value.trim() : '';
}

/** The token request, refusing early when the App ID or App Secret is empty. */
export function tenantTokenRequest(credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const missing = [
		['appId', 'App ID'],
		['appSecret', 'App Secret'],
	].filter(([name]) => field(credentials, name) === '');
	if (missing.length > 0) {
		throw inputError(
			`The Feishu credential is missing ${missing.map(([, label]) => label).join(' and ')}`,
			"Copy the App ID (cli_…) and App Secret from the app's Credentials & Basic Info page in the Feishu (or Lark) developer console.",
		);
	}
	return {
		method: 'POST',
		url: `${feishuBaseUrl(credentials)}${TENANT_GRANT_PATH}`,
		body: { app_id: field(credentials, 'appId'), app_secret: field(credentials, 'appSecret') },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 30_000,
	};
}

/**
 * Fetches a tenant access token. The answer is top-level (`tenant_access_token`, not
 * under `data`), and a wrong secret or app id comes as HTTP 200 with a non-zero code.
 */
export async function fetchTenantToken(httpRequest: HttpRequest, credentials: ICredentialDataDecryptedObject): Promise<string> {
	const response = await sendApiRequest(async () => await httpRequest(tenantTokenRequest(credentials)), 'the Feishu token endpoint');
	const body = response.body as { code?: unknown; tenant_access_token?: unknown } | undefined;
	const token = body?.tenant_access_token;
	if (response.statusCode === 200 && feishuCode(body) === 0 && typeof token === 'string' && token) return token;
	throw feishuError(response, 'fetch a tenant access token');
}

/** Feishu reads the token from the Authorization header only. */
export function withTenantToken(request: IHttpRequestOptions, token: string): IHttpRequestOptions {
	return { ...request, headers: { ...request.headers, Authorization: `Bearer ${token}` } };
}

/**
 * Feishu's "the token is not (or no longer) good": expired or revoked (99991663), missing
 * (99991661), of the wrong kind or shape (99991668, 99991671), an app or tenant code it
 * no longer takes (99991664, 99991665). All come as HTTP 400.
 */
const REJECTED_TOKEN_CODES = new Set([99991661, 99991663, 99991664, 99991665, 99991668, 99991671]);

export function isRejectedToken(response: ApiResponse): boolean {
	const code = feishuCode(response.body);
	return code !== undefined && REJECTED_TOKEN_CODES.has(code) && response.statusCode >= 400;
}

/** Feishu's tenant token as its credential and the token renewal know it. */
export const FEISHU_TOKEN: CredentialToken = { tokenField: 'tenantAccessToken', fetchToken: fetchTenantToken, withToken: withTenantToken };

const feishuTokens = tokenRenewal({
	credentialType: FEISHU_CREDENTIAL,
	...FEISHU_TOKEN,
	appFields: ['baseUrl', 'appId'],
	apiName: 'Feishu',
	isRejected: isRejectedToken,
	n8nCanRenew: (response) => response.statusCode === 400 || response.statusCode === 401,
});

function isStream(body: unknown): body is ByteStream {
	return !!body && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function' && typeof (body as { destroy?: unknown }).destroy === 'function';
}

/** Error bodies are a few hundred bytes of JSON; more is not Feishu's error. */
const ERROR_BODY_LIMIT = 16 * 1024;

/**
 * A streamed answer (a download) that is not the file: its JSON error body, read small,
 * so the token check and the explanation can see Feishu's code. The file passes untouched.
 */
export const readStreamedRefusal: ReadAnswer = async (response) => {
	if ((response.statusCode >= 200 && response.statusCode < 300) || !isStream(response.body)) return response;
	const text = (await readSmallBody(response.body, ERROR_BODY_LIMIT)).toString('utf8');
	const trimmed = text.trim();
	let body: unknown = text;
	if (trimmed.startsWith('{')) {
		try {
			body = JSON.parse(trimmed) as unknown;
		} catch {
			// Not JSON after all: the text explains what it can.
		}
	}
	return { ...response, body };
};

/**
 * Sends an authenticated Feishu Open API request: the tenant token on it, renewed once per
 * execution when Feishu rejects it, the request then repeated once. A request whose body
 * is a stream (an upload) is passed as a function that builds it afresh.
 */
export async function sendFeishuRequest(
	context: MessengerContext,
	request: IHttpRequestOptions | (() => IHttpRequestOptions),
	state: ExecutionState,
	readAnswer?: ReadAnswer,
): Promise<ApiResponse> {
	return await feishuTokens.send(context, request, state, readAnswer);
}

/** Whether an answer is Feishu's success: HTTP 2xx and code 0. */
export function isFeishuSuccess(response: ApiResponse): boolean {
	return response.statusCode >= 200 && response.statusCode < 300 && feishuCode(response.body) === 0;
}
