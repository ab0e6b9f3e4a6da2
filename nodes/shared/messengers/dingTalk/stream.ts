import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { sendApiRequest } from '../../transport/apiResponse';
import { dingTalkBaseUrl, dingTalkError } from './api';

/** DingTalk's Stream mode: the gateway call that hands out a WebSocket endpoint and a one-use ticket. */

export const GATEWAY_OPEN_PATH = '/v1.0/gateway/connections/open';
/** The one subscription that delivers robot messages (an EVENT `*` subscription alone gets none). */
export const ROBOT_MESSAGE_TOPIC = '/v1.0/im/bot/messages/get';
const USER_AGENT = 'n8n-nodes-message-files/dingTalkTrigger';

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export interface StreamTicket {
	/** wss:// URL of the gateway to connect to. */
	endpoint: string;
	/** Single-use: one WebSocket connection per ticket. Never logged. */
	ticket: string;
}

/** Stream mode authenticates with the app's own key and secret (client ID and secret). */
function clientCredentials(credentials: ICredentialDataDecryptedObject): { clientId: string; clientSecret: string } {
	const thirdParty = credentials.appType === 'thirdParty';
	const clientId = String((thirdParty ? credentials.suiteKey : credentials.appKey) ?? '').trim();
	const clientSecret = String((thirdParty ? credentials.suiteSecret : credentials.appSecret) ?? '').trim();
	if (!clientId || !clientSecret) {
		throw new MessageFileError(`The DingTalk credential has no ${thirdParty ? 'suite key and secret' : 'App Key and App Secret'}`, {
			kind: 'input',
			description: "Stream mode connects with the app's Client ID (AppKey) and Client Secret (AppSecret) from the app's Credentials & Basic Info page.",
		});
	}
	return { clientId, clientSecret };
}

/** The `?ticket=` URL to open; the ticket is URL-encoded, as the official SDKs do. */
export function streamSocketUrl(ticket: StreamTicket): string {
	const separator = ticket.endpoint.includes('?') ? '&' : '?';
	return `${ticket.endpoint}${separator}ticket=${encodeURIComponent(ticket.ticket)}`;
}

/**
 * Asks the gateway for a connection. Wrong key or secret fails with DingTalk's own code and
 * an English explanation (never the secret). `Accept` matters: without it the answer is XML.
 */
export async function openStreamConnection(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
	timeoutMs: number,
): Promise<StreamTicket> {
	const { clientId, clientSecret } = clientCredentials(credentials);
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${dingTalkBaseUrl(credentials)}${GATEWAY_OPEN_PATH}`,
		headers: { Accept: 'application/json' },
		body: {
			clientId,
			clientSecret,
			subscriptions: [{ type: 'CALLBACK', topic: ROBOT_MESSAGE_TOPIC }],
			ua: USER_AGENT,
		},
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
	};
	const response = await sendApiRequest(async () => await httpRequest(request), 'the DingTalk Stream gateway');
	const body = response.body as { endpoint?: unknown; ticket?: unknown } | undefined;
	if (response.statusCode === 200 && typeof body?.endpoint === 'string' && typeof body.ticket === 'string' && body.ticket) {
		if (!/^wss?:\/\//i.test(body.endpoint)) {
			throw new MessageFileError('The DingTalk Stream gateway gave an endpoint that is not a WebSocket URL', {
				kind: 'api',
				httpCode: 200,
				description: 'Check the Base URL in the credential: a proxy in front of DingTalk must pass the gateway answer through unchanged.',
			});
		}
		return { endpoint: body.endpoint, ticket: body.ticket };
	}
	if (response.statusCode === 200) {
		throw new MessageFileError('The DingTalk Stream gateway answered without an endpoint and ticket', {
			kind: 'api',
			httpCode: 200,
			description: 'Check the Base URL in the credential (it must be DingTalk\'s API host, e.g. https://api.dingtalk.com, or a proxy to it).',
		});
	}
	throw dingTalkError(response, 'open a Stream connection');
}
