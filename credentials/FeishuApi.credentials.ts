import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { DEFAULT_FEISHU_BASE_URL, FEISHU_TOKEN, TENANT_GRANT_PATH } from '../nodes/shared/messengers/feishu/api';
import { fetchTokenForN8n, putTokenOnRequest, tokenProperty } from '../nodes/shared/messengers/tokenCredential';
import { tokenErrorTestMessage } from '../nodes/shared/messengers/feishu/errors';

export class FeishuApi implements ICredentialType {
	name = 'feishuApi';

	displayName = 'Feishu / Lark API';

	icon = { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' } as const;

	documentationUrl = 'https://open.feishu.cn/document/server-docs/im-v1/message/get-2';

	properties: INodeProperties[] = [
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'cli_a1b2c3d4e5f60718',
			description: "The App ID of a custom (self-built) app, on the app's Credentials & Basic Info page in the Feishu or Lark developer console",
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The App Secret, on the same page',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_FEISHU_BASE_URL,
			description: "Feishu's Open API host",
			hint: 'Use https://open.larksuite.com for Lark (international); any other URL (a proxy) works too',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- it decrypts and signs Feishu's callbacks: a secret
		{
			displayName: 'Encrypt Key',
			name: 'encryptKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "Only for the Feishu Trigger's webhook mode: the Encrypt Key on the app's Events & Callbacks → Encryption Strategy page. Set, events arrive encrypted and signed, and the trigger checks the signature.",
		},
		{
			displayName: 'Verification Token',
			name: 'verificationToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "Only for the Feishu Trigger's webhook mode: the Verification Token on the same Encryption Strategy page. Set, the trigger refuses events that do not carry it.",
		},
		tokenProperty('Tenant Access Token', FEISHU_TOKEN),
	];

	/** Fetched when the stored token is empty or rejected, and saved with the credential for every execution and worker. */
	preAuthentication = fetchTokenForN8n(FEISHU_TOKEN);

	authenticate = putTokenOnRequest(FEISHU_TOKEN);

	// Asks Feishu for a tenant token with the entered ID and secret, so a wrong secret fails even when a token is stored.
	// Feishu answers the token endpoint's failures with HTTP 200 and a code; its message tells the two 10014s apart.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: `={{$credentials.baseUrl ? $credentials.baseUrl.trim().replace(/\\/+$/, '') : '${DEFAULT_FEISHU_BASE_URL}'}}`,
			url: TENANT_GRANT_PATH,
			body: {
				app_id: '={{$credentials.appId.trim()}}',
				app_secret: '={{$credentials.appSecret.trim()}}',
			},
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'msg', value: 'app secret invalid', message: tokenErrorTestMessage(10014, 'app secret invalid') } },
			{ type: 'responseSuccessBody', properties: { key: 'msg', value: 'app id not exists', message: tokenErrorTestMessage(10014, 'app id not exists') } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 10014, message: tokenErrorTestMessage(10014) } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 10003, message: tokenErrorTestMessage(10003) } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 99991543, message: tokenErrorTestMessage(99991543) } },
			{
				// Any other answer without a token (an undocumented code, a proxy's error page).
				type: 'responseSuccessBody',
				properties: {
					key: 'tenant_access_token',
					value: undefined,
					message:
						'Feishu gave no tenant access token. Check the Base URL (https://open.feishu.cn for Feishu, https://open.larksuite.com for Lark) and the App ID and App Secret of a custom app.',
				},
			},
		],
	};
}
