import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import type { ApiResponse } from '../../transport/apiResponse';
import { bodyText, headerValue, retryAfterMs, sendApiRequest } from '../../transport/apiResponse';

/** What DingTalk's v1.0 API knows: hosts, the token calls, the download call and its errors. */

export const DEFAULT_DINGTALK_BASE_URL = 'https://api.dingtalk.com';
export const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';
export const DOWNLOAD_PATH = '/v1.0/robot/messageFiles/download';

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export function dingTalkBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (raw || DEFAULT_DINGTALK_BASE_URL).replace(/\/+$/, '');
}

function field(credentials: ICredentialDataDecryptedObject, name: string): string {
	const value = credentials[name];
	return typeof value === 'string' ? value.trim() : '';
}

/** The token request for the credential's app type, refusing early when a field is empty. */
export function accessTokenRequest(credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const thirdParty = credentials.appType === 'thirdParty';
	const required = thirdParty
		? ['suiteKey', 'suiteSecret', 'authCorpId', 'suiteTicket']
		: ['appKey', 'appSecret'];
	const missing = required.filter((name) => field(credentials, name) === '');
	if (missing.length > 0) {
		throw new MessageFileError(`The DingTalk credential is missing ${missing.join(', ')}`, {
			kind: 'input',
			description: thirdParty
				? 'A third-party enterprise app needs its suite key and secret, the authorised corp ID and the latest suite ticket.'
				: "An internal app needs its AppKey (Client ID) and AppSecret (Client Secret) from the app's Credentials & Basic Info page in the DingTalk developer console.",
		});
	}
	const body = thirdParty
		? {
				suiteKey: field(credentials, 'suiteKey'),
				suiteSecret: field(credentials, 'suiteSecret'),
				authCorpId: field(credentials, 'authCorpId'),
				suiteTicket: field(credentials, 'suiteTicket'),
			}
		: { appKey: field(credentials, 'appKey'), appSecret: field(credentials, 'appSecret') };
	return {
		method: 'POST',
		url: `${dingTalkBaseUrl(credentials)}${thirdParty ? '/v1.0/oauth2/corpAccessToken' : '/v1.0/oauth2/accessToken'}`,
		body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 30_000,
	};
}

/** Fetches a fresh access token. Used by the credential's preAuthentication and by the node's renewal. */
export async function fetchAccessToken(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	const request = accessTokenRequest(credentials);
	const response = await sendApiRequest(async () => await httpRequest(request), 'the DingTalk token endpoint');
	const body = response.body as { accessToken?: unknown } | undefined;
	if (response.statusCode === 200 && typeof body?.accessToken === 'string' && body.accessToken) {
		return body.accessToken;
	}
	throw dingTalkError(response, 'fetch an access token');
}

/** DingTalk's way of saying the token is invalid or expired: HTTP 400, not 401. */
export function isRejectedToken(response: { statusCode?: number; body?: unknown }): boolean {
	const code = (response.body as { code?: unknown } | undefined)?.code;
	return (response.statusCode === 400 || response.statusCode === 401) && code === 'InvalidAuthentication';
}

interface Explanation {
	message: string;
	description: string;
	retryable?: boolean;
}

const PERMISSION_HELP =
	"In the DingTalk developer console open the app's Permissions page and grant qyapi_robot_sendmsg (robot messages); a new token is fetched on the next run.";

/**
 * English explanations for DingTalk's error codes. Several documented errors
 * share one code and differ only in their message, so some entries look at the text.
 */
function explain(code: string, message: string): Explanation | undefined {
	const text = message.toLowerCase();
	switch (code) {
		case 'InvalidAuthentication':
			return {
				message: 'DingTalk rejected the access token',
				description: 'The token was renewed once and still rejected. Check that the credential belongs to the app that owns the robot.',
			};
		case 'invalidParameter.robotCode.empty':
			return text.includes('downloadcode')
				? { message: 'The download code is empty', description: 'Pass the downloadCode from the robot message (content.downloadCode).' }
				: {
						message: 'The robot code is empty or unknown to DingTalk',
						description:
							'Set Robot Code (or the default in the credential). For an internal app it is usually the AppKey; it is also the robotCode field of the incoming message. Check that the robot is in the group.',
					};
		case 'invalidParameter.robotCode.auth':
			if (text.includes('organization') || text.includes('组织')) {
				return {
					message: 'The robot that received this file belongs to another organisation',
					description: 'Use a credential of the app in the organisation where the message was received (for third-party apps: the right authorised corp ID).',
				};
			}
			if (text.includes('internal app') || text.includes('third-party') || text.includes('应用类型')) {
				return {
					message: 'This app type may not download robot files',
					description: 'Only internal apps and authorised third-party enterprise apps may call this API. Use the credential of such an app.',
				};
			}
			return {
				message: 'The download code does not belong to this robot',
				description:
					'Use the robotCode of the robot that received the message together with the downloadCode from that same message (both are in the incoming message).',
			};
		case 'invalidParameter.robotCode.downloadCode':
			return {
				message: 'The download code is incorrect or has expired',
				description:
					'Download codes are short-lived: download the file soon after the message arrives, and pass the downloadCode of that very message.',
			};
		case 'Forbidden.AccessDenied.AccessTokenPermissionDenied':
			return { message: 'The DingTalk app lacks the permission to download robot files', description: PERMISSION_HELP };
		case 'Forbidden.AccessDenied.QpsLimitForApi':
		case 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi':
			return {
				message: 'DingTalk is throttling requests (too many per second)',
				description: 'Lower the node\'s Concurrency option or spread the workflow\'s runs out.',
				retryable: true,
			};
		case 'Forbidden.AccessDenied.ApiCountLimitForOrg':
			return {
				message: "The organisation's monthly DingTalk API quota is used up",
				description: 'Wait for the quota to reset or raise it in the DingTalk developer console.',
			};
		case 'Forbidden.AccessDenied.IpNotInWhiteList':
			return {
				message: "n8n's IP address is not in the app's allow-list",
				description: "Add n8n's outgoing IP address to the app's server IP allow-list in the DingTalk developer console.",
			};
		case 'invalidClientIdOrSecret':
			return {
				message: 'DingTalk rejected the App Key or App Secret',
				description: "Copy the AppKey (Client ID) and AppSecret (Client Secret) again from the app's Credentials & Basic Info page in the DingTalk developer console.",
			};
		case 'invalidClientId':
		case 'invalidAppKey':
			return {
				message: 'DingTalk does not know this AppKey',
				description: "Copy the AppKey (Client ID) from the app's Credentials & Basic Info page in the DingTalk developer console.",
			};
		case 'invalidClientSecret':
		case 'invalidAppSecret':
			return {
				message: 'The AppSecret does not match the AppKey',
				description: "Copy the AppSecret (Client Secret) again from the app's Credentials & Basic Info page.",
			};
		case 'invalidSuiteKey':
			return {
				message: 'The suite key or suite secret is wrong',
				description: 'Copy the SuiteKey and SuiteSecret of the third-party app from the DingTalk developer console.',
			};
		case 'invalidSuiteTicket':
			return {
				message: 'The suite ticket is wrong or outdated',
				description: 'DingTalk pushes a new suite ticket to the app\'s callback about every 5 hours; put the latest one into the credential.',
			};
		case 'invalidAuthInfo':
			return {
				message: 'The app is not authorised by this corp',
				description: 'Check the authorised corp ID (authCorpId) and that the organisation has installed the app.',
			};
		default:
			return undefined;
	}
}

/** The token endpoints' documented error codes, for the credential's Test rules. */
export const TOKEN_ERROR_CODES = [
	'invalidClientIdOrSecret',
	'invalidClientId',
	'invalidAppKey',
	'invalidClientSecret',
	'invalidAppSecret',
	'invalidSuiteKey',
	'invalidSuiteTicket',
	'invalidAuthInfo',
	'Forbidden.AccessDenied.IpNotInWhiteList',
] as const;

/** One line for the Test button: the explanation, what to do, and DingTalk's code. */
export function tokenErrorTestMessage(code: string): string {
	const explanation = explain(code, '');
	return explanation ? `${explanation.message} (DingTalk code ${code}). ${explanation.description}` : `DingTalk refused the token request (code ${code}).`;
}

/** Builds the error for a non-success answer, keeping DingTalk's code and request id. */
export function dingTalkError(response: ApiResponse, action: string): MessageFileError {
	const body = (response.body ?? {}) as { code?: unknown; message?: unknown; requestid?: unknown; requestId?: unknown };
	const code = typeof body.code === 'string' ? body.code : undefined;
	const apiMessage = bodyText(response.body);
	const requestId =
		(typeof body.requestid === 'string' && body.requestid) ||
		(typeof body.requestId === 'string' && body.requestId) ||
		headerValue(response.headers, 'x-acs-request-id');
	const explanation = code ? explain(code, apiMessage) : undefined;
	const status = response.statusCode;
	const transient = status === 429 || status === 502 || status === 503 || status === 504;
	const suffix = [code && `code ${code}`, apiMessage && `“${apiMessage}”`, requestId && `request id ${requestId}`]
		.filter(Boolean)
		.join(', ');
	const message = explanation?.message ?? `DingTalk could not ${action} (HTTP ${status})`;
	return new MessageFileError(message, {
		kind: 'api',
		httpCode: status,
		apiCode: code,
		requestId: requestId || undefined,
		description: [explanation?.description ?? (transient ? 'DingTalk is busy; try again shortly.' : undefined), suffix && `DingTalk said: ${suffix}.`]
			.filter(Boolean)
			.join(' '),
		retryable: explanation?.retryable ?? transient,
		retryAfterMs: retryAfterMs(response.headers),
	});
}
