import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../transport/apiResponse';
import { networkError, sendApiRequest } from '../transport/apiResponse';
import type { HttpRequest } from '../transport/download';
import type { ExecutionState, MessengerContext } from './types';

/**
 * Some APIs (DingTalk, Feishu) reject an expired token with HTTP 400, and n8n renews a
 * credential's expirable token by itself only after a 401. n8n 2.41+ can be told that
 * 400 means "expired" (preAuthenticationRetryStatusCode) and then renews the token and
 * saves it with the credential. Older n8n cannot, so there the node fetches the token
 * itself, once per execution, and remembers it in this process, keyed by the stale one
 * n8n still stores, so later executions do not pay for the rejection again.
 */
export interface TokenRenewalSpec {
	/** The credential type holding the expirable token. */
	credentialType: string;
	/** The credential's hidden expirable field (`accessToken`, `tenantAccessToken`). */
	tokenField: string;
	/** The fields that say which app (and where) a credential gets tokens for. */
	appFields: string[];
	/** How network errors name the API ("DingTalk", "Feishu"). */
	apiName: string;
	/** Fetches a fresh token (the credential's preAuthentication does the same). */
	fetchToken(httpRequest: HttpRequest, credentials: ICredentialDataDecryptedObject): Promise<string>;
	/** Puts the token where the API reads it. */
	withToken(request: IHttpRequestOptions, token: string): IHttpRequestOptions;
	/** The answers that mean "the token was rejected": renew once and repeat. */
	isRejected(response: ApiResponse): boolean;
	/**
	 * Of those, the ones n8n 2.41+ renews itself when told that this status means expired
	 * (an HTTP status it sees; not a 200 carrying an error code).
	 */
	n8nCanRenew(response: ApiResponse): boolean;
}

/**
 * Turns an answer into what the rejection check can read, before it is checked: a
 * streamed download's error body, read small (the file itself passes untouched).
 */
export type ReadAnswer = (response: ApiResponse) => Promise<ApiResponse>;

export interface TokenRenewal {
	/**
	 * Sends an authenticated request. A token the API rejects is renewed once per
	 * execution and the request repeated once. A request whose body is a stream (an
	 * upload) is passed as a function that builds it afresh, so a repeat re-reads it.
	 */
	send(
		context: MessengerContext,
		request: IHttpRequestOptions | (() => IHttpRequestOptions),
		state: ExecutionState,
		readAnswer?: ReadAnswer,
	): Promise<ApiResponse>;
}

type CredentialOptions = Parameters<MessengerContext['helpers']['httpRequestWithAuthentication']>[2];

/** n8n 2.41+: a 400 answer means the token expired (older n8n ignores the option). */
const RENEW_ON_400 = { preAuthenticationRetryStatusCode: 400 } as CredentialOptions;

type Outcome = { response: ApiResponse } | { error: unknown };
type TokenOutcome = { token: string } | { error: unknown };

/** A renewed token, and — when n8n renewed it — n8n's own repeat of the request that asked for it, if that succeeded. */
interface Renewal {
	token: string;
	repeated?: { request: IHttpRequestOptions; response: ApiResponse };
}

const asIs: ReadAnswer = async (response) => response;

export function tokenRenewal(spec: TokenRenewalSpec): TokenRenewal {
	const { credentialType, apiName } = spec;
	/** Stale token n8n still stores → the token this process fetched in its place. */
	const renewedTokens = new Map<string, string>();
	/**
	 * The request that gets the first token of a credential (n8n fetches and saves it), per
	 * credential, shared by every execution in this process: concurrent executions — a
	 * queue-mode worker runs several — wait for it instead of each fetching a token.
	 */
	const firstRequests = new Map<string, Promise<Outcome>>();
	const RENEWAL_KEY = `${credentialType}.tokenRenewal`;
	const FIRST_REQUEST_KEY = `${credentialType}.firstRequest`;
	const DIAGNOSIS_KEY = `${credentialType}.tokenDiagnosis`;

	function credentialKey(credentials: ICredentialDataDecryptedObject): string {
		return spec.appFields.map((field) => String(credentials[field] ?? '')).join('\n');
	}

	async function storedToken(context: MessengerContext): Promise<string> {
		const credentials = await context.getCredentials(credentialType);
		const token = credentials[spec.tokenField];
		return typeof token === 'string' ? token : '';
	}

	async function attemptWithCredential(context: MessengerContext, request: IHttpRequestOptions, readAnswer: ReadAnswer): Promise<Outcome> {
		return await sendApiRequest(
			async () => await context.helpers.httpRequestWithAuthentication.call(context, credentialType, request),
			apiName,
		)
			.then(readAnswer)
			.then(
				(response) => ({ response }),
				(error: unknown) => ({ error }),
			);
	}

	async function fetchNewToken(context: MessengerContext): Promise<string> {
		const credentials = await context.getCredentials(credentialType);
		return await spec.fetchToken(context.helpers.httpRequest, credentials);
	}

	/**
	 * n8n could not get a token (its preAuthentication failed, and n8n hands the node only
	 * a wrapped copy of the reason). Ask the API once per execution ourselves: its answer
	 * gives the exact code and explanation, or, if the failure was passing, a token.
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

	async function sendWithToken(context: MessengerContext, request: IHttpRequestOptions, token: string, readAnswer: ReadAnswer): Promise<ApiResponse> {
		return await readAnswer(await sendApiRequest(async () => await context.helpers.httpRequest(spec.withToken(request, token)), apiName));
	}

	/** No token could be stored: fail with the API's reason, or go on with the token the diagnosis got. */
	async function sendWithoutStoredToken(
		context: MessengerContext,
		request: IHttpRequestOptions,
		state: ExecutionState,
		readAnswer: ReadAnswer,
	): Promise<ApiResponse> {
		const diagnosis = await diagnoseTokenFailure(context, state);
		if ('error' in diagnosis) throw diagnosis.error;
		return await sendWithToken(context, request, diagnosis.token, readAnswer);
	}

	async function settle(
		context: MessengerContext,
		request: IHttpRequestOptions,
		state: ExecutionState,
		outcome: Outcome,
		readAnswer: ReadAnswer,
	): Promise<ApiResponse> {
		if ('response' in outcome) return outcome.response;
		if ((await storedToken(context)) !== '') throw networkError(outcome.error, apiName);
		return await sendWithoutStoredToken(context, request, state, readAnswer);
	}

	/**
	 * Sends with no stored token, through n8n's credential handling: n8n fetches the token
	 * and saves it with the credential. n8n would fetch one in every request that starts
	 * before the first is saved; so the first request in this process fetches it and the
	 * others — of this execution or another — wait until it is stored, then use it.
	 */
	async function sendFirst(context: MessengerContext, request: IHttpRequestOptions, state: ExecutionState, readAnswer: ReadAnswer): Promise<ApiResponse> {
		const key = credentialKey(await context.getCredentials(credentialType));
		const first = (state.memo.get(FIRST_REQUEST_KEY) as Promise<Outcome> | undefined) ?? firstRequests.get(key);
		if (!first) {
			const mine = attemptWithCredential(context, request, readAnswer);
			state.memo.set(FIRST_REQUEST_KEY, mine);
			firstRequests.set(key, mine);
			const outcome = await mine;
			firstRequests.delete(key);
			return await settle(context, request, state, outcome, readAnswer);
		}
		// The execution's later items follow the same first request, even once it has finished.
		state.memo.set(FIRST_REQUEST_KEY, first);
		await first;
		const saved = await storedToken(context);
		if (saved === '') return await sendWithoutStoredToken(context, request, state, readAnswer);
		return await sendWithToken(context, request, saved, readAnswer);
	}

	/**
	 * Lets n8n renew and save the token: the rejected request again, this time with the 400
	 * raised as an error and marked as "token expired". n8n 2.41+ then runs the credential's
	 * preAuthentication, saves the new token and repeats the request; older n8n just
	 * raises the error. Returns the token n8n saved, if it did, with its repeat's answer.
	 */
	async function renewThroughN8n(
		context: MessengerContext,
		request: IHttpRequestOptions,
		rejected: string,
		readAnswer: ReadAnswer,
	): Promise<Renewal | undefined> {
		const raising = { ...request, ignoreHttpStatusErrors: false };
		const response = await sendApiRequest(
			async () => await context.helpers.httpRequestWithAuthentication.call(context, credentialType, raising, RENEW_ON_400),
			apiName,
		)
			.then(readAnswer)
			.catch(() => undefined);
		const current = await storedToken(context);
		if (!current || current === rejected) return undefined;
		// An error answer of the repeat raised (ignoreHttpStatusErrors off): that item repeats it itself, to read the API's code.
		return { token: current, repeated: response ? { request, response } : undefined };
	}

	/** One renewal per execution, shared by all items running at once: through n8n where it can, else by the node. */
	async function renewOnce(
		context: MessengerContext,
		state: ExecutionState,
		request: IHttpRequestOptions,
		throughN8n: boolean,
		readAnswer: ReadAnswer,
	): Promise<Renewal> {
		let renewal = state.memo.get(RENEWAL_KEY) as Promise<Renewal> | undefined;
		if (!renewal) {
			renewal = (async () => {
				// The token n8n holds now: the rejected one, or the stale one a remembered token replaced.
				const stored = await storedToken(context);
				const saved = throughN8n ? await renewThroughN8n(context, request, stored, readAnswer) : undefined;
				if (saved) return saved;
				const token = await fetchNewToken(context);
				if (stored) renewedTokens.set(stored, token);
				return { token };
			})();
			state.memo.set(RENEWAL_KEY, renewal);
		}
		return await renewal;
	}

	return {
		async send(context, request, state, readAnswer = asIs) {
			const build = typeof request === 'function' ? request : () => request;
			const first = build();
			const stale = await storedToken(context);
			const remembered = stale ? renewedTokens.get(stale) : undefined;
			// A stored token goes on the request directly: n8n's credential handling would read and
			// decrypt the credential again and evaluate its authenticate rule, for the same header
			// (bench/FEISHU.md). Only getting the first token needs n8n (it saves what it fetches).
			const token = remembered ?? stale;
			const response = token
				? await sendWithToken(context, first, token, readAnswer)
				: await sendFirst(context, first, state, readAnswer);
			if (!spec.isRejected(response)) return response;
			const renewal = await renewOnce(context, state, first, spec.n8nCanRenew(response), readAnswer);
			// n8n already repeated this very request with the renewed token: its answer is this item's.
			if (renewal.repeated?.request === first) return renewal.repeated.response;
			// Already sent with this execution's renewed token: renewing again would only loop.
			if (renewal.token === remembered) return response;
			return await sendWithToken(context, build(), renewal.token, readAnswer);
		},
	};
}
