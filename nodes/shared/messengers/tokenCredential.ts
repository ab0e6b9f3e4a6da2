import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { forTestButton } from '../transport/errors';
import type { TokenRenewalSpec } from './tokenRenewal';

/**
 * What a credential holding an API's expirable token (DingTalk's access token, Feishu's
 * tenant token) needs to know of it: the field n8n keeps it in, how to fetch one, how a
 * request carries it. The same object serves the nodes' token renewal (./tokenRenewal.ts).
 */
export type CredentialToken = Pick<TokenRenewalSpec, 'tokenField' | 'fetchToken' | 'withToken'>;

/** The hidden field n8n keeps the token in. Expirable: n8n fetches it (preAuthentication) when it is empty or refused with a 401. */
export function tokenProperty(displayName: string, token: CredentialToken): INodeProperties {
	return { displayName, name: token.tokenField, type: 'hidden', typeOptions: { expirable: true, password: true }, default: '' };
}

/** The credential's preAuthentication: a fresh token, which n8n saves with the credential for every execution and worker. A failure is worded for the Test button. */
export function fetchTokenForN8n(token: CredentialToken): NonNullable<ICredentialType['preAuthentication']> {
	return async function preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const outcome = await token.fetchToken(this.helpers.httpRequest, credentials).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if ('value' in outcome) return { [token.tokenField]: outcome.value };
		throw forTestButton(outcome.error);
	};
}

/**
 * The credential's authenticate. A function, not a generic `={{$credentials.…}}` header:
 * n8n 2.41 evaluates expressions in an isolate it holds only while an execution or an
 * activation runs, so a generic header failed ("No bridge acquired for this context") for
 * every request a trigger made later, on a pushed message.
 */
export function putTokenOnRequest(
	token: CredentialToken,
): (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions> {
	return async (credentials, requestOptions) => {
		const value = credentials[token.tokenField];
		return token.withToken(requestOptions, typeof value === 'string' ? value : '');
	};
}
