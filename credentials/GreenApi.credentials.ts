import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import {
	DEFAULT_GREEN_API_URL,
	DEFAULT_GREEN_MEDIA_URL,
	greenApiMethodUrl,
} from '../nodes/shared/messengers/greenApi/api';

const STATE_HELP: Record<string, string> = {
	notAuthorized:
		'The instance is not linked to a phone: open the instance in the Green-API console and scan the QR code with the messenger app.',
	starting: 'The instance is starting: wait a minute and test again.',
	blocked: 'The messenger has blocked this account: see the instance in the Green-API console.',
	sleepMode: 'The phone is offline or asleep: wake it up and keep the messenger running.',
	yellowCard: 'The messenger has restricted this account for suspected spam: see the Green-API console.',
};

const CONSOLE = 'the instance\'s page in the Green-API console (console.green-api.com)';

const NOT_GREEN_API_HELP = `The API URL does not lead to Green-API: copy the apiUrl from ${CONSOLE}, e.g. https://1101.api.greenapi.com.`;

/** What each status of getStateInstance says is wrong (Green-API: 401 token, 403 instance id). */
const WRONG_FIELD_HELP: Record<number, string> = {
	401: `Green-API rejected the API Token (HTTP 401): copy apiTokenInstance from ${CONSOLE}.`,
	403: `Green-API knows no instance with this Instance ID at this API URL (HTTP 403): copy idInstance and apiUrl from ${CONSOLE}.`,
	404: `The API URL does not lead to Green-API's instance API (HTTP 404): copy the apiUrl from ${CONSOLE}, and pick the Messenger the instance is for (MAX instances, IDs starting 3100, answer only as MAX).`,
	// n8n repeats a request refused with 401 at once, and getStateInstance allows one call a second.
	429: 'Green-API refused a request as too frequent (HTTP 429): wait a few seconds and test again. If it persists, check the API Token: n8n repeats a Test refused with 401 at once.',
};

export class GreenApi implements ICredentialType {
	name = 'greenApi';

	displayName = 'Green-API Instance API';

	icon = { light: 'file:greenApi.svg', dark: 'file:greenApi.dark.svg' } as const;

	documentationUrl = 'https://green-api.com/en/docs/before-start/';

	properties: INodeProperties[] = [
		{
			displayName: 'Messenger',
			name: 'messenger',
			type: 'options',
			options: [
				{ name: 'WhatsApp', value: 'whatsapp' },
				{ name: 'MAX', value: 'max', description: 'MAX instances (IDs starting 3100) use the /v3 API' },
				{ name: 'Telegram', value: 'telegram', description: 'Telegram instances (IDs starting 4100, beta); files are kept for 24 hours' },
			],
			default: 'whatsapp',
		},
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: DEFAULT_GREEN_API_URL,
			description: 'The apiUrl of the instance, shown on the instance page of the Green-API console (e.g. https://1101.api.greenapi.com)',
			hint: 'Each instance has its own host; a trailing /v3 is accepted',
		},
		{
			displayName: 'Media URL',
			name: 'mediaUrl',
			type: 'string',
			default: DEFAULT_GREEN_MEDIA_URL,
			description: 'The mediaUrl of the instance, shown next to the apiUrl in the Green-API console',
		},
		{
			displayName: 'Instance ID',
			name: 'idInstance',
			type: 'string',
			default: '',
			required: true,
			description: 'The idInstance shown on the instance page of the Green-API console',
		},
		{
			displayName: 'API Token',
			name: 'apiTokenInstance',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The apiTokenInstance shown on the instance page of the Green-API console',
		},
		{
			displayName: 'Webhook Token',
			name: 'webhookUrlToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The webhookUrlToken set in the instance\'s settings (Green-API console → instance → Settings). When set, the Green-API Trigger accepts only webhook calls that carry it as "Authorization: Bearer <token>".',
			hint: 'Used only by the Green-API Trigger in webhook mode. Leave empty to accept webhook calls without a token (not recommended).',
		},
	];

	/** Green-API authenticates by the token in the URL path: the node names only the API method. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return { ...requestOptions, url: greenApiMethodUrl(credentials, requestOptions.url) };
	}

	/**
	 * n8n's Test (CredentialsTester, the same in 2.8 and 2.41) checks `responseCode` rules
	 * when the request fails and `responseSuccessBody` rules when it succeeds; a credential
	 * with a `test` is never handed to a node's `testedBy`. Green-API's status codes name
	 * the wrong field: 401 the token, 403 the instance id, 404 (or a page that is not JSON)
	 * the URL. `value: undefined` matches an answer without `stateInstance` (a web page
	 * served with 200): not Green-API. Rules are checked in order, so that one comes first.
	 */
	test: ICredentialTestRequest = {
		request: { method: 'GET', url: 'getStateInstance', json: true },
		// n8n types the rules as one kind or the other; its tester reads a mixed list in order.
		rules: [
			...Object.entries(WRONG_FIELD_HELP).map(([status, message]) => ({
				type: 'responseCode' as const,
				properties: { value: Number(status), message },
			})),
			{ type: 'responseSuccessBody' as const, properties: { key: 'stateInstance', value: undefined, message: NOT_GREEN_API_HELP } },
			...Object.entries(STATE_HELP).map(([state, message]) => ({
				type: 'responseSuccessBody' as const,
				properties: { key: 'stateInstance', value: state, message },
			})),
		] as unknown as ICredentialTestRequest['rules'],
	};
}
