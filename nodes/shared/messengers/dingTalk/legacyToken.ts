import { createHmac } from 'crypto';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { sendApiRequest } from '../../transport/apiResponse';
import type { MessengerContext } from '../types';
import { dingTalkError, dingTalkLegacyBaseUrl, legacyErrorCode } from './api';

/**
 * The legacy host's own token, for the media upload when that host refuses the v1.0
 * token. DingTalk's connector and its Stream SDK always upload with it: internal apps
 * get it from `GET /gettoken?appkey&appsecret`, third-party apps the authorised corp's
 * from `POST /service/get_corp_token` (signed with the suite secret and ticket). Both
 * answer `{errcode: 0, access_token, expires_in}` in seconds.
 */

interface CachedToken {
	token: string;
	/** When to fetch a new one (a little before DingTalk's expiry). */
	renewAt: number;
}

/** Renew this long before the stated expiry, so no upload starts with a token about to lapse. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/** Per app (and host): the token, and the fetch under way that concurrent uploads share. */
const cached = new Map<string, CachedToken>();
const fetching = new Map<string, Promise<string>>();

/** Credentials whose legacy host refused their v1.0 token: their uploads go with the legacy token from then on. */
const refusesV1Token = new Set<string>();

function field(credentials: ICredentialDataDecryptedObject, name: string): string {
	const value = credentials[name];
	return typeof value === 'string' ? value.trim() : '';
}

function cacheKey(credentials: ICredentialDataDecryptedObject): string {
	return [dingTalkLegacyBaseUrl(credentials), credentials.appType, field(credentials, 'appKey'), field(credentials, 'suiteKey'), field(credentials, 'authCorpId')].join('\n');
}

/** The signature get_corp_token wants: Base64(HmacSHA256(suiteSecret, timestamp + "\n" + suiteTicket)). */
export function corpTokenSignature(suiteSecret: string, timestamp: string, suiteTicket: string): string {
	return createHmac('sha256', suiteSecret).update(`${timestamp}\n${suiteTicket}`).digest('base64');
}

/** The legacy token request for the credential's app type. */
export function legacyTokenRequest(credentials: ICredentialDataDecryptedObject, now = Date.now()): IHttpRequestOptions {
	const base = dingTalkLegacyBaseUrl(credentials);
	const common = { json: true, returnFullResponse: true, ignoreHttpStatusErrors: true, timeout: 30_000 } as const;
	if (credentials.appType === 'thirdParty') {
		const timestamp = String(now);
		const suiteTicket = field(credentials, 'suiteTicket');
		return {
			method: 'POST',
			url: `${base}/service/get_corp_token`,
			qs: { accessKey: field(credentials, 'suiteKey'), timestamp, suiteTicket, signature: corpTokenSignature(field(credentials, 'suiteSecret'), timestamp, suiteTicket) },
			body: { auth_corpid: field(credentials, 'authCorpId') },
			...common,
		};
	}
	return { method: 'GET', url: `${base}/gettoken`, qs: { appkey: field(credentials, 'appKey'), appsecret: field(credentials, 'appSecret') }, ...common };
}

async function fetchLegacyToken(context: MessengerContext, credentials: ICredentialDataDecryptedObject): Promise<CachedToken> {
	const response = await sendApiRequest(async () => await context.helpers.httpRequest(legacyTokenRequest(credentials)), 'the DingTalk legacy token endpoint');
	const body = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
	if (response.statusCode === 200 && legacyErrorCode(response) === undefined && typeof body?.access_token === 'string' && body.access_token) {
		const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 7200) * 1000;
		return { token: body.access_token, renewAt: Date.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2) };
	}
	const error = dingTalkError(response, 'fetch a token for the media upload');
	throw new MessageFileError(`${error.message} (the legacy token for the media upload)`, {
		...error.details,
		description: `The upload host refused the app's v1.0 token, so the node asked for that host's own token (${
			credentials.appType === 'thirdParty' ? 'POST /service/get_corp_token with the suite key, secret and ticket' : 'GET /gettoken with the App Key and App Secret'
		}), and DingTalk refused that too. ${error.details.description ?? ''}`.trim(),
	});
}

/**
 * The cached legacy token, fetched when there is none, it is due for renewal, or `stale`
 * is the one the host just refused. Concurrent callers share one fetch.
 */
export async function legacyToken(context: MessengerContext, credentials: ICredentialDataDecryptedObject, stale?: string): Promise<string> {
	const key = cacheKey(credentials);
	const current = cached.get(key);
	if (current && current.token !== stale && current.renewAt > Date.now()) return current.token;
	let pending = fetching.get(key);
	if (!pending) {
		pending = fetchLegacyToken(context, credentials).then(
			(token) => {
				cached.set(key, token);
				return token.token;
			},
		);
		fetching.set(key, pending);
		const clear = () => fetching.delete(key);
		pending.then(clear, clear);
	}
	return await pending;
}

/** Whether this credential's uploads go with the legacy token (its host refused the v1.0 one before). */
export function usesLegacyToken(credentials: ICredentialDataDecryptedObject): boolean {
	return refusesV1Token.has(cacheKey(credentials));
}

/** Remembers, for this process, that the credential's upload host refuses the v1.0 token. */
export function rememberLegacyTokenNeeded(credentials: ICredentialDataDecryptedObject): void {
	refusesV1Token.add(cacheKey(credentials));
}
