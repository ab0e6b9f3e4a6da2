// Green-API (WhatsApp, MAX and Telegram instances: downloadFile, getStateInstance,
// the notification queue receiveNotification / deleteNotification, getSettings /
// setSettings, webhook deliveries) and its media host. WhatsApp and Telegram instances
// live at /waInstance{id}/…, MAX ones at /v3/waInstance{id}/…; the other prefix is a
// 404 for them, as on the real API.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { FileBody } from './bytes';
import { GREEN_QUOTA_EXCEEDED_BODY, pickApiFault, sendApiFault, type ApiFault, type Fault } from './faults';
import { REDIRECT_PREFIX, serveHostedFile, serveRedirectHop, type FileServeEnv, type HostedFile } from './files';
import { parseJsonObject, sendJson, sendText, type RequestContext } from './listener';
import { GreenNotificationQueues } from './notificationQueue';
import type { StandInStats } from './stats';

export type GreenMessenger = 'whatsapp' | 'max' | 'telegram';
export type GreenInstanceState = 'authorized' | 'notAuthorized' | 'starting' | 'blocked' | 'yellowCard' | 'sleepMode';

export interface GreenInstanceInput {
	idInstance: string | number;
	apiTokenInstance: string;
	messenger: GreenMessenger;
	/** Default 'authorized'. */
	state?: GreenInstanceState;
	/** true: downloadFile answers 466 QUOTE_EXCEEDED. */
	quotaExceeded?: boolean;
}

export interface GreenMessageRef {
	idInstance: string | number;
	chatId: string;
	idMessage: string;
}

export interface GreenFileInput extends GreenMessageRef {
	body: FileBody;
	/** Extension of WhatsApp and Telegram links ('pdf', 'oga', …); absent → no extension. MAX links never have one. */
	linkExtension?: string;
	/** Default application/octet-stream, like the real media hosts. */
	contentType?: string;
	fault?: Fault;
}

export interface GreenApiOptions {
	/** downloadFile calls allowed per instance in any 1 s window; undefined = no limit. */
	rateLimitPerSecond?: number;
	/** sendMessage calls allowed per instance in any 1 s window (Green-API documents 50); undefined = no limit. */
	sendRateLimitPerSecond?: number;
	/** Adds Retry-After to the 429s (the real API documents none). */
	retryAfterSeconds?: number;
	/** Status of an expired media link. Default 403. */
	expiredLinkStatus: 403 | 404;
}

interface GreenInstance extends Required<Omit<GreenInstanceInput, 'idInstance'>> {
	idInstance: string;
}

interface GreenEntry {
	kind: 'file' | 'missing' | 'gone';
	instance: GreenInstance;
	linkExtension?: string;
	hosted: HostedFile;
	apiCalls: number;
	current?: MediaLink;
}

interface MediaLink {
	key: string;
	url: string;
	entry: GreenEntry;
	expired: boolean;
}

const ROUTE = /^(\/v3)?\/waInstance([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?\/?$/;

export type GreenSendMethod = 'sendMessage' | 'sendFileByUpload';

/** A message the stand-in accepted (answered 200 with an idMessage). */
export interface GreenSentMessage {
	method: GreenSendMethod;
	idInstance: string;
	idMessage: string;
	chatId: string;
	/** sendMessage */
	message?: string;
	linkPreview?: boolean;
	typePreview?: string;
	customPreview?: Record<string, unknown>;
	/** sendMessage (a number) and sendFileByUpload (the form field's text). */
	typingTime?: number;
	quotedMessageId?: string;
	/** sendFileByUpload: the form's fields and what arrived in its file part. */
	fileName?: string;
	caption?: string;
	/** The file part's own filename and Content-Type, as the multipart form carried them. */
	partFileName?: string;
	partMimeType?: string;
	fileSize?: number;
	fileSha256?: string;
	/** The bytes themselves, kept up to 16 MB. */
	fileBytes?: Buffer;
	urlFile?: string;
}

/** Green-API's documented limits (SendMessage, SendFileByUpload). */
export const GREEN_MAX_TEXT_CHARACTERS = 20_000;
export const GREEN_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
const KEEP_UPLOAD_BYTES = 16 * 1024 * 1024;

interface ParsedUpload {
	fields: Record<string, string>;
	file?: { size: number; sha256: string; bytes?: Buffer; partFileName: string; partMimeType: string; truncated: boolean };
	/** Why the form could not be read, when it could not. */
	broken?: string;
}

/** Reads a multipart/form-data upload as it streams in: fields whole, the file hashed and counted, kept only when small. */
async function parseUpload(req: IncomingMessage): Promise<ParsedUpload> {
	return await new Promise((resolve) => {
		const result: ParsedUpload = { fields: {} };
		let parser: busboy.Busboy;
		try {
			// busboy marks a file truncated once it reaches the limit, so one byte more: exactly 100 MB is allowed.
			parser = busboy({ headers: req.headers, limits: { fileSize: GREEN_MAX_UPLOAD_BYTES + 1, files: 1, fields: 20 } });
		} catch (error) {
			// Not multipart at all: drain the body so the client gets the answer, not a reset.
			req.resume();
			req.once('end', () => resolve({ fields: {}, broken: (error as Error).message }));
			return;
		}
		let pendingFile: Promise<void> = Promise.resolve();
		parser.on('field', (name, value) => (result.fields[name] = value));
		parser.on('file', (_name, stream, info) => {
			const hash = createHash('sha256');
			const kept: Buffer[] = [];
			let size = 0;
			pendingFile = new Promise((done) => {
				stream.on('data', (chunk: Buffer) => {
					hash.update(chunk);
					size += chunk.length;
					if (size <= KEEP_UPLOAD_BYTES) kept.push(chunk);
				});
				stream.on('end', () => {
					result.file = {
						size,
						sha256: hash.digest('hex'),
						bytes: size <= KEEP_UPLOAD_BYTES ? Buffer.concat(kept) : undefined,
						partFileName: info.filename ?? '',
						partMimeType: info.mimeType,
						truncated: (stream as { truncated?: boolean }).truncated === true,
					};
					done();
				});
			});
		});
		parser.on('error', (error: Error) => {
			req.unpipe(parser);
			req.resume();
			req.once('end', () => resolve({ ...result, broken: error.message }));
		});
		parser.on('close', () => void pendingFile.then(() => resolve(result)));
		req.pipe(parser);
	});
}

/** Fields Green-API documents for each send (SendMessage, SendFileByUpload); any other is refused as Joi refuses it. */
const SEND_FIELDS: Record<GreenSendMethod, readonly string[]> = {
	sendMessage: ['chatId', 'message', 'quotedMessageId', 'linkPreview', 'typePreview', 'customPreview', 'typingTime'],
	sendFileByUpload: ['chatId', 'fileName', 'caption', 'quotedMessageId', 'file', 'typingTime', 'typingType'],
};
/** customPreview's fields (SendMessage): title required; title, description and link up to 300 characters. */
const CUSTOM_PREVIEW_FIELDS = ['title', 'description', 'link', 'urlFile', 'jpegThumbnail'];
const CUSTOM_PREVIEW_MAX_CHARACTERS = 300;
/** typingTime: milliseconds, 1 to 20 seconds (SendMessage, SendTyping). */
const TYPING_TIME_MS = { min: 1000, max: 20_000 };

function validateCustomPreview(preview: unknown): string | undefined {
	if (typeof preview !== 'object' || preview === null || Array.isArray(preview)) return "'customPreview' must be of type object";
	const fields = preview as Record<string, unknown>;
	for (const key of Object.keys(fields)) if (!CUSTOM_PREVIEW_FIELDS.includes(key)) return `'customPreview.${key}' is not allowed`;
	if (fields.title === undefined) return "'customPreview.title' is required";
	for (const key of CUSTOM_PREVIEW_FIELDS) {
		const value = fields[key];
		if (value === undefined) continue;
		if (typeof value !== 'string') return `'customPreview.${key}' must be a string`;
		if (['title', 'description', 'link'].includes(key) && value.length > CUSTOM_PREVIEW_MAX_CHARACTERS) {
			return `'customPreview.${key}' length must be less than or equal to ${CUSTOM_PREVIEW_MAX_CHARACTERS} characters long`;
		}
	}
	return undefined;
}

/** typingTime arrives as a JSON number, or as a form field's text in an upload. */
function validateTypingTime(value: unknown): string | undefined {
	const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number)) return "'typingTime' must be an integer";
	if (number < TYPING_TIME_MS.min) return `'typingTime' must be greater than or equal to ${TYPING_TIME_MS.min}`;
	if (number > TYPING_TIME_MS.max) return `'typingTime' must be less than or equal to ${TYPING_TIME_MS.max}`;
	return undefined;
}

/** Joi-like answers for a send, as Green-API words them; undefined when valid. */
function validateSend(method: GreenSendMethod, messenger: GreenMessenger, fields: Record<string, unknown>): string | undefined {
	for (const key of Object.keys(fields)) if (!SEND_FIELDS[method].includes(key)) return `'${key}' is not allowed`;
	const chatId = fields.chatId;
	if (chatId === undefined) return "'chatId' is required";
	if (typeof chatId !== 'string') return "'chatId' must be a string";
	if (chatId === '') return "'chatId' is not allowed to be empty";
	const chatPattern = messenger === 'whatsapp' ? /^[\d-]+@(c\.us|g\.us|lid)$/ : /^-?\d+$/;
	if (!chatPattern.test(chatId)) {
		return messenger === 'whatsapp' ? "'chatId' must be one of the next formats: 'phone_number@c.us' or 'group_id@g.us'" : "'chatId' must be a number";
	}
	if (method === 'sendMessage') {
		const message = fields.message;
		if (message === undefined) return "'message' is required";
		if (typeof message !== 'string') return "'message' must be a string";
		if (message === '') return "'message' is not allowed to be empty";
		if (message.length > GREEN_MAX_TEXT_CHARACTERS) return `'message' length must be less than or equal to ${GREEN_MAX_TEXT_CHARACTERS} characters long`;
		if (fields.linkPreview !== undefined && typeof fields.linkPreview !== 'boolean') return "'linkPreview' must be a boolean";
		if (fields.typePreview !== undefined && fields.typePreview !== 'large' && fields.typePreview !== 'small') return "'typePreview' must be one of [large, small]";
		if (fields.customPreview !== undefined) {
			const invalid = validateCustomPreview(fields.customPreview);
			if (invalid) return invalid;
		}
	} else {
		const caption = fields.caption;
		if (typeof caption === 'string' && caption.length > GREEN_MAX_TEXT_CHARACTERS) return `'caption' length must be less than or equal to ${GREEN_MAX_TEXT_CHARACTERS} characters long`;
		const fileName = fields.fileName;
		if (fileName !== undefined && (typeof fileName !== 'string' || !/\.[A-Za-z0-9]{1,10}$/.test(fileName))) return "'fileName' must contain file extension";
		if (fields.typingType !== undefined && fields.typingType !== 'recording') return "'typingType' must be [recording]";
	}
	if (fields.typingTime !== undefined) {
		const invalid = validateTypingTime(fields.typingTime);
		if (invalid) return invalid;
	}
	const quoted = fields.quotedMessageId;
	if (quoted !== undefined && (typeof quoted !== 'string' || quoted === '')) return "'quotedMessageId' is not allowed to be empty";
	return undefined;
}

/** Message IDs as each messenger's look: WhatsApp 20 hex digits, MAX and Telegram numbers. */
function newMessageId(messenger: GreenMessenger): string {
	if (messenger === 'whatsapp') return `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
	return String(1_000_000_000 + Math.floor(Math.random() * 9_000_000_000));
}

export class GreenApiStandIn {
	/** Set by startStandIn once the listeners are up. */
	apiUrl = '';
	mediaUrl = '';

	private readonly instances = new Map<string, GreenInstance>();
	private readonly entries = new Map<string, GreenEntry>();
	private readonly entriesById = new Map<string, GreenEntry>();
	private readonly links = new Map<string, MediaLink>();
	/** Accepted downloadFile call times per instance, for the sliding 1 s window. */
	private readonly recentCalls = new Map<string, number[]>();

	/** Notification queues, settings and webhook deliveries, per instance (see notificationQueue.ts). */
	readonly queues: GreenNotificationQueues;

	/** Messages accepted by sendMessage / sendFileByUpload, in order. */
	readonly sent: GreenSentMessage[] = [];
	/** Send calls that reached the stand-in, any outcome (uploads counted even when refused). */
	readonly sendCalls: Record<GreenSendMethod, number> = { sendMessage: 0, sendFileByUpload: 0 };
	/** Bytes of file parts received by sendFileByUpload, any outcome. */
	uploadBytesReceived = 0;
	private readonly sendFaults = new Map<string, ApiFault[]>();
	private holding = false;
	private readonly held: Array<() => void> = [];

	/** Media-host requests the handler reads itself: uploads stream through the multipart parser. */
	static streamsBody = (req: IncomingMessage): boolean => req.method === 'POST';

	constructor(
		private readonly stats: StandInStats,
		private readonly options: GreenApiOptions,
		private readonly signal: AbortSignal,
	) {
		this.queues = new GreenNotificationQueues(stats, signal);
	}

	addInstance(input: GreenInstanceInput): void {
		this.instances.set(String(input.idInstance), {
			state: 'authorized',
			quotaExceeded: false,
			...input,
			idInstance: String(input.idInstance),
		});
		this.queues.addInstance(String(input.idInstance));
	}

	setInstanceState(idInstance: string | number, state: GreenInstanceState): void {
		this.instance(idInstance).state = state;
	}

	/** A file message. Returns the link a webhook would carry (also what downloadFile answers while it is valid). */
	addFile(input: GreenFileInput): { directUrl: string } {
		const entry = this.addEntry('file', input, input.body, input.contentType, input.fault);
		entry.linkExtension = input.linkExtension?.replace(/^\./, '');
		return { directUrl: this.currentLink(entry).url };
	}

	/** A message without a file: downloadFile → 400 "File message encrypted url not found…". */
	addMissingFile(ref: GreenMessageRef): void {
		this.addEntry('missing', ref, Buffer.alloc(0));
	}

	/** A file gone from the messenger: downloadFile → 500; the returned (webhook) link is already expired. */
	addGoneFile(ref: GreenMessageRef & { linkExtension?: string }): { directUrl: string } {
		const entry = this.addEntry('gone', ref, Buffer.alloc(0));
		entry.linkExtension = ref.linkExtension?.replace(/^\./, '');
		const link = this.currentLink(entry);
		link.expired = true;
		return { directUrl: link.url };
	}

	/**
	 * The next send calls of this method on this instance get `fault` (its `times`, default 1),
	 * before any check, as a gateway or the rate limiter would answer. Queued faults apply in order.
	 */
	failSends(idInstance: string | number, method: GreenSendMethod, fault: ApiFault): void {
		const key = `${idInstance}:${method}`;
		this.sendFaults.set(key, [...(this.sendFaults.get(key) ?? []), { times: 1, ...fault }]);
	}

	/** sendMessage answers wait from now until releaseSends() (each is recorded in `sent` on arrival), so a test can count the sends in flight. */
	holdSends(): void {
		this.holding = true;
	}

	/** sendMessage calls whose answer holdSends() keeps back. */
	get heldSends(): number {
		return this.held.length;
	}

	releaseSends(): void {
		this.holding = false;
		for (const answer of this.held.splice(0)) answer();
	}

	setQuotaExceeded(idInstance: string | number, exceeded: boolean): void {
		this.instance(idInstance).quotaExceeded = exceeded;
	}

	/** Forget sent messages, send counters and pending send faults. */
	resetSends(): void {
		this.sent.length = 0;
		this.sendCalls.sendMessage = 0;
		this.sendCalls.sendFileByUpload = 0;
		this.uploadBytesReceived = 0;
		this.sendFaults.clear();
		this.releaseSends();
	}

	private takeSendFault(idInstance: string, method: GreenSendMethod): ApiFault | undefined {
		const key = `${idInstance}:${method}`;
		const queue = this.sendFaults.get(key);
		const fault = queue?.[0];
		if (!queue || !fault) return undefined;
		fault.times = (fault.times ?? 1) - 1;
		if (fault.times <= 0) queue.shift();
		return fault;
	}

	/** Everything a send checks after its body is read, in Green-API's order; true when an answer was sent. */
	private refuseSend(ctx: RequestContext, method: GreenSendMethod, v3: boolean, idInstance: string, token: string, fields: Record<string, unknown> | undefined): GreenInstance | undefined {
		const { res } = ctx;
		const fault = this.takeSendFault(idInstance, method);
		if (fault) {
			this.stats.faultsInjected++;
			if (fault.status === 429) this.stats.rateLimited429++;
			return void sendApiFault(res, fault, {});
		}
		if (method === 'sendMessage' && this.rateLimited(`${idInstance}:sendMessage`, this.options.sendRateLimitPerSecond)) {
			this.stats.rateLimited429++;
			return void sendText(res, 429, 'Too Many Requests');
		}
		const instance = this.authorize(ctx, v3, idInstance, token);
		if (!instance) return undefined;
		if (instance.state === 'starting') return void sendText(res, 400, 'instance in starting process try later');
		if (instance.state !== 'authorized' && instance.state !== 'yellowCard') return void sendText(res, 400, 'instance account not authorized');
		if (instance.quotaExceeded) return void sendJson(res, 466, GREEN_QUOTA_EXCEEDED_BODY);
		if (!fields) return void sendText(res, 400, 'bad request data');
		const invalid = validateSend(method, instance.messenger, fields);
		if (invalid) return void sendText(res, 400, `Validation failed. Details: ${invalid}`);
		return instance;
	}

	private sendMessage(ctx: RequestContext, v3: boolean, idInstance: string, token: string): void {
		this.sendCalls.sendMessage++;
		if (ctx.req.method !== 'POST') return sendText(ctx.res, 405, 'Method Not Allowed');
		const body = parseJsonObject(ctx.body);
		const instance = this.refuseSend(ctx, 'sendMessage', v3, idInstance, token, body);
		if (!instance || !body) return;
		const idMessage = newMessageId(instance.messenger);
		this.sent.push({
			method: 'sendMessage',
			idInstance,
			idMessage,
			chatId: String(body.chatId),
			message: String(body.message),
			linkPreview: typeof body.linkPreview === 'boolean' ? body.linkPreview : undefined,
			typePreview: typeof body.typePreview === 'string' ? body.typePreview : undefined,
			customPreview: typeof body.customPreview === 'object' && body.customPreview !== null ? (body.customPreview as Record<string, unknown>) : undefined,
			typingTime: typeof body.typingTime === 'number' ? body.typingTime : undefined,
			quotedMessageId: typeof body.quotedMessageId === 'string' ? body.quotedMessageId : undefined,
		});
		if (this.holding) this.held.push(() => sendJson(ctx.res, 200, { idMessage }));
		else sendJson(ctx.res, 200, { idMessage });
	}

	private async sendFileByUpload(ctx: RequestContext, v3: boolean, idInstance: string, token: string): Promise<void> {
		this.sendCalls.sendFileByUpload++;
		// The whole form is read before any answer (as a proxy in front of the API would), so a refusal never resets an upload mid-way.
		const upload = await parseUpload(ctx.req);
		this.uploadBytesReceived += upload.file?.size ?? 0;
		const fields: Record<string, unknown> | undefined = upload.broken ? undefined : { ...upload.fields, ...(upload.file ? { file: true } : {}) };
		const instance = this.refuseSend(ctx, 'sendFileByUpload', v3, idInstance, token, fields);
		if (!instance) return;
		const file = upload.file;
		if (!file) return sendText(ctx.res, 400, "Validation failed. Details: 'file' is required");
		// Over the limit: the gateway's refusal (Green-API documents the limit, not this answer).
		if (file.truncated) return sendText(ctx.res, 413, `File exceeded max upload size. Limit: ${GREEN_MAX_UPLOAD_BYTES / 1024 / 1024}mb`);
		if (file.size === 0) return sendText(ctx.res, 400, "Validation failed. Details: 'file' is not allowed to be empty");
		const fileName = upload.fields.fileName ?? file.partFileName;
		const idMessage = newMessageId(instance.messenger);
		const extension = /\.([A-Za-z0-9]{1,10})$/.exec(fileName)?.[1] ?? 'bin';
		const urlFile = `${this.mediaUrl}/sent/${idInstance}/${randomUUID()}.${extension}`;
		this.sent.push({
			method: 'sendFileByUpload',
			idInstance,
			idMessage,
			chatId: upload.fields.chatId ?? '',
			fileName,
			caption: upload.fields.caption,
			quotedMessageId: upload.fields.quotedMessageId,
			typingTime: upload.fields.typingTime === undefined ? undefined : Number(upload.fields.typingTime),
			partFileName: file.partFileName,
			partMimeType: file.partMimeType,
			fileSize: file.size,
			fileSha256: file.sha256,
			fileBytes: file.bytes,
			urlFile,
		});
		sendJson(ctx.res, 200, { idMessage, urlFile });
	}

	/** Expire every media link issued so far; downloadFile then hands out fresh ones. */
	expireDirectLinks(): void {
		for (const link of this.links.values()) link.expired = true;
	}

	private instance(idInstance: string | number): GreenInstance {
		const instance = this.instances.get(String(idInstance));
		if (!instance) throw new Error(`stand-in: add Green-API instance ${idInstance} first`);
		return instance;
	}

	private addEntry(
		kind: GreenEntry['kind'],
		ref: GreenMessageRef,
		body: FileBody,
		contentType = 'application/octet-stream',
		fault?: Fault,
	): GreenEntry {
		const entry: GreenEntry = {
			kind,
			instance: this.instance(ref.idInstance),
			hosted: { id: `ga-${randomUUID()}`, body, contentType, fault, fileGets: 0 },
			apiCalls: 0,
		};
		this.entries.set(messageKey(ref.idInstance, ref.chatId, ref.idMessage), entry);
		this.entriesById.set(entry.hosted.id, entry);
		return entry;
	}

	/** The entry's valid link, minted anew when there is none or it expired. */
	private currentLink(entry: GreenEntry): MediaLink {
		if (entry.current && !entry.current.expired) return entry.current;
		let key: string;
		let url: string;
		if (entry.instance.messenger === 'max') {
			const r = randomBytes(24).toString('base64url');
			key = `r:${r}`;
			url = `${this.mediaUrl}/i?r=${r}`;
		} else if (entry.instance.messenger === 'telegram') {
			// Telegram instances hand out links on the API host's /download/ path (https://4100.api.green-api.com/download/4100/….png).
			key = `/download/${entry.instance.idInstance}/${randomUUID()}${entry.linkExtension ? `.${entry.linkExtension}` : ''}`;
			url = `${this.mediaUrl}${key}`;
		} else {
			key = `/${entry.instance.idInstance}/${randomUUID()}${entry.linkExtension ? `.${entry.linkExtension}` : ''}`;
			url = `${this.mediaUrl}${key}`;
		}
		const link: MediaLink = { key, url, entry, expired: false };
		this.links.set(key, link);
		entry.current = link;
		return link;
	}

	// ---------------------------------------------------------------- API host

	handleApi = async (ctx: RequestContext): Promise<void> => {
		const match = ROUTE.exec(ctx.url.pathname);
		if (!match) return sendText(ctx.res, 404, 'Not Found');
		const [, v3, idInstance = '', method = '', token = '', argument] = match;
		const name = method.toLowerCase();
		if (name === 'deletenotification') {
			const instance = this.authorize(ctx, !!v3, idInstance, token);
			return instance ? this.queues.deleteNotification(ctx, idInstance, argument) : undefined;
		}
		if (argument !== undefined) return sendText(ctx.res, 404, 'Not Found');
		if (name === 'downloadfile') return this.downloadFile(ctx, !!v3, idInstance, token);
		if (name === 'sendmessage') return this.sendMessage(ctx, !!v3, idInstance, token);
		if (name === 'getstateinstance') return this.getState(ctx, !!v3, idInstance, token);
		if (name === 'receivenotification' || name === 'getsettings' || name === 'setsettings') {
			const instance = this.authorize(ctx, !!v3, idInstance, token);
			if (!instance) return;
			if (name === 'receivenotification') return await this.queues.receiveNotification(ctx, idInstance);
			if (name === 'getsettings') return this.queues.getSettings(ctx, idInstance);
			return this.queues.setSettings(ctx, idInstance);
		}
		return sendText(ctx.res, 404, 'Not Found');
	};

	/** Instance, path prefix and token checks shared by the methods; false when an answer was sent. */
	private authorize(ctx: RequestContext, v3: boolean, idInstance: string, token: string): GreenInstance | undefined {
		const instance = this.instances.get(idInstance);
		if (!instance) return void sendText(ctx.res, 403, 'Forbidden');
		if ((instance.messenger === 'max') !== v3) return void sendText(ctx.res, 404, 'Not Found');
		if (instance.apiTokenInstance !== decodeURIComponent(token)) return void sendText(ctx.res, 401, 'Unauthorized');
		return instance;
	}

	private getState(ctx: RequestContext, v3: boolean, idInstance: string, token: string): void {
		this.stats.greenStateCalls++;
		if (ctx.req.method !== 'GET') return sendText(ctx.res, 405, 'Method Not Allowed');
		const instance = this.authorize(ctx, v3, idInstance, token);
		if (instance) sendJson(ctx.res, 200, { stateInstance: instance.state });
	}

	private downloadFile(ctx: RequestContext, v3: boolean, idInstance: string, token: string): void {
		const { res } = ctx;
		this.stats.greenDownloadFileCalls++;
		const byInstance = this.stats.greenDownloadFileCallsByInstance;
		byInstance[idInstance] = (byInstance[idInstance] ?? 0) + 1;
		if (ctx.req.method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
		if (this.rateLimited(idInstance, this.options.rateLimitPerSecond)) {
			this.stats.rateLimited429++;
			const retry = this.options.retryAfterSeconds;
			return sendText(res, 429, 'Too Many Requests', retry !== undefined ? { 'Retry-After': String(retry) } : {});
		}

		const body = parseJsonObject(ctx.body);
		const chatId = body?.['chatId'];
		const idMessage = body?.['idMessage'];
		const entry =
			typeof chatId === 'string' && typeof idMessage === 'string'
				? this.entries.get(messageKey(idInstance, chatId, idMessage))
				: undefined;
		if (entry) {
			const fault = pickApiFault(entry.hosted.fault, entry.apiCalls++);
			if (fault) {
				this.stats.faultsInjected++;
				if (fault === 'reset') return void ctx.req.socket.destroy();
				return sendApiFault(res, fault, {});
			}
		}

		const instance = this.authorize(ctx, v3, idInstance, token);
		if (!instance) return;
		if (instance.state === 'starting') return sendText(res, 400, 'instance in starting process try later');
		if (instance.state !== 'authorized' && instance.state !== 'yellowCard') {
			return sendText(res, 400, 'instance account not authorized');
		}
		if (instance.quotaExceeded) return sendJson(res, 466, GREEN_QUOTA_EXCEEDED_BODY);

		const invalid = validate(body);
		if (invalid) return sendText(res, 400, `Validation failed. Details: ${invalid}`);
		if (!entry || entry.kind === 'missing') {
			return sendText(res, 400, `File message encrypted url not found by chatId ${chatId} and idMessage ${idMessage}`);
		}
		if (entry.kind === 'gone') {
			return sendText(res, 500, `Internal error when downloading file by chatId ${chatId} and idMessage ${idMessage}`);
		}
		sendJson(res, 200, { downloadUrl: this.currentLink(entry).url });
	}

	private rateLimited(key: string, limit: number | undefined): boolean {
		if (limit === undefined) return false;
		const now = Date.now();
		const recent = (this.recentCalls.get(key) ?? []).filter((t) => t > now - 1000);
		this.recentCalls.set(key, recent);
		if (recent.length >= limit) return true;
		recent.push(now);
		return false;
	}

	// ---------------------------------------------------------------- media host

	handleMedia = async (ctx: RequestContext): Promise<void> => {
		const { req, url } = ctx;
		const upload = req.method === 'POST' ? ROUTE.exec(url.pathname) : null;
		if (upload && upload[3]?.toLowerCase() === 'sendfilebyupload' && upload[5] === undefined) {
			return await this.sendFileByUpload(ctx, !!upload[1], upload[2] ?? '', upload[4] ?? '');
		}
		if (req.method === 'POST') {
			req.resume();
			return sendText(ctx.res, 404, 'Not Found');
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') return this.mediaError(ctx, 405, 'MethodNotAllowed');
		this.stats.greenMediaGets++;
		const env: FileServeEnv = {
			signal: this.signal,
			stats: this.stats,
			countBytes: (n) => (this.stats.greenMediaBytesServed += n),
			headers: { 'x-amz-request-id': randomBytes(8).toString('hex') },
		};
		if (url.pathname.startsWith(REDIRECT_PREFIX)) {
			const [id, hop] = url.pathname.slice(REDIRECT_PREFIX.length).split('/');
			const entry = this.entriesById.get(decodeURIComponent(id ?? ''));
			if (!entry) return this.mediaError(ctx, 404, 'NoSuchKey');
			return serveRedirectHop(ctx, entry.hosted, Number(hop), env);
		}
		const key = url.pathname === '/i' ? `r:${url.searchParams.get('r') ?? ''}` : url.pathname;
		const link = this.links.get(key);
		if (!link) return this.mediaError(ctx, 404, 'NoSuchKey');
		if (link.expired) return this.mediaError(ctx, this.options.expiredLinkStatus, undefined);
		return serveHostedFile(ctx, link.entry.hosted, env);
	};

	/** S3-style XML errors, as Yandex Object Storage answers. */
	private mediaError(ctx: RequestContext, status: number, code: string | undefined): void {
		const c = code ?? (status === 404 ? 'NoSuchKey' : 'AccessDenied');
		const message =
			c === 'NoSuchKey'
				? 'The specified key does not exist.'
				: c === 'AccessDenied'
					? 'Access Denied'
					: 'The specified method is not allowed against this resource.';
		const xml =
			`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${c}</Code><Message>${message}</Message>` +
			`<Resource>${escapeXml(ctx.url.pathname)}</Resource><RequestId>${randomBytes(8).toString('hex')}</RequestId></Error>`;
		sendText(ctx.res, status, xml, {}, 'application/xml');
	}
}

function messageKey(idInstance: string | number, chatId: string, idMessage: string): string {
	return JSON.stringify([String(idInstance), chatId, idMessage]);
}

/** Joi-like details, as Green-API words them ("'value' must have at least 2 keys"). */
function validate(body: Record<string, unknown> | undefined): string | undefined {
	if (!body) return "'value' must be of type object";
	if (Object.keys(body).length < 2) return "'value' must have at least 2 keys";
	for (const field of ['chatId', 'idMessage']) {
		const value = body[field];
		if (value === undefined) return `'${field}' is required`;
		if (typeof value !== 'string') return `'${field}' must be a string`;
		if (value === '') return `'${field}' is not allowed to be empty`;
	}
	return undefined;
}

function escapeXml(text: string): string {
	return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
