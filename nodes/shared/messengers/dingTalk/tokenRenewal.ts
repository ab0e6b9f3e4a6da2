import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { networkError, sendApiRequest } from '../../transport/apiResponse';
import type { ExecutionState, MessengerContext } from '../types';
import { fetchAccessToken, isRejectedToken, withAccessToken } from './api';

/**
 * DingTalk rejects an expired token with HTTP 400, and n8n renews a credential's token
 * by itself only after a 401. n8n 2.41+ can be told that 400 means "expired"
 * (preAuthenticationRetryStatusCode) and then renews the token and saves it with the
 * credential. Older n8n cannot, so there the node fetches the token itself, once per
 * execution, and remembers it in this process, keyed by the stale one n8n still
 * stores, so later executions do not pay for the rejection again.
 */
const renewedTokens = new Map<string, string>();

/**
 * The request that gets the first token of a credential (n8n fetches and saves it), per
 * credential, shared by every execution in this process: concurrent executions — a
 * queue-mode worker runs several — wait for it instead of each fetching a token.
 */
const firstRequests = new Map<string, Promise<Outcome>>();

const CREDENTIAL = 'dingTalkApi';
const RENEWAL_KEY = 'dingTalk.tokenRenewal';
const FIRST_REQUEST_KEY = 'dingTalk.firstRequest';
const DIAGNOSIS_KEY = 'dingTalk.tokenDiagnosis';

type CredentialOptions = Parameters<MessengerContext['helpers']['httpRequestWithAuthentication']>[2];

/** n8n 2.41+: a 400 answer means the token expired (older n8n ignores the option). */
const RENEW_ON_400 = { preAuthenticationRetryStatusCode: 400 } as CredentialOptions;

/** Which app (and where) a credential gets tokens for. */
function credentialKey(credentials: ICredentialDataDecryptedObject): string {
	return ['baseUrl', 'appType', 'appKey', 'suiteKey', 'authCorpId'].map((field) => String(credentials[field] ?? '')).join('\n');
}

async function storedToken(context: MessengerContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL);
	return typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
}

type Outcome = { response: ApiResponse } | { error: unknown };
type TokenOutcome = { token: string } | { error: unknown };

async function attemptWithCredential(context: MessengerContext, request: IHttpRequestOptions): Promise<Outcome> {
	return await sendApiRequest(
		async () =>
			await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL, request),
		'DingTalk',
	).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
}

/**
 * n8n could not get a token (its preAuthentication failed, and n8n hands the node only
 * a wrapped copy of the reason). Ask DingTalk once per execution ourselves: its
 * answer gives the exact code and explanation, or, if the failure was passing, a token.
 */
async function diagnoseTokenFailure(context: MessengerContext, state: ExecutionState): Promise<TokenOutcome> {
	let diagnosis = state.memo.get(DIAGNOSIS_KEY) as Promise<TokenOutcome> | undefined;
	if (!diagnosis) {
		diagnosis = fetchNewToken(context).then(
			(token) => ({ token }),
			(error: unknown) => ({ error }),
		);
		state.memo.set(DIAGNOSIS_KEY, diagnosis);
	}
	return await diagnosis;
}

async function settle(
	context: MessengerContext,
	request: IHttpRequestOptions,
	state: ExecutionState,
	outcome: Outcome,
): Promise<ApiResponse> {
	if ('response' in outcome) return outcome.response;
	if ((await storedToken(context)) !== '') throw networkError(outcome.error, 'DingTalk');
	return await sendWithoutStoredToken(context, request, state);
}

/** No token could be stored: fail with DingTalk's reason, or go on with the token the diagnosis got. */
async function sendWithoutStoredToken(
	context: MessengerContext,
	request: IHttpRequestOptions,
	state: ExecutionState,
): Promise<ApiResponse> {
	const diagnosis = await diagnoseTokenFailure(context, state);
	if ('error' in diagnosis) throw networkError(diagnosis.error, 'the DingTalk token endpoint');
	return await sendWithToken(context, request, diagnosis.token);
}

/**
 * Sends through n8n's credential handling. With no stored token, n8n would fetch one in
 * every request that starts before the first is saved; so the first request in this
 * process fetches it and the others — of this execution or another — wait until it is stored.
 */
async function sendWithCredential(
	context: MessengerContext,
	request: IHttpRequestOptions,
	state: ExecutionState,
	stored: string,
): Promise<ApiResponse> {
	if (stored === '') {
		const key = credentialKey(await context.getCredentials(CREDENTIAL));
		const first = (state.memo.get(FIRST_REQUEST_KEY) as Promise<Outcome> | undefined) ?? firstRequests.get(key);
		if (!first) {
			const mine = attemptWithCredential(context, request);
			state.memo.set(FIRST_REQUEST_KEY, mine);
			firstRequests.set(key, mine);
			const outcome = await mine;
			firstRequests.delete(key);
			return await settle(context, request, state, outcome);
		}
		// The execution's later items follow the same first request, even once it has finished.
		state.memo.set(FIRST_REQUEST_KEY, first);
		await first;
		if ((await storedToken(context)) === '') return await sendWithoutStoredToken(context, request, state);
	}
	return await settle(context, request, state, await attemptWithCredential(context, request));
}

async function sendWithToken(context: MessengerContext, request: IHttpRequestOptions, token: string): Promise<ApiResponse> {
	return await sendApiRequest(async () => await context.helpers.httpRequest(withAccessToken(request, token)), 'DingTalk');
}

async function fetchNewToken(context: MessengerContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL);
	return await fetchAccessToken(context.helpers.httpRequest, credentials);
}

/** A renewed token, and — when n8n renewed it — n8n's own repeat of the request that asked for it, if that succeeded. */
interface Renewal {
	token: string;
	repeated?: { request: IHttpRequestOptions; response: ApiResponse };
}

/**
 * Lets n8n renew and save the token: the rejected request again, this time with the 400
 * raised as an error and marked as "token expired". n8n 2.41+ then runs the credential's
 * preAuthentication, saves the new token and repeats the request; older n8n just
 * raises the error. Returns the token n8n saved, if it did, with its repeat's answer.
 */
async function renewThroughN8n(context: MessengerContext, request: IHttpRequestOptions, rejected: string): Promise<Renewal | undefined> {
	const raising = { ...request, ignoreHttpStatusErrors: false };
	const response = await sendApiRequest(
		async () => await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL, raising, RENEW_ON_400),
		'DingTalk',
	).catch(() => undefined);
	const current = await storedToken(context);
	if (!current || current === rejected) return undefined;
	// An error answer of the repeat raised (ignoreHttpStatusErrors off): that item repeats it itself, to read DingTalk's code.
	return { token: current, repeated: response ? { request, response } : undefined };
}

/** One renewal per execution, shared by all items running at once: through n8n where it can, else by the node. */
async function renewOnce(context: MessengerContext, state: ExecutionState, request: IHttpRequestOptions): Promise<Renewal> {
	let renewal = state.memo.get(RENEWAL_KEY) as Promise<Renewal> | undefined;
	if (!renewal) {
		renewal = (async () => {
			// The token n8n holds now: the rejected one, or the stale one a remembered token replaced.
			const stored = await storedToken(context);
			const saved = await renewThroughN8n(context, request, stored);
			if (saved) return saved;
			const token = await fetchNewToken(context);
			if (stored) renewedTokens.set(stored, token);
			return { token };
		})();
		state.memo.set(RENEWAL_KEY, renewal);
	}
	return await renewal;
}

/**
 * Sends an authenticated DingTalk API request. A token DingTalk rejects (or one that
 * predates a permission grant) is renewed once and the request repeated once.
 * A request whose body is a stream (an upload) is passed as a function that builds it
 * afresh, so a repeat re-reads the file from its start.
 */
export async function sendDingTalkRequest(
	context: MessengerContext,
	request: IHttpRequestOptions | (() => IHttpRequestOptions),
	state: ExecutionState,
): Promise<ApiResponse> {
	const build = typeof request === 'function' ? request : () => request;
	const first = build();
	const stale = await storedToken(context);
	const remembered = stale ? renewedTokens.get(stale) : undefined;
	const response = remembered
		? await sendWithToken(context, first, remembered)
		: await sendWithCredential(context, first, state, stale);
	if (!needsNewToken(response)) return response;
	const renewal = await renewOnce(context, state, first);
	// n8n already repeated this very request with the renewed token: its answer is this item's.
	if (renewal.repeated?.request === first) return renewal.repeated.response;
	// Already sent with this execution's renewed token: renewing again would only loop.
	if (renewal.token === remembered) return response;
	return await sendWithToken(context, build(), renewal.token);
}

/**
 * The v1.0 token's rejections. The legacy host's (a 200 with errcode 40014 / 42001) are the
 * upload's to handle: it switches to that host's own token (legacyToken.ts).
 */
function needsNewToken(response: ApiResponse): boolean {
	if (isRejectedToken(response)) return true;
	const code = (response.body as { code?: unknown } | undefined)?.code;
	return response.statusCode === 403 && code === 'Forbidden.AccessDenied.AccessTokenPermissionDenied';
}
