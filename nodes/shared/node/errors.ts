import type { IExecuteFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { credentialsOnce } from '../messengers/credentialsOnce';
import { isMessageFileError } from '../transport/errors';

/** Credential values that must never appear in an error, whatever path it took. */
const SECRET_FIELDS = ['appSecret', 'suiteSecret', 'suiteTicket', 'accessToken', 'apiTokenInstance', 'webhookUrlToken'];

function redact(text: string | undefined, secrets: string[]): string | undefined {
	if (!text) return text;
	return secrets.reduce((result, secret) => result.split(secret).join('***').split(encodeURIComponent(secret)).join('***'), text);
}

/** The secret values of a credential, to redact from errors. */
export async function secretsOf(context: IExecuteFunctions, credentialType: string): Promise<string[]> {
	try {
		const credentials = await credentialsOnce(context, credentialType);
		return SECRET_FIELDS.map((field) => credentials[field]).filter((value): value is string => typeof value === 'string' && value.trim().length >= 4).map((value) => value.trim());
	} catch {
		return [];
	}
}

/** The n8n error for a failure: input mistakes as NodeOperationError, API and transfer failures as NodeApiError. */
export function toNodeError(node: INode, error: unknown, itemIndex: number, secrets: string[]): NodeApiError | NodeOperationError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (isMessageFileError(error)) {
		const message = redact(error.message, secrets) as string;
		const description = redact(error.details.description, secrets);
		if (error.details.kind === 'input') return new NodeOperationError(node, message, { description, itemIndex });
		const { httpCode, apiCode, requestId } = error.details;
		// `apiCode`, not `code`: NodeApiError swaps the message for its own when `code` is a network code (ECONNRESET…).
		const response: JsonObject = { message, description: description ?? null, httpCode: httpCode ?? null, apiCode: apiCode ?? null, requestId: requestId ?? null };
		return new NodeApiError(node, response, { message, description, httpCode: httpCode !== undefined ? String(httpCode) : undefined, itemIndex });
	}
	const message = redact(error instanceof Error ? error.message : String(error), secrets) as string;
	return new NodeOperationError(node, message || 'Unexpected error', { itemIndex });
}

/** The item Continue On Fail puts out for a failed input item. */
export function failedItemJson(json: object, error: NodeApiError | NodeOperationError): JsonObject {
	return { ...(json as JsonObject), error: error.message, ...(error.description ? { errorDescription: error.description } : {}) };
}
