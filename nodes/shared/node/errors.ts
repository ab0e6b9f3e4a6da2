import type { IExecuteFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { credentialsOnce } from '../messengers/credentialsOnce';
import { credentialSecrets, redactSecrets } from '../messengers/secrets';
import { isMessageFileError } from '../transport/errors';

function redact(text: string | undefined, secrets: string[]): string | undefined {
	return text ? redactSecrets(text, secrets) : text;
}

/** The secret values of a credential, to redact from errors. */
export async function secretsOf(context: IExecuteFunctions, credentialType: string): Promise<string[]> {
	try {
		return credentialSecrets(await credentialsOnce(context, credentialType));
	} catch {
		return [];
	}
}

/**
 * The n8n error for a failure, its secrets masked: input mistakes as NodeOperationError,
 * API and transfer failures as NodeApiError. Without an item index: a trigger's
 * activation or poll failure.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number | undefined, secrets: string[]): NodeApiError | NodeOperationError {
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
