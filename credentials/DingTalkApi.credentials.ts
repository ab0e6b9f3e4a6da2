import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { DEFAULT_DINGTALK_BASE_URL, DINGTALK_TOKEN, TOKEN_ERROR_CODES, tokenErrorTestMessage } from '../nodes/shared/messengers/dingTalk/api';
import { fetchTokenForN8n, putTokenOnRequest, tokenProperty } from '../nodes/shared/messengers/tokenCredential';

export class DingTalkApi implements ICredentialType {
	name = 'dingTalkApi';

	displayName = 'DingTalk API';

	icon = { light: 'file:dingTalk.svg', dark: 'file:dingTalk.dark.svg' } as const;

	documentationUrl = 'https://open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot';

	properties: INodeProperties[] = [
		{
			displayName: 'App Type',
			name: 'appType',
			type: 'options',
			options: [
				{
					name: 'Internal App',
					value: 'internal',
					description: 'An app built by your own organisation (企业内部应用)',
				},
				{
					name: 'Third-Party Enterprise App',
					value: 'thirdParty',
					description: 'An app from a DingTalk ISV, authorised by your organisation (第三方企业应用)',
				},
			],
			default: 'internal',
		},
		{
			displayName: 'App Key',
			name: 'appKey',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { appType: ['internal'] } },
			description: 'The AppKey, shown as Client ID on the app\'s Credentials & Basic Info page in the DingTalk developer console',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { appType: ['internal'] } },
			description: 'The AppSecret, shown as Client Secret on the same page',
		},
		{
			displayName: 'Suite Key',
			name: 'suiteKey',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { appType: ['thirdParty'] } },
			description: 'The SuiteKey of the third-party app, from the DingTalk developer console',
		},
		{
			displayName: 'Suite Secret',
			name: 'suiteSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { appType: ['thirdParty'] } },
			description: 'The SuiteSecret of the third-party app',
		},
		{
			displayName: 'Authorised Corp ID',
			name: 'authCorpId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { appType: ['thirdParty'] } },
			description: 'The corpId of the organisation that installed the app',
		},
		{
			displayName: 'Suite Ticket',
			name: 'suiteTicket',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { appType: ['thirdParty'] } },
			description: 'The latest suite ticket DingTalk pushed to the app\'s callback',
			hint: 'DingTalk pushes a new ticket about every 5 hours; an outdated one fails with invalidSuiteTicket',
		},
		{
			displayName: 'Robot Code',
			name: 'robotCode',
			type: 'string',
			default: '',
			description: 'Default robot for downloads when neither the node nor the message names one. For an internal app it is usually the App Key.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_DINGTALK_BASE_URL,
			description: 'DingTalk\'s API host',
			hint: 'Use https://api.dingtalk.io for overseas DingTalk; any other URL (a proxy) works too',
		},
		{
			displayName: 'Legacy API URL',
			name: 'legacyBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://oapi.dingtalk.com',
			description:
				"DingTalk's older API host, used to upload files the Send Message node sends. Empty: https://oapi.dingtalk.com for api.dingtalk.com, https://oapi.dingtalk.io for api.dingtalk.io, and Base URL itself for any other (a proxy serving both).",
		},
		tokenProperty('Access Token', DINGTALK_TOKEN),
	];

	/** Fetched when the stored token is empty or rejected, and saved with the credential for every execution and worker. */
	preAuthentication = fetchTokenForN8n(DINGTALK_TOKEN);

	/** The v1.0 APIs read the token from a header; the legacy upload host from its access_token query parameter. */
	authenticate = putTokenOnRequest(DINGTALK_TOKEN);

	// Asks DingTalk for a token with the entered key and secret, so a wrong secret fails even when a token is stored.
	// DingTalk's error answers come back as bodies (ignoreHttpStatusErrors), so the rules can name its code.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: `={{$credentials.baseUrl ? $credentials.baseUrl.trim().replace(/\\/+$/, '') : '${DEFAULT_DINGTALK_BASE_URL}'}}`,
			url: '={{$credentials.appType === "thirdParty" ? "/v1.0/oauth2/corpAccessToken" : "/v1.0/oauth2/accessToken"}}',
			body: {
				appKey: '={{$credentials.appType === "thirdParty" ? undefined : $credentials.appKey}}',
				appSecret: '={{$credentials.appType === "thirdParty" ? undefined : $credentials.appSecret}}',
				suiteKey: '={{$credentials.appType === "thirdParty" ? $credentials.suiteKey : undefined}}',
				suiteSecret: '={{$credentials.appType === "thirdParty" ? $credentials.suiteSecret : undefined}}',
				authCorpId: '={{$credentials.appType === "thirdParty" ? $credentials.authCorpId : undefined}}',
				suiteTicket: '={{$credentials.appType === "thirdParty" ? $credentials.suiteTicket : undefined}}',
			},
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...TOKEN_ERROR_CODES.map((code) => ({
				type: 'responseSuccessBody' as const,
				properties: { key: 'code', value: code, message: tokenErrorTestMessage(code) },
			})),
			{
				// Any other answer without a token (an undocumented code, a proxy's error page).
				type: 'responseSuccessBody',
				properties: {
					key: 'accessToken',
					value: undefined,
					message:
						'DingTalk gave no access token. Check the Base URL, and the App Key and App Secret (internal app) or the suite key, suite secret, authorised corp ID and latest suite ticket (third-party app).',
				},
			},
		],
	};
}
