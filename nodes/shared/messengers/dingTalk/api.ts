import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import type { ApiResponse } from '../../transport/apiResponse';
import { bodyText, headerValue, retryAfterMs, sendApiRequest } from '../../transport/apiResponse';
import type { CredentialToken } from '../tokenCredential';

/** What DingTalk's v1.0 API knows: hosts, the token calls, the download call and its errors. */

export const DEFAULT_DINGTALK_BASE_URL = 'https://api.dingtalk.com';
export const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';
export const DOWNLOAD_PATH = '/v1.0/robot/messageFiles/download';

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export function dingTalkBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (raw || DEFAULT_DINGTALK_BASE_URL).replace(/\/+$/, '');
}

/** DingTalk's v1.0 hosts and the legacy ("oapi") host of the same region. */
const LEGACY_HOSTS: Record<string, string> = {
	'api.dingtalk.com': 'https://oapi.dingtalk.com',
	'api.dingtalk.io': 'https://oapi.dingtalk.io',
};

/**
 * The legacy API's host (media upload): the credential's Legacy API URL, else the one that
 * goes with Base URL; any other Base URL (a proxy, a stand-in) is taken to serve both.
 */
export function dingTalkLegacyBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.legacyBaseUrl === 'string' ? credentials.legacyBaseUrl.trim() : '';
	if (raw) return raw.replace(/\/+$/, '');
	const base = dingTalkBaseUrl(credentials);
	let host = '';
	try {
		host = new URL(base).host.toLowerCase();
	} catch {
		return base;
	}
	return LEGACY_HOSTS[host] ?? base;
}

/** The legacy API takes the token as the access_token query parameter: a request that has one gets the token there. */
export const LEGACY_TOKEN_PARAMETER = 'access_token';

/** Puts the token where the request carries it: the v1.0 header, and the legacy query parameter when the request has it. */
export function withAccessToken(request: IHttpRequestOptions, token: string): IHttpRequestOptions {
	const withHeader = { ...request, headers: { ...request.headers, [ACCESS_TOKEN_HEADER]: token } };
	const qs = request.qs as Record<string, unknown> | undefined;
	return qs && LEGACY_TOKEN_PARAMETER in qs ? { ...withHeader, qs: { ...qs, [LEGACY_TOKEN_PARAMETER]: token } } : withHeader;
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

/** The legacy API answers errors as HTTP 200 with a non-zero errcode. */
export function legacyErrorCode(response: { statusCode?: number; body?: unknown }): number | undefined {
	const errcode = (response.body as { errcode?: unknown } | undefined)?.errcode;
	const code = typeof errcode === 'string' && /^-?\d+$/.test(errcode) ? Number(errcode) : errcode;
	return typeof code === 'number' && code !== 0 ? code : undefined;
}

/** The legacy API's "invalid access_token" (40014) and "access_token expired" (42001), in a 200 answer. */
export function isRejectedLegacyToken(response: { statusCode?: number; body?: unknown }): boolean {
	const code = legacyErrorCode(response);
	return code === 40014 || code === 42001;
}

interface Explanation {
	message: string;
	description: string;
	retryable?: boolean;
}

const SEND_HELP = 'Check that the robot is added to the group (group settings → Bots) and that the robot code belongs to the app of this credential.';

const COOL_APP_HELP =
	"In a group whose robot was installed through a group cool app (群酷应用), DingTalk takes robot messages only with that cool app's code. Set the Cool App Code option (COOLAPP-…, from the cool app's page in the DingTalk developer console); a message that carries coolAppCode is answered with it by itself.";

const PERMISSION_HELP =
	"In the DingTalk developer console open the app's Permissions page and grant qyapi_robot_sendmsg (robot messages); a new token is fetched on the next run.";

/**
 * English explanations for DingTalk's error codes. Several documented errors
 * share one code and differ only in their message, so some entries look at the text.
 */
function explain(code: string, message: string, action = ''): Explanation | undefined {
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
			if (text.includes('coolapp') || text.includes('酷应用')) {
				return {
					message: "The group's robot came with a cool app: DingTalk wants its cool app code",
					description: COOL_APP_HELP,
				};
			}
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
			if (text.includes('appkey') || text.includes('suitekey')) {
				return {
					message: "The robot code does not belong to this credential's app",
					description:
						"Use the robotCode of a robot of this app (for an internal app usually its AppKey), or the credential of the robot's app.",
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
			return {
				message: text.includes('download') || action.includes('download')
					? 'The DingTalk app lacks the permission to download robot files'
					: 'The DingTalk app lacks the permission to send robot messages',
				description: PERMISSION_HELP,
			};
		case 'invalidParameter.robotCode.notExsit':
		case 'invalidParameter.robotCode.notExist':
		case 'invalidParameter.robotCode.invalid':
		case 'invalidParameter.invalid':
			return { message: 'DingTalk does not know this robot, or the robot is not in the group', description: SEND_HELP };
		case 'invalidParameter.robotCode.coolApp':
			return {
				message: 'DingTalk refused the cool app code',
				description: `The Cool App Code does not belong to this group's robot. ${COOL_APP_HELP}`,
			};
		case 'invalid.openConversationId':
		case 'openConversationId.notExisted':
			return {
				message: 'DingTalk does not know this group (openConversationId)',
				description: "Pass the conversationId of a message the robot received in that group, or the group's openConversationId.",
			};
		case 'bot.stopped':
			return { message: "The group's robot is disabled", description: 'Enable the robot again in the group settings.' };
		case 'invalidParameter.userIds.empty':
			return { message: 'No user to send to', description: 'Set User IDs (staff IDs of your organisation).' };
		case 'invalidParameter.userIds.overMax':
			return { message: 'Too many users in one message', description: 'DingTalk takes at most 20 user IDs per message: split the list over several items.' };
		case 'invalidParameter.msgKey.empty':
		case 'invalidParameter.msgKey.invalid':
		case 'invalidParameter.msgParam.invalid':
		case 'invalidParameter.param.invalid':
			return {
				message: 'DingTalk refused the message content',
				description: 'The message was not in a form DingTalk takes (too long — at most 15,000 bytes —, or an unsupported message type).',
			};
		case 'staffId.notExisted':
		case 'invalidParameter.staffId.notExisted':
			return { message: 'The user is not in the organisation', description: 'Use the staff ID (userId) of a member of the organisation the app belongs to.' };
		// Legacy API (media upload): errcode in an HTTP 200 answer.
		case '40004':
			return {
				message: 'DingTalk refused the media type',
				description: 'The upload type must be image, voice, video or file.',
			};
		case '40005':
			return {
				message: 'DingTalk refused the file type',
				description: 'Images must be JPG, PNG, GIF or BMP; voice AMR, MP3 or WAV; video MP4; files DOC(X), XLS(X), PPT(X), ZIP, PDF or RAR.',
			};
		case '40006':
			return {
				message: 'DingTalk refused the file size',
				description: 'Images, videos and files may be up to 20 MB, voice up to 2 MB; an empty file is refused too.',
			};
		case '40014':
		case '42001':
			return {
				message: 'DingTalk rejected the access token',
				description:
					"The upload host refused the app's v1.0 token and then its own legacy token too. Check that the credential belongs to the app that owns the robot, and the Legacy API URL.",
			};
		// The legacy host's token API (GET /gettoken).
		case '40089':
			return {
				message: 'DingTalk rejected the App Key or App Secret',
				description: "Copy the AppKey (Client ID) and AppSecret (Client Secret) again from the app's Credentials & Basic Info page in the DingTalk developer console.",
			};
		case '40035':
			return { message: 'DingTalk refused a parameter of the upload', description: 'Check the file: it must have a name with an extension and some bytes.' };
		case '41001':
			return { message: 'The upload carried no access token', description: 'Check the Legacy API URL of the credential: a proxy must pass the access_token query parameter on.' };
		case '-1':
			return { message: 'DingTalk is busy', description: 'Try again shortly.', retryable: true };
		case '90018':
		case '90002':
			return { message: 'DingTalk is throttling requests (too many per second)', description: "Lower the node's concurrency or spread the workflow's runs out.", retryable: true };
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
	const body = (response.body ?? {}) as { code?: unknown; message?: unknown; requestid?: unknown; requestId?: unknown; errmsg?: unknown };
	const legacyCode = legacyErrorCode(response);
	const code = typeof body.code === 'string' ? body.code : legacyCode !== undefined ? String(legacyCode) : undefined;
	const apiMessage = typeof body.errmsg === 'string' && legacyCode !== undefined ? body.errmsg : bodyText(response.body);
	const requestId =
		(typeof body.requestid === 'string' && body.requestid) ||
		(typeof body.requestId === 'string' && body.requestId) ||
		headerValue(response.headers, 'x-acs-request-id');
	const explanation = code ? explain(code, apiMessage, action) : undefined;
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

/** DingTalk's access token as its credential and the token renewal know it. */
export const DINGTALK_TOKEN: CredentialToken = { tokenField: 'accessToken', fetchToken: fetchAccessToken, withToken: withAccessToken };
