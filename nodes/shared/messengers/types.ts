import type { IDataObject, IExecuteFunctions, INodeProperties, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { HttpRequest } from '../transport/download';
import type { MessageFileError } from '../transport/errors';

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
	/**
	 * The rule `directUrl` passed (e.g. "a Green-API file host"): every redirect from it must
	 * pass it too, or the download stops there. Absent: redirects are not checked.
	 */
	directUrlPolicy?: (url: URL) => boolean;
	/** What the provider needs to ask its API for a fresh link (e.g. downloadCode + robotCode); absent when the API cannot be asked. */
	locator?: Record<string, string>;
	/** Context for the output item's `messageFile` field (ids, sender, speech-to-text…). */
	info: IDataObject;
}

/** A message the node looked at, with no file in it (text, reaction, location…). */
export interface NoFile {
	noFile: true;
	messageType: string;
	/** Why this kind of message has no file to download, when the messenger says (e.g. "Feishu does not let apps download stickers"). */
	reason?: string;
}

/** What one execution of the node shares between its items. */
export interface ExecutionState {
	/** Timeout for API calls, in milliseconds. */
	timeoutMs: number;
	/** Work a provider does once per execution (e.g. one token renewal shared by all items). */
	memo: Map<string, unknown>;
}

/**
 * A file served by an API call that carries the messenger's credentials (Feishu's
 * message resources), not by a link anyone may open. The pipeline streams it the same way.
 */
export interface AuthenticatedFileRequest {
	url: string;
	/** Sends the GET with the credential's token (and renews the token when the API says it expired). */
	httpRequest: HttpRequest;
	/**
	 * The API's own explanation of an answer that is not the file (its JSON error body):
	 * undefined leaves it to the generic "the file host answered HTTP …".
	 */
	explainRefusal?(status: number, body: string): MessageFileError | undefined;
}

/** Where a file's bytes come from: a temporary link (DingTalk, Green-API) or an authenticated API call. */
export type FileSource = string | AuthenticatedFileRequest;

/**
 * One messenger's downloads: read the node's fields or an incoming message into
 * MessageFiles, and say where each file's bytes are.
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
	/** Where the file's bytes are: a temporary link the API resolves, or the authenticated request that serves them. */
	resolveSource(context: MessengerContext, file: MessageFile, state: ExecutionState): Promise<FileSource>;
}

/* ---------- Sending (the Send Message node) ---------- */

/** What kind of message a reply becomes. A file's kind is decided from its bytes, then from what the messenger takes. */
export type SentKind = 'text' | 'image' | 'file' | 'audio' | 'video';

/**
 * A file on its way out, typed and named from its own bytes by the pipeline
 * (nodes/shared/pipeline/sendMessageFile.ts) before any messenger sees it.
 */
export interface OutgoingFile {
	/** The name to send, its extension that of the real type (`upload` holding a JPEG → `upload.jpg`). */
	fileName: string;
	/** The real MIME type (bare: `audio/ogg`, not `audio/ogg; codecs=opus`). */
	mimeType: string;
	/** The real extension, without the dot (`jpg`, `pdf`, `amr`). */
	extension: string;
	/** Size in bytes. */
	size: number;
	/**
	 * Opens the bytes for one sequential read from n8n's binary storage, never the file
	 * whole in memory (filesystem, S3, database modes). Each call opens afresh, so a
	 * request repeated after a renewed token or a 429 re-reads from the start.
	 */
	open(): Promise<AsyncIterable<Uint8Array>>;
}

/** Per-item settings of a send that are not the chat, the text or the file. */
export interface SendOptions {
	/** Quote the incoming message (Green-API `quotedMessageId`), when the reply goes to its chat. */
	quoteMessage?: boolean;
	/** DingTalk: send the text as markdown under this title. */
	markdownTitle?: string;
	/** Green-API: show a link preview for links in a text (default on). */
	linkPreview?: boolean;
	/** DingTalk voice and video: the duration in ms when the user knows it better than the bytes tell. */
	durationMs?: number;
	/** DingTalk video: the cover picture (`picMediaId`); without one an MP4 goes as a file message. */
	videoCover?: OutgoingFile;
	/** Execution-wide timeout for API calls and uploads (ms of silence), as the download node's. */
	timeoutMs: number;
	/** Extra tries on 429 / 5xx / connection resets. */
	maxRetries: number;
}

/** Where a reply goes. `chat` is what the output shows; the rest is the messenger's own. */
export interface ChatTarget {
	/** One line naming the chat for the output and errors (a chat ID, `user:ID1,ID2`, `group:cid…`). */
	chat: string;
	/** The messenger's own addressing (Green-API chatId; DingTalk robotCode + userIds or openConversationId). */
	address: Record<string, string | string[]>;
	/** The incoming message's ID, when the target was read from one (for quoting). */
	replyToMessageId?: string;
}

/** What one send produced: the `sentMessage` of the output item (without service, filled in by the node). */
export interface SentMessage {
	/** `whatsapp` | `max` | `telegram` | `dingTalk`. */
	messenger: string;
	chat: string;
	kind: SentKind;
	/** Green-API idMessage, DingTalk processQueryKey. */
	id: string;
	/** Further messages a send needed (DingTalk: the text after a file), in order. */
	more?: Array<{ kind: SentKind; id: string }>;
	/** What the messenger made of a file (e.g. DingTalk's media_id), never a URL with a token. */
	[key: string]: unknown;
}

/**
 * One messenger's sending side. Adding a messenger means one more sender next to its
 * FileProvider, registered in ./index.ts.
 */
export interface MessageSender {
	readonly credentialType: string;
	readonly displayName: string;
	/**
	 * How many chats Send Message sends to at the same time when its Concurrency is 0 (the
	 * default): as many as the messenger's rate limits take without failing a send.
	 */
	readonly chatsAtOnce: number;
	/** Whether an object has the shape of this messenger's incoming messages. */
	recognises(message: IDataObject): boolean;
	/** The chat an incoming message came from: the reply goes back there. Throws an input error naming what is missing. */
	replyTarget(context: IExecuteFunctions, message: IDataObject, itemIndex: number): Promise<ChatTarget>;
	/** The chat the user named in the node's fields. */
	chatFromFields(context: IExecuteFunctions, itemIndex: number): Promise<ChatTarget>;
	/**
	 * What this messenger would refuse, refused before any upload: a type it does not take,
	 * a file over its limit. Throws a MessageFileError naming the file's real type, what
	 * the messenger takes and its limit.
	 */
	assertSendable(context: IExecuteFunctions, file: Omit<OutgoingFile, 'open'>): Promise<void>;
	sendText(context: IExecuteFunctions, target: ChatTarget, text: string, options: SendOptions, state: ExecutionState): Promise<SentMessage>;
	/** Uploads and sends the file; `caption` is the node's Text (Green-API: the file's caption; DingTalk: a text message after the file). */
	sendFile(
		context: IExecuteFunctions,
		target: ChatTarget,
		file: OutgoingFile,
		caption: string,
		options: SendOptions,
		state: ExecutionState,
	): Promise<SentMessage>;
}

/* ---------- The registry (./index.ts) ---------- */

/**
 * How a messenger shows in the editor of the nodes that take a Service. Its fields carry
 * only their own conditions: the nodes add "this Service" (nodes/shared/node/service.ts),
 * so no node description names a messenger.
 */
export interface MessengerEditor {
	/** The Service option's name. */
	name: string;
	/** The short name the node's subtitle shows. */
	label: string;
	/** What its incoming messages are, for the Message field's description ("a DingTalk robot callback or Stream-mode message"). */
	messageShapes: string;
	download: {
		/** The Service option's description in Download Message File. */
		description: string;
		/** What Source = Fields asks for ("the download code"). */
		fieldsSummary: string;
		/** Its fields for Source = Fields. */
		fields: INodeProperties[];
		/** Its entries in the node's Options. */
		options?: INodeProperties[];
	};
	send: {
		/** The Service option's description in Send Message. */
		description: string;
		/** Its fields for Send To = A Chat. */
		chatFields: INodeProperties[];
		/** Its entries in the node's Options. */
		options?: INodeProperties[];
	};
}

/** One messenger: its credential, its downloads, its replies and its editor. */
export interface Messenger {
	/** The nodes' `service` value, saved in users' workflows: never renamed. */
	readonly service: string;
	readonly credentialType: string;
	readonly provider: FileProvider;
	readonly sender: MessageSender;
	readonly editor: MessengerEditor;
}
