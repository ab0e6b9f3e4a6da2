import type { IDataObject, IExecuteFunctions, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

/**
 * What the shared messenger and pipeline code needs from n8n. The download node's,
 * a trigger's and a webhook's `this` all satisfy it, so one code path serves all three.
 */
export type MessengerContext = IExecuteFunctions | ITriggerFunctions | IWebhookFunctions;

/** What is known about a file before its bytes are read. The bytes still decide the type. */
export interface FileHints {
	/** The name the sender or the API gave the file, if any. */
	fileName?: string;
	/** The MIME type the message declared, if any. */
	mimeType?: string;
	/** A readable, stable name without extension, used when there is no original name. */
	fallbackName: string;
}

/** One file found in the input: where to get it, and what the output item should say about it. */
export interface MessageFile {
	hints: FileHints;
	/** A link the message itself carries; tried before asking the API for one. */
	directUrl?: string;
	/** What the provider needs to ask its API for a fresh link (e.g. downloadCode + robotCode); absent when the API cannot be asked. */
	locator?: Record<string, string>;
	/** Context for the output item's `messageFile` field (ids, sender, speech-to-text…). */
	info: IDataObject;
}

/** A message the node looked at, with no file in it (text, reaction, location…). */
export interface NoFile {
	noFile: true;
	messageType: string;
}

/** What one execution of the node shares between its items. */
export interface ExecutionState {
	/** Timeout for API calls, in milliseconds. */
	timeoutMs: number;
	/** Work a provider does once per execution (e.g. one token renewal shared by all items). */
	memo: Map<string, unknown>;
}

/**
 * One messenger. Adding a messenger means one new provider: read the node's fields
 * or an incoming message into MessageFiles, and turn a MessageFile into a download link.
 */
export interface FileProvider {
	/** The credential type this messenger uses. */
	readonly credentialType: string;
	/** How errors and hints name this messenger. */
	readonly displayName: string;
	/** Whether an object has the shape of this messenger's messages. */
	recognises(message: IDataObject): boolean;
	/** Reads the service's fields of the node for one item. */
	fromFields(context: IExecuteFunctions, itemIndex: number): Promise<MessageFile>;
	/** Finds the file(s) in an incoming message; throws when the message has another service's shape. */
	fromMessage(context: MessengerContext, message: IDataObject, itemIndex: number): Promise<MessageFile[] | NoFile>;
	/** Asks the messenger's API for a temporary download link. */
	resolveLink(context: MessengerContext, file: MessageFile, state: ExecutionState): Promise<string>;
}
