import type { IDataObject } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import type { ApiResponse } from '../../transport/apiResponse';
import { sendApiRequest } from '../../transport/apiResponse';
import type { MessengerContext } from '../types';
import { greenApiError, type GreenApiMethod } from './api';
import { credentialsOnce } from '../credentialsOnce';

/**
 * Green-API's HTTP API notification queue: `receiveNotification` long-polls for the
 * head of the queue, which stays there until `deleteNotification` removes it.
 */

export const MIN_RECEIVE_TIMEOUT_SECONDS = 5;
export const MAX_RECEIVE_TIMEOUT_SECONDS = 60;
/** How much longer than the long poll itself the HTTP request may take before it counts as stalled. */
const LONG_POLL_MARGIN_MS = 15_000;

export interface QueuedNotification {
	receiptId: number;
	body: IDataObject;
	/**
	 * Set when the entry's `body` is not a JSON object: what it is instead (its type and
	 * size, never its content). Such an entry can only be deleted, or it blocks the queue.
	 */
	malformed?: string;
}

function describeValue(value: unknown): string {
	if (value === null || value === undefined) return 'empty';
	if (Array.isArray(value)) return `an array of ${value.length} entries`;
	if (typeof value === 'string') return `a string of ${value.length} characters`;
	return `a ${typeof value}`;
}

export interface QueueCallOptions {
	/** Ends the request in flight (deactivation). */
	signal?: AbortSignal;
	/** For calls other than the long poll, in milliseconds. */
	timeoutMs?: number;
}

export function clampReceiveTimeout(seconds: number | undefined): number {
	const value = Math.round(Number(seconds ?? 20));
	if (!Number.isFinite(value)) return 20;
	return Math.min(MAX_RECEIVE_TIMEOUT_SECONDS, Math.max(MIN_RECEIVE_TIMEOUT_SECONDS, value));
}

async function call(context: MessengerContext, request: { method: 'GET' | 'DELETE' | 'POST'; url: string; qs?: IDataObject; body?: IDataObject }, options: QueueCallOptions & { timeoutMs: number }): Promise<ApiResponse> {
	return await sendApiRequest(
		async () =>
			await context.helpers.httpRequestWithAuthentication.call(context, 'greenApi', {
				...request,
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: options.timeoutMs,
				abortSignal: options.signal,
			}),
		'Green-API',
	);
}

/** Throws the explained error for a non-2xx answer; 429 and 5xx come out retryable. */
async function assertOk(context: MessengerContext, response: ApiResponse, failure: string, method: GreenApiMethod): Promise<void> {
	if (response.statusCode >= 200 && response.statusCode < 300) return;
	const error = greenApiError(response, await credentialsOnce(context, 'greenApi'), failure, method);
	if (response.statusCode === 429 || response.statusCode >= 500) {
		throw new MessageFileError(error.message, { ...error.details, retryable: true });
	}
	throw error;
}

/** The head of the queue, or null when none arrived within `receiveTimeoutSeconds`. */
export async function receiveNotification(
	context: MessengerContext,
	receiveTimeoutSeconds: number,
	options: QueueCallOptions = {},
): Promise<QueuedNotification | null> {
	const receiveTimeout = clampReceiveTimeout(receiveTimeoutSeconds);
	const response = await call(
		context,
		{ method: 'GET', url: 'receiveNotification', qs: { receiveTimeout } },
		{ ...options, timeoutMs: receiveTimeout * 1000 + LONG_POLL_MARGIN_MS },
	);
	await assertOk(context, response, 'could not deliver notifications', 'receiveNotification');
	const body = response.body;
	if (body === null || body === undefined || body === '' || body === 'null') return null;
	const record = body as { receiptId?: unknown; body?: unknown };
	const receiptId = Number(record.receiptId);
	if (typeof body !== 'object' || !Number.isSafeInteger(receiptId)) {
		throw new MessageFileError('Green-API answered receiveNotification with something that is not a notification', {
			kind: 'api',
			httpCode: response.statusCode,
			description: 'Check that the API URL in the credential points at Green-API (the instance\'s apiUrl).',
			retryable: true,
		});
	}
	if (!record.body || typeof record.body !== 'object' || Array.isArray(record.body)) return { receiptId, body: {}, malformed: describeValue(record.body) };
	return { receiptId, body: record.body as IDataObject };
}

/** Removes a notification from the queue; true when Green-API confirmed it. */
export async function deleteNotification(context: MessengerContext, receiptId: number, options: QueueCallOptions = {}): Promise<boolean> {
	const response = await call(context, { method: 'DELETE', url: `deleteNotification/${receiptId}` }, { ...options, timeoutMs: options.timeoutMs ?? 30_000 });
	await assertOk(context, response, 'could not delete a notification', 'deleteNotification');
	return (response.body as { result?: unknown } | undefined)?.result === true;
}
