/**
 * The one error type the download pipeline throws. The node turns it into
 * n8n's NodeApiError / NodeOperationError at the edge, so everything below
 * stays free of n8n's node context and never carries a raw HTTP error (whose
 * request config holds URLs with tokens in them).
 */
export type MessageFileErrorKind =
	/** The user's input is wrong: a field, a message shape. */
	| 'input'
	/** The messenger's API said no. */
	| 'api'
	/** Getting the bytes from the file host failed. */
	| 'download';

export interface MessageFileErrorDetails {
	kind: MessageFileErrorKind;
	/** What to do about it, shown under the message in n8n. */
	description?: string;
	httpCode?: number;
	/** The API's own error code, kept so users can search for it. */
	apiCode?: string;
	requestId?: string;
	/** A transient failure worth another try (throttling, 5xx, reset before any byte). */
	retryable?: boolean;
	/** The server asked to wait this long before retrying. */
	retryAfterMs?: number;
	/** The link the message carried no longer works; asking the API for a fresh one may. */
	linkExpired?: boolean;
	/** A redirect led outside the hosts the link was trusted for; it was not followed. */
	redirectRefused?: boolean;
}

export class MessageFileError extends Error {
	readonly details: MessageFileErrorDetails;

	constructor(message: string, details: MessageFileErrorDetails) {
		super(message);
		this.name = 'MessageFileError';
		this.details = details;
	}

	get retryable(): boolean {
		// Read through the prototype too (axios copies errors property by property), where details is unset.
		return this.details?.retryable === true;
	}
}

export function inputError(message: string, description?: string): MessageFileError {
	return new MessageFileError(message, { kind: 'input', description });
}

export function isMessageFileError(error: unknown): error is MessageFileError {
	return error instanceof MessageFileError;
}

/** The Test button of a credential shows only an error's message: the explanation and the API's code go into it. */
export function forTestButton(error: unknown): Error {
	if (isMessageFileError(error) && error.details.description) {
		return new MessageFileError(`${error.message}. ${error.details.description}`, error.details);
	}
	return error instanceof Error ? error : new MessageFileError(String(error), { kind: 'api' });
}
