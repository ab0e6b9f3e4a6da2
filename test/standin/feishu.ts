// Feishu / Lark Open API (one listener serves both: the base URL is the credential's): the
// tenant token, message resource downloads (Range, Content-Disposition), image and file
// uploads (multipart, streamed through busboy), sending and replying, with the rules and
// error bodies of the official docs and of what the official SDK puts on the wire
// (/work/shared/facts/feishu.md, sections 1, 5, 6, 8, 10). See README.md, "Feishu / Lark".
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import busboy from 'busboy';
import { bodyChunks, bodySize, type FileBody } from './bytes';
import { sendJson, sendText, setHeaders, waitDrainOrClose, type Handler, type RequestContext } from './listener';
import type { StandInStats } from './stats';

export interface FeishuAppInput {
	/** `cli_` + 16 hex digits: the SDK's long connection refuses other ids. */
	appId: string;
	appSecret: string;
	/** Scopes granted; absent = every scope the stand-in checks. */
	scopes?: string[];
	tenantKey?: string;
}

export interface FeishuUserInput {
	openId: string;
	unionId?: string;
	userId?: string;
	email?: string;
	/** false: outside the bot's availability range (230013). Default true. */
	available?: boolean;
}

export interface FeishuChatInput {
	chatId: string;
	/** open_ids of the human members (informative). */
	members?: string[];
	/** Default true. */
	botIsMember?: boolean;
}

export type FeishuResourceRefusal = 'deleted' | 'unauthorized' | 'external' | 'restricted' | 'invisible';
export type ContentDispositionForm = 'raw' | 'rfc5987' | 'both' | 'none';

export interface FeishuMessageFileInput {
	messageId: string;
	fileKey: string;
	type: 'image' | 'file';
	body: FileBody;
	/** Sent in Content-Disposition (raw and/or RFC 5987, see `contentDisposition`). */
	fileName?: string;
	/** Default: from the file name's extension, else application/octet-stream. */
	contentType?: string;
	/** The chat the message lives in; registered as a chat if new. */
	chatId?: string;
	/** false → 234004 (app not in chat). Default: the chat's botIsMember, else true. */
	botInChat?: boolean;
	/** The message's type; sticker, merge_forward (children), interactive → 234043. Default from `type`. */
	messageType?: string;
	/** 230110 deleted, 234002 unauthorized (401), 234009 external chat, 234038 restricted mode, 234040 invisible. */
	refuse?: FeishuResourceRefusal;
	/** Per-file Content-Disposition form (overrides the stand-in's). */
	contentDisposition?: ContentDispositionForm;
}

export interface FeishuUpload {
	kind: 'image' | 'file';
	key: string;
	appId: string;
	/** Text fields of the form (image_type, file_type, file_name, duration). */
	fields: Record<string, string>;
	size: number;
	sha256: string;
	/** Kept up to 16 MB. */
	bytes?: Buffer;
	partFileName: string;
	partMimeType: string;
}

export interface FeishuSentMessage {
	api: 'create' | 'reply';
	appId: string;
	messageId: string;
	chatId: string;
	receiveId?: string;
	receiveIdType?: string;
	msgType: string;
	/** The content string, parsed. */
	content: unknown;
	uuid?: string;
	replyTo?: string;
	replyInThread?: boolean;
	createTime: number;
}

export interface FeishuFault {
	status: number;
	/** Object → JSON; string → text. Default: no body. */
	body?: unknown;
	headers?: Record<string, string>;
	/** Default 1. */
	times?: number;
}

/** Routes `failNext` knows. */
export type FeishuRoute = 'token' | 'resource' | 'uploadImage' | 'uploadFile' | 'send' | 'reply';

export interface FeishuOptions {
	/** Token lifetime in seconds (reported as `expire`, enforced). Default 7200. */
	tokenLifetimeSeconds?: number;
	/** Messages per second to one chat or user (230020 above). 0 = off. Default 5. */
	chatRateLimitPerSecond?: number;
	/** Calls per second per app per API (429 99991400 above). 0 = off. Default 50. */
	appRateLimitPerSecond?: number;
}

export const FEISHU_LIMITS = {
	imageBytes: 10 * 1024 * 1024,
	fileBytes: 30 * 1024 * 1024,
	resourceBytes: 100 * 1024 * 1024,
	textContentBytes: 150 * 1024,
	postContentBytes: 30 * 1024,
	uuidChars: 50,
};

const KEEP_UPLOAD_BYTES = 16 * 1024 * 1024;
const IDEMPOTENCY_MS = 60 * 60 * 1000;
/** A token with at least this much left is handed out again (DOC tat). */
const TOKEN_REUSE_SECONDS = 30 * 60;

const SCOPES = {
	send: ['im:message', 'im:message:send_as_bot', 'im:message:send'],
	upload: ['im:resource', 'im:resource:upload'],
	resource: ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
};

const FILE_TYPES = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'];
const RECEIVE_ID_TYPES = ['open_id', 'union_id', 'user_id', 'email', 'chat_id'];
const MSG_TYPES = ['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system'];
const UNDOWNLOADABLE_MESSAGE_TYPES = ['sticker', 'merge_forward', 'interactive', 'folder', 'share_chat', 'share_user', 'system'];

const REFUSALS: Record<FeishuResourceRefusal, { status: number; code: number; msg: string }> = {
	deleted: { status: 400, code: 230110, msg: 'Action unavailable as the message has been deleted.' },
	unauthorized: { status: 401, code: 234002, msg: 'Unauthorized.' },
	external: { status: 400, code: 234009, msg: 'The operation is not allowed in external chats.' },
	restricted: { status: 400, code: 234038, msg: 'The operation is restricted: the chat is in confidential (restricted) mode.' },
	invisible: { status: 400, code: 234040, msg: 'The message is invisible to the operator.' },
};

const EXTENSION_TYPES: Record<string, string> = {
	pdf: 'application/pdf',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	mp4: 'video/mp4',
	opus: 'audio/opus',
	txt: 'text/plain',
	zip: 'application/zip',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

interface FeishuApp {
	appId: string;
	appSecret: string;
	scopes?: Set<string>;
	tenantKey: string;
}

interface IssuedToken {
	token: string;
	appId: string;
	expiresAt: number;
	revoked: boolean;
}

interface KnownMessage {
	messageId: string;
	chatId: string;
	/** The thread/root of a reply chain (root_id of replies). */
	rootId?: string;
}

interface MessageFile extends FeishuMessageFileInput {
	contentType: string;
}

interface ApiError {
	status: number;
	code: number;
	msg: string;
	headers?: Record<string, string>;
	extra?: Record<string, unknown>;
}

/** Extra routes other stand-in parts plug into this listener (the long-connection endpoint). */
type ExtraRoute = { method: string; path: string; handler: Handler };

export class FeishuStandIn {
	/** Set by startStandIn once the listener is up. */
	url = '';
	/** The listener's http.Server, for 'upgrade' handlers (the long-connection gateway). */
	server: Server | undefined;

	/** Content-Disposition form of downloads (per-file `contentDisposition` wins). */
	contentDisposition: ContentDispositionForm = 'both';

	/** Accepted messages (creates and replies), in order; an idempotent repeat adds nothing. */
	readonly sent: FeishuSentMessage[] = [];
	/** Accepted uploads, in order. */
	readonly uploads: FeishuUpload[] = [];
	/** Calls per route, any outcome. */
	readonly calls: Record<FeishuRoute, number> = { token: 0, resource: 0, uploadImage: 0, uploadFile: 0, send: 0, reply: 0 };
	/** File bytes received by uploads, any outcome. */
	uploadBytesReceived = 0;

	private readonly apps = new Map<string, FeishuApp>();
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly users: FeishuUserInput[] = [];
	private readonly chats = new Map<string, Required<FeishuChatInput>>();
	private readonly messages = new Map<string, KnownMessage>();
	private readonly files = new Map<string, MessageFile>();
	private readonly faults = new Map<string, FeishuFault[]>();
	private readonly uuids = new Map<string, { at: number; body: unknown }>();
	private readonly chatCalls = new Map<string, number[]>();
	private readonly appCalls = new Map<string, number[]>();
	private readonly extraRoutes: ExtraRoute[] = [];
	private tokenLifetimeSeconds: number;
	private chatRateLimit: number;
	private appRateLimit: number;
	private tokenCounter = 0;

	/** Multipart uploads stream through busboy; the listener leaves them unread. */
	static streamsBody = (req: IncomingMessage): boolean => req.method === 'POST' && /^multipart\//i.test(req.headers['content-type'] ?? '');

	constructor(
		private readonly stats: StandInStats,
		options: FeishuOptions,
		private readonly signal: AbortSignal,
	) {
		this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 7200;
		this.chatRateLimit = options.chatRateLimitPerSecond ?? 5;
		this.appRateLimit = options.appRateLimitPerSecond ?? 50;
	}

	// ---- registration -------------------------------------------------------------------

	addApp(input: FeishuAppInput): void {
		this.apps.set(input.appId, {
			appId: input.appId,
			appSecret: input.appSecret,
			scopes: input.scopes ? new Set(input.scopes) : undefined,
			tenantKey: input.tenantKey ?? createHash('sha256').update(input.appId).digest('hex').slice(0, 16),
		});
	}

	/** Replace an app's scopes (absent = all). Takes effect at once, like a console change plus a new version. */
	setScopes(appId: string, scopes: string[] | undefined): void {
		const app = this.apps.get(appId);
		if (!app) throw new Error(`unknown Feishu app ${appId}`);
		app.scopes = scopes ? new Set(scopes) : undefined;
	}

	addUser(input: FeishuUserInput): void {
		this.users.push({ available: true, ...input });
	}

	addChat(input: FeishuChatInput): void {
		this.chats.set(input.chatId, { members: [], botIsMember: true, ...input });
	}

	/** A message that exists (something to reply to), without files. */
	addMessage(input: { messageId: string; chatId: string }): void {
		if (!this.chats.has(input.chatId)) this.addChat({ chatId: input.chatId });
		this.messages.set(input.messageId, { messageId: input.messageId, chatId: input.chatId });
	}

	addMessageFile(input: FeishuMessageFileInput): void {
		const chatId = input.chatId ?? `oc_${createHash('sha256').update(input.messageId).digest('hex').slice(0, 32)}`;
		if (!this.chats.has(chatId)) this.addChat({ chatId, botIsMember: input.botInChat ?? true });
		if (!this.messages.has(input.messageId)) this.messages.set(input.messageId, { messageId: input.messageId, chatId });
		const extension = /\.([A-Za-z0-9]+)$/.exec(input.fileName ?? '')?.[1]?.toLowerCase();
		this.files.set(`${input.messageId}\n${input.fileKey}`, {
			...input,
			chatId,
			contentType: input.contentType ?? (extension && EXTENSION_TYPES[extension]) ?? 'application/octet-stream',
		});
	}

	/** Every token issued so far answers 99991663 from now on (the SDK does not renew on its own). */
	expireTokens(): void {
		for (const token of this.tokens.values()) token.revoked = true;
	}

	setTokenLifetime(seconds: number): void {
		this.tokenLifetimeSeconds = seconds;
	}

	/** Per-chat (230020) and per-app (429) limits, per second; 0 switches one off. */
	setRateLimits(limits: { perChat?: number; perApp?: number }): void {
		if (limits.perChat !== undefined) this.chatRateLimit = limits.perChat;
		if (limits.perApp !== undefined) this.appRateLimit = limits.perApp;
	}

	/** The next `times` calls of a route get this answer before any check. */
	failNext(route: FeishuRoute, fault: FeishuFault): void {
		const queue = this.faults.get(route) ?? [];
		for (let i = 0; i < (fault.times ?? 1); i++) queue.push(fault);
		this.faults.set(route, queue);
	}

	/**
	 * Plug another handler into this listener (e.g. `POST /callback/ws/endpoint` for the long-connection
	 * gateway); checked before the built-in routes. Returns a function that unplugs it.
	 */
	route(method: string, path: string, handler: Handler): () => void {
		const route = { method: method.toUpperCase(), path, handler };
		this.extraRoutes.push(route);
		return () => {
			const index = this.extraRoutes.indexOf(route);
			if (index >= 0) this.extraRoutes.splice(index, 1);
		};
	}

	upload(key: string): FeishuUpload | undefined {
		return this.uploads.find((u) => u.key === key);
	}

	/** Which app a (still valid) token belongs to, for other parts of the stand-in. */
	appOfToken(token: string): string | undefined {
		const issued = this.tokens.get(token);
		return issued && !issued.revoked && issued.expiresAt > Date.now() ? issued.appId : undefined;
	}

	/** The app's credentials check used by the token endpoint (and the long-connection endpoint). */
	checkAppSecret(appId: string, appSecret: string): 'ok' | 'unknown' | 'wrongSecret' {
		const app = this.apps.get(appId);
		if (!app) return 'unknown';
		return app.appSecret === appSecret ? 'ok' : 'wrongSecret';
	}

	/** Forget sends, uploads, faults and counters (registrations stay). */
	resetSends(): void {
		this.sent.length = 0;
		this.uploads.length = 0;
		this.faults.clear();
		this.uuids.clear();
		this.chatCalls.clear();
		this.appCalls.clear();
		for (const key of Object.keys(this.calls) as FeishuRoute[]) this.calls[key] = 0;
		this.uploadBytesReceived = 0;
	}

	// ---- HTTP ---------------------------------------------------------------------------

	handleApi = async (ctx: RequestContext): Promise<void> => {
		const method = ctx.req.method ?? 'GET';
		const path = ctx.url.pathname;
		const extra = this.extraRoutes.find((r) => r.method === method && r.path === path);
		if (extra) return await extra.handler(ctx);

		if (method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') return this.token(ctx);
		const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
		if (method === 'GET' && resource) return await this.resource(ctx, decodeURIComponent(resource[1]), decodeURIComponent(resource[2]));
		if (method === 'POST' && path === '/open-apis/im/v1/images') return await this.uploadRoute(ctx, 'image');
		if (method === 'POST' && path === '/open-apis/im/v1/files') return await this.uploadRoute(ctx, 'file');
		if (method === 'POST' && path === '/open-apis/im/v1/messages') return this.send(ctx, 'create');
		const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
		if (method === 'POST' && reply) return this.send(ctx, 'reply', decodeURIComponent(reply[1]));
		// Unknown paths: the gateway's plain-text 404 (facts §10).
		if (ctx.req.readable) ctx.req.resume();
		sendText(ctx.res, 404, '404 page not found');
	};

	// ---- token --------------------------------------------------------------------------

	private token(ctx: RequestContext): void {
		this.calls.token++;
		this.stats.feishuTokenCalls++;
		if (this.fault(ctx, 'token')) return;
		const body = parseJson(ctx.body);
		const appId = body?.app_id;
		const appSecret = body?.app_secret;
		// Failures are HTTP 200 with a code (facts §10).
		if (typeof appId !== 'string' || typeof appSecret !== 'string' || appId === '' || appSecret === '') {
			return sendJson(ctx.res, 200, { code: 10003, msg: 'invalid param' });
		}
		const check = this.checkAppSecret(appId, appSecret);
		if (check === 'unknown') return sendJson(ctx.res, 200, { code: 10014, msg: 'app id not exists' });
		if (check === 'wrongSecret') return sendJson(ctx.res, 200, { code: 10014, msg: 'app secret invalid' });

		const now = Date.now();
		let current: IssuedToken | undefined;
		for (const token of this.tokens.values()) {
			if (token.appId === appId && !token.revoked && token.expiresAt > now && (!current || token.expiresAt > current.expiresAt)) current = token;
		}
		// ≥ 30 min left: the same token again; less: a new one, the old one stays valid (DOC tat).
		if (!current || current.expiresAt - now < TOKEN_REUSE_SECONDS * 1000) {
			current = {
				token: `t-g${(++this.tokenCounter).toString(16).padStart(4, '0')}${randomBytes(18).toString('hex')}`,
				appId,
				expiresAt: now + this.tokenLifetimeSeconds * 1000,
				revoked: false,
			};
			this.tokens.set(current.token, current);
			this.stats.feishuTokensIssued++;
		}
		sendJson(ctx.res, 200, {
			code: 0,
			msg: 'ok',
			tenant_access_token: current.token,
			expire: Math.max(0, Math.floor((current.expiresAt - now) / 1000)),
		});
	}

	/** The app behind the request's token, or the answer to give (99991661 / 99991668 / 99991663 / 99991672). */
	private authorize(ctx: RequestContext, scopes: string[]): FeishuApp | ApiError {
		const header = ctx.req.headers.authorization ?? '';
		const match = /^Bearer (\S+)$/.exec(header);
		if (!match) {
			return { status: 400, code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' };
		}
		const token = match[1];
		if (!token.startsWith('t-')) {
			return { status: 400, code: 99991668, msg: 'Invalid access token for authorization. Please make a request with token attached.' };
		}
		const issued = this.tokens.get(token);
		const app = issued ? this.apps.get(issued.appId) : undefined;
		if (!issued || !app || issued.revoked || issued.expiresAt <= Date.now()) {
			this.stats.feishuInvalidTokenAnswers++;
			return { status: 400, code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' };
		}
		if (app.scopes && !scopes.some((s) => app.scopes!.has(s))) {
			const list = `[${scopes.join(', ')}]`;
			return {
				status: 400,
				code: 99991672,
				msg:
					`Access denied. One of the following scopes is required: ${list}.` +
					`应用尚未开通所需的应用身份权限：${list}，点击链接申请并开通任一权限即可：` +
					`https://open.feishu.cn/app/${app.appId}/auth?q=${encodeURIComponent(scopes.join(','))}&op_from=openapi&token_type=tenant`,
				extra: { permission_violations: scopes.map((subject) => ({ type: 'action_privilege_required', subject })) },
			};
		}
		return app;
	}

	// ---- resource download ---------------------------------------------------------------

	private async resource(ctx: RequestContext, messageId: string, fileKey: string): Promise<void> {
		this.calls.resource++;
		this.stats.feishuResourceCalls++;
		if (this.fault(ctx, 'resource')) return;
		const app = this.authorize(ctx, SCOPES.resource);
		if (isError(app)) return this.fail(ctx, app);
		const limited = this.appLimited(app.appId, 'resource');
		if (limited) return this.fail(ctx, limited);

		const type = ctx.url.searchParams.get('type');
		if (type !== 'image' && type !== 'file') return this.fail(ctx, { status: 400, code: 234001, msg: 'Invalid request param.' });
		const message = this.messages.get(messageId);
		const file = this.files.get(`${messageId}\n${fileKey}`);
		if (!message || !file) return this.fail(ctx, { status: 400, code: 234003, msg: 'File not in msg.' });
		if (file.refuse === 'deleted') return this.fail(ctx, REFUSALS.deleted);
		const chat = this.chats.get(message.chatId);
		if (file.botInChat === false || chat?.botIsMember === false) return this.fail(ctx, { status: 400, code: 234004, msg: 'App not in chat.' });
		if (file.refuse) return this.fail(ctx, REFUSALS[file.refuse]);
		const messageType = file.messageType ?? (file.type === 'image' ? 'image' : 'file');
		if (UNDOWNLOADABLE_MESSAGE_TYPES.includes(messageType)) return this.fail(ctx, { status: 400, code: 234043, msg: 'Unsupported message type.' });
		// An image key asked for as a file (or the reverse) is not a resource of that type in the message.
		if (file.type !== type) return this.fail(ctx, { status: 400, code: 234003, msg: 'File not in msg.' });
		const size = bodySize(file.body);
		if (size > FEISHU_LIMITS.resourceBytes) return this.fail(ctx, { status: 400, code: 234037, msg: 'Downloaded file size exceeds limit.' });

		await this.serveRange(ctx, file, size);
	}

	private async serveRange(ctx: RequestContext, file: MessageFile, size: number): Promise<void> {
		const { res } = ctx;
		const headers: Record<string, string> = { 'Content-Type': file.contentType, 'Accept-Ranges': 'bytes' };
		const disposition = contentDisposition(file.fileName, file.contentDisposition ?? this.contentDisposition);
		if (disposition) headers['Content-Disposition'] = disposition;

		let start = 0;
		let end = size - 1;
		let status = 200;
		const range = ctx.req.headers.range;
		if (range !== undefined) {
			const parsed = parseRange(range, size);
			if (parsed === 'unsatisfiable') {
				setHeaders(res, { 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
				res.writeHead(416);
				res.end();
				return;
			}
			if (parsed) {
				[start, end] = parsed;
				status = 206;
				headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
			}
		}
		const length = Math.max(0, end - start + 1);
		headers['Content-Length'] = String(length);
		setHeaders(res, headers);
		res.writeHead(status);

		let skipped = 0;
		let sent = 0;
		for (const chunk of bodyChunks(file.body)) {
			if (sent >= length || res.destroyed || this.signal.aborted) break;
			let piece = chunk;
			if (skipped < start) {
				const skip = Math.min(start - skipped, piece.length);
				skipped += skip;
				piece = piece.subarray(skip);
				if (piece.length === 0) continue;
			}
			piece = piece.subarray(0, length - sent);
			sent += piece.length;
			if (!res.write(piece)) await waitDrainOrClose(res);
		}
		this.stats.feishuBytesServed += sent;
		if (!res.destroyed) res.end();
	}

	// ---- uploads ------------------------------------------------------------------------

	private async uploadRoute(ctx: RequestContext, kind: 'image' | 'file'): Promise<void> {
		const route: FeishuRoute = kind === 'image' ? 'uploadImage' : 'uploadFile';
		this.calls[route]++;
		this.stats.feishuUploadCalls++;
		const limit = kind === 'image' ? FEISHU_LIMITS.imageBytes : FEISHU_LIMITS.fileBytes;
		// Read to the end first, so a refusal never resets a request mid-body.
		const form = /^multipart\//i.test(ctx.req.headers['content-type'] ?? '') ? await parseUpload(ctx.req, limit, kind) : undefined;
		if (form?.file) this.uploadBytesReceived += form.file.size;
		if (this.fault(ctx, route)) return;
		const app = this.authorize(ctx, SCOPES.upload);
		if (isError(app)) return this.fail(ctx, app);
		const limited = this.appLimited(app.appId, route);
		if (limited) return this.fail(ctx, limited);

		const invalid = (detail: string): ApiError => ({ status: 400, code: 234001, msg: `Invalid request param. ${detail}` });
		if (!form || form.broken) return this.fail(ctx, invalid('The request body is not multipart/form-data.'));
		const file = form.file;
		if (kind === 'image') {
			const imageType = form.fields.image_type;
			if (imageType !== 'message' && imageType !== 'avatar') return this.fail(ctx, invalid('image_type must be message or avatar.'));
			if (!file) return this.fail(ctx, invalid('image is required.'));
			if (file.size === 0) return this.fail(ctx, { status: 400, code: 234010, msg: 'File size cannot be 0.' });
			if (file.truncated || file.size > limit) return this.fail(ctx, { status: 400, code: 234006, msg: 'The image size exceeds the limit (10 MB).' });
			if (!isRecognisedImage(file.head)) return this.fail(ctx, { status: 400, code: 234011, msg: "Can't recognize image format." });
		} else {
			const fileType = form.fields.file_type;
			if (!fileType || !FILE_TYPES.includes(fileType)) return this.fail(ctx, invalid(`file_type must be one of ${FILE_TYPES.join(', ')}.`));
			if (!form.fields.file_name) return this.fail(ctx, invalid('file_name is required.'));
			if (form.fields.duration !== undefined && !/^\d+$/.test(form.fields.duration)) return this.fail(ctx, invalid('duration must be an integer (ms).'));
			if (!file) return this.fail(ctx, invalid('file is required.'));
			if (file.size === 0) return this.fail(ctx, { status: 400, code: 234010, msg: 'File size cannot be 0.' });
			if (file.truncated || file.size > limit) return this.fail(ctx, { status: 400, code: 234006, msg: 'The file size exceeds the limit (30 MB).' });
		}
		const key = kind === 'image' ? `img_v3_${randomKey()}` : `file_v3_${randomKey()}`;
		this.uploads.push({
			kind,
			key,
			appId: app.appId,
			fields: form.fields,
			size: file.size,
			sha256: file.sha256,
			bytes: file.bytes,
			partFileName: file.partFileName,
			partMimeType: file.partMimeType,
		});
		sendJson(ctx.res, 200, { code: 0, msg: 'success', data: kind === 'image' ? { image_key: key } : { file_key: key } });
	}

	// ---- send / reply -------------------------------------------------------------------

	private send(ctx: RequestContext, api: 'create' | 'reply', replyTo?: string): void {
		const route: FeishuRoute = api === 'create' ? 'send' : 'reply';
		this.calls[route]++;
		this.stats.feishuSendCalls++;
		if (this.fault(ctx, route)) return;
		const app = this.authorize(ctx, SCOPES.send);
		if (isError(app)) return this.fail(ctx, app);

		const body = parseJson(ctx.body);
		const fieldError = (field: string, description: string): ApiError => ({
			status: 400,
			code: 99992402,
			msg: 'field validation failed',
			extra: { field_violations: [{ field, description }] },
		});
		if (!body) return this.fail(ctx, fieldError('body', 'the body must be a JSON object'));
		const msgType = body.msg_type;
		const contentText = body.content;
		const uuid = body.uuid;
		if (typeof msgType !== 'string' || msgType === '') return this.fail(ctx, fieldError('msg_type', 'msg_type is required'));
		if (typeof contentText !== 'string' || contentText === '') return this.fail(ctx, fieldError('content', 'content is required'));
		if (uuid !== undefined && (typeof uuid !== 'string' || uuid.length > FEISHU_LIMITS.uuidChars)) {
			return this.fail(ctx, fieldError('uuid', `the max len is ${FEISHU_LIMITS.uuidChars}`));
		}

		let chatId: string;
		let receiveId: string | undefined;
		let receiveIdType: string | undefined;
		let rootId: string | undefined;
		if (api === 'create') {
			receiveIdType = ctx.url.searchParams.get('receive_id_type') ?? '';
			if (receiveIdType === 'thread_id') return this.fail(ctx, fieldError('receive_id_type', 'thread_id is only allowed for forwarding'));
			if (!RECEIVE_ID_TYPES.includes(receiveIdType)) return this.fail(ctx, fieldError('receive_id_type', `receive_id_type is required, one of ${RECEIVE_ID_TYPES.join(', ')}`));
			if (typeof body.receive_id !== 'string' || body.receive_id === '') return this.fail(ctx, fieldError('receive_id', 'receive_id is required'));
			receiveId = body.receive_id;
			if (!fitsIdType(receiveId, receiveIdType)) return this.fail(ctx, invalidParam('invalid receive_id'));
			if (receiveIdType === 'chat_id') {
				const chat = this.chats.get(receiveId);
				if (!chat) return this.fail(ctx, { status: 400, code: 230034, msg: 'The receive_id is invalid.' });
				chatId = chat.chatId;
			} else {
				const user = this.findUser(receiveIdType, receiveId);
				if (!user) return this.fail(ctx, { status: 400, code: 230034, msg: 'The receive_id is invalid.' });
				if (user.available === false) return this.fail(ctx, { status: 400, code: 230013, msg: 'Bot has NO availability to this user.' });
				chatId = p2pChatId(app.appId, user.openId);
			}
		} else {
			const target = this.messages.get(replyTo ?? '');
			if (!target) return this.fail(ctx, { status: 400, code: 99992354, msg: `The message_id ${replyTo ?? ''} is not a valid {open_message_id}.` });
			chatId = target.chatId;
			rootId = target.rootId ?? target.messageId;
			if (body.reply_in_thread !== undefined && typeof body.reply_in_thread !== 'boolean') return this.fail(ctx, fieldError('reply_in_thread', 'must be a boolean'));
		}
		const chat = this.chats.get(chatId);
		if (chat && !chat.botIsMember) return this.fail(ctx, { status: 400, code: 230002, msg: 'Bot/User can NOT be out of the chat.' });

		// Idempotency: the same uuid within an hour is the same message (DOC create / reply).
		if (typeof uuid === 'string') {
			const seen = this.uuids.get(`${app.appId}\n${uuid}`);
			if (seen && Date.now() - seen.at < IDEMPOTENCY_MS) return sendJson(ctx.res, 200, seen.body);
		}

		if (!MSG_TYPES.includes(msgType)) return this.fail(ctx, invalidParam('invalid msg_type'));
		let content: unknown;
		try {
			content = JSON.parse(contentText);
		} catch {
			return this.fail(ctx, invalidParam('invalid message content'));
		}
		const contentBytes = Buffer.byteLength(contentText, 'utf8');
		const maxBytes = msgType === 'text' ? FEISHU_LIMITS.textContentBytes : msgType === 'post' || msgType === 'interactive' ? FEISHU_LIMITS.postContentBytes : Infinity;
		if (contentBytes > maxBytes) return this.fail(ctx, { status: 400, code: 230025, msg: 'The length of the message content reaches its limit.' });
		const shapeError = this.checkContent(app.appId, msgType, content);
		if (shapeError) return this.fail(ctx, shapeError);

		const limited = this.chatLimited(chatId) ?? this.appLimited(app.appId, route);
		if (limited) return this.fail(ctx, limited);

		const now = Date.now();
		const messageId = `om_${randomBytes(16).toString('hex')}`;
		this.messages.set(messageId, { messageId, chatId, rootId });
		this.sent.push({
			api,
			appId: app.appId,
			messageId,
			chatId,
			receiveId,
			receiveIdType,
			msgType,
			content,
			uuid: typeof uuid === 'string' ? uuid : undefined,
			replyTo,
			replyInThread: api === 'reply' ? body.reply_in_thread === true : undefined,
			createTime: now,
		});
		const answer = {
			code: 0,
			msg: 'success',
			data: {
				message_id: messageId,
				...(rootId ? { root_id: rootId, parent_id: replyTo } : {}),
				...(api === 'reply' && body.reply_in_thread === true ? { thread_id: `omt_${randomBytes(8).toString('hex')}` } : {}),
				msg_type: msgType,
				create_time: String(now),
				update_time: String(now),
				deleted: false,
				updated: false,
				chat_id: chatId,
				sender: { id: app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: app.tenantKey },
				body: { content: contentText },
				upper_message_id: '',
			},
		};
		if (typeof uuid === 'string') this.uuids.set(`${app.appId}\n${uuid}`, { at: now, body: answer });
		sendJson(ctx.res, 200, answer);
	}

	/** 230001 for a content of the wrong shape, 230017 / 230055 for keys the app may not send that way. */
	private checkContent(appId: string, msgType: string, content: unknown): ApiError | undefined {
		const bad = invalidParam('invalid message content');
		if (content === null || typeof content !== 'object' || Array.isArray(content)) return bad;
		const c = content as Record<string, unknown>;
		const ownUpload = (key: unknown, kind: 'image' | 'file'): FeishuUpload | ApiError => {
			if (typeof key !== 'string' || key === '') return bad;
			const upload = this.uploads.find((u) => u.key === key && u.kind === kind && u.appId === appId);
			return upload ?? { status: 400, code: 230017, msg: 'Bot is NOT the owner of the resource.' };
		};
		const mismatch: ApiError = { status: 400, code: 230055, msg: 'The type of file upload does not match the type of message being sent.' };
		switch (msgType) {
			case 'text':
				return typeof c.text === 'string' ? undefined : bad;
			case 'post': {
				const locales = Object.values(c);
				if (locales.length === 0) return bad;
				for (const locale of locales) {
					const body = locale as Record<string, unknown> | null;
					if (!body || typeof body !== 'object' || !Array.isArray(body.content)) return bad;
					for (const paragraph of body.content as unknown[]) {
						if (!Array.isArray(paragraph)) return bad;
						for (const element of paragraph as Array<Record<string, unknown>>) {
							if (!element || typeof element.tag !== 'string') return bad;
							if (element.tag === 'img') {
								const upload = ownUpload(element.image_key, 'image');
								if (isError(upload)) return upload;
							}
							if (element.tag === 'media') {
								const upload = ownUpload(element.file_key, 'file');
								if (isError(upload)) return upload;
							}
						}
					}
				}
				return undefined;
			}
			case 'image': {
				const upload = ownUpload(c.image_key, 'image');
				return isError(upload) ? upload : undefined;
			}
			case 'file':
			case 'audio':
			case 'media': {
				const upload = ownUpload(c.file_key, 'file');
				if (isError(upload)) return upload;
				const fileType = upload.fields.file_type;
				if (msgType === 'media' && fileType !== 'mp4') return mismatch;
				if (msgType === 'audio' && fileType !== 'opus') return mismatch;
				if (msgType === 'file' && (fileType === 'mp4' || fileType === 'opus')) return mismatch;
				if (msgType === 'media' && c.image_key !== undefined) {
					const cover = ownUpload(c.image_key, 'image');
					if (isError(cover)) return cover;
				}
				return undefined;
			}
			case 'sticker':
				return typeof c.file_key === 'string' && c.file_key !== '' ? undefined : bad;
			case 'share_chat':
				return typeof c.chat_id === 'string' ? undefined : bad;
			case 'share_user':
				return typeof c.user_id === 'string' ? undefined : bad;
			default:
				return undefined;
		}
	}

	private findUser(idType: string, id: string): FeishuUserInput | undefined {
		return this.users.find((u) =>
			idType === 'open_id' ? u.openId === id : idType === 'union_id' ? u.unionId === id : idType === 'user_id' ? u.userId === id : u.email === id,
		);
	}

	// ---- limits and faults --------------------------------------------------------------

	private chatLimited(chatId: string): ApiError | undefined {
		if (!(this.chatRateLimit > 0)) return undefined;
		if (!withinWindow(this.chatCalls, chatId, this.chatRateLimit)) return undefined;
		this.stats.feishuRateLimited++;
		return { status: 400, code: 230020, msg: 'This message triggers the frequency limit (5 messages per second per chat or user). Please try again later.' };
	}

	private appLimited(appId: string, route: string): ApiError | undefined {
		if (!(this.appRateLimit > 0)) return undefined;
		if (!withinWindow(this.appCalls, `${appId}\n${route}`, this.appRateLimit)) return undefined;
		this.stats.feishuRateLimited++;
		return {
			status: 429,
			code: 99991400,
			msg: 'request trigger frequency limit',
			headers: { 'x-ogw-ratelimit-limit': String(this.appRateLimit), 'x-ogw-ratelimit-reset': '1' },
		};
	}

	/** Answer a queued fault for the route, if one is due. */
	private fault(ctx: RequestContext, route: FeishuRoute): boolean {
		const fault = this.faults.get(route)?.shift();
		if (!fault) return false;
		this.stats.faultsInjected++;
		const { res } = ctx;
		if (fault.body === undefined) {
			setHeaders(res, { 'Content-Length': '0', ...(fault.headers ?? {}) });
			res.writeHead(fault.status);
			res.end();
		} else if (typeof fault.body === 'string') {
			sendText(res, fault.status, fault.body, fault.headers);
		} else {
			sendJson(res, fault.status, fault.body, fault.headers);
		}
		return true;
	}

	private fail(ctx: RequestContext, error: ApiError): void {
		sendJson(
			ctx.res,
			error.status,
			{
				code: error.code,
				msg: error.msg,
				error: {
					...(error.extra ?? {}),
					log_id: `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(9).toString('hex').toUpperCase()}`,
					troubleshooter: `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id=&code=${error.code}&method_id=`,
				},
			},
			error.headers,
			'application/json; charset=utf-8',
		);
	}
}

function isError(value: unknown): value is ApiError {
	return typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
}

function invalidParam(ext: string): ApiError {
	return { status: 400, code: 230001, msg: `Your request contains an invalid request parameter, ext=${ext}.` };
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(body.toString('utf8'));
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function fitsIdType(id: string, idType: string): boolean {
	switch (idType) {
		case 'open_id':
			return id.startsWith('ou_');
		case 'union_id':
			return id.startsWith('on_');
		case 'chat_id':
			return id.startsWith('oc_');
		case 'email':
			return /^[^@\s]+@[^@\s]+$/.test(id);
		default:
			return !/^(ou|on|oc)_/.test(id) && !id.includes('@');
	}
}

function p2pChatId(appId: string, openId: string): string {
	return `oc_${createHash('sha256').update(`${appId}\n${openId}`).digest('hex').slice(0, 32)}`;
}

function randomKey(): string {
	const hex = randomBytes(16).toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}g`;
}

/** Sliding 1 s window: true (limited) when `limit` calls already happened in the last second; else counts this one. */
function withinWindow(calls: Map<string, number[]>, key: string, limit: number): boolean {
	const now = Date.now();
	const recent = (calls.get(key) ?? []).filter((t) => now - t < 1000);
	if (recent.length >= limit) {
		calls.set(key, recent);
		return true;
	}
	recent.push(now);
	calls.set(key, recent);
	return false;
}

/** Content-Disposition in the chosen form; raw UTF-8 bytes go out as latin1 code units (Node writes headers as latin1). */
export function contentDisposition(fileName: string | undefined, form: ContentDispositionForm): string | undefined {
	if (!fileName || form === 'none') return undefined;
	const raw = `filename="${Buffer.from(fileName.replace(/["\\]/g, '_'), 'utf8').toString('latin1')}"`;
	const encoded = `filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
	if (form === 'raw') return `attachment; ${raw}`;
	if (form === 'rfc5987') return `attachment; ${encoded}`;
	return `attachment; ${raw}; ${encoded}`;
}

/** [start, end] of a single `bytes=` range; undefined = ignore the header (serve all); 'unsatisfiable' → 416. */
function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match || (match[1] === '' && match[2] === '')) return undefined;
	if (match[1] === '') {
		const suffix = Number(match[2]);
		if (suffix === 0) return 'unsatisfiable';
		return [Math.max(0, size - suffix), size - 1];
	}
	const start = Number(match[1]);
	const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
	if (start >= size || end < start) return 'unsatisfiable';
	return [start, end];
}

/** The formats the image upload takes, by magic bytes (JPG PNG WEBP GIF BMP ICO TIFF HEIC). */
function isRecognisedImage(head: Buffer): boolean {
	const ascii = head.toString('latin1');
	return (
		(head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) ||
		ascii.startsWith('\x89PNG\r\n\x1a\n') ||
		ascii.startsWith('GIF87a') ||
		ascii.startsWith('GIF89a') ||
		(ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') ||
		ascii.startsWith('BM') ||
		ascii.startsWith('\x00\x00\x01\x00') ||
		ascii.startsWith('II*\x00') ||
		ascii.startsWith('MM\x00*') ||
		(ascii.slice(4, 8) === 'ftyp' && /^(heic|heix|mif1|msf1|heif)$/.test(ascii.slice(8, 12)))
	);
}

interface ParsedUpload {
	fields: Record<string, string>;
	file?: { size: number; sha256: string; bytes?: Buffer; head: Buffer; partFileName: string; partMimeType: string; truncated: boolean };
	broken?: string;
}

/** Reads a multipart upload as it streams: fields whole, the file part (named image / file, filename optional) hashed and counted. */
async function parseUpload(req: IncomingMessage, limit: number, kind: 'image' | 'file'): Promise<ParsedUpload> {
	return await new Promise((resolve) => {
		const result: ParsedUpload = { fields: {} };
		let parser: busboy.Busboy;
		try {
			// One byte over the limit marks the part truncated: exactly the limit is allowed.
			// latin1 keeps field bytes intact: a file part sent with neither filename nor octet-stream type
			// arrives as a field (busboy's rule); text fields are decoded back to UTF-8 below.
			parser = busboy({ headers: req.headers, defCharset: 'latin1', limits: { fileSize: limit + 1, fieldSize: limit + 1, files: 1, fields: 20 } });
		} catch (error) {
			req.resume();
			req.once('end', () => resolve({ fields: {}, broken: (error as Error).message }));
			return;
		}
		let pendingFile: Promise<void> = Promise.resolve();
		parser.on('field', (name, value, info) => {
			const bytes = Buffer.from(value, 'latin1');
			if (name !== kind) {
				result.fields[name] = bytes.toString('utf8');
				return;
			}
			result.file = {
				size: bytes.length,
				sha256: createHash('sha256').update(bytes).digest('hex'),
				bytes,
				head: bytes.subarray(0, 32),
				partFileName: '',
				partMimeType: info.mimeType,
				truncated: info.valueTruncated,
			};
		});
		parser.on('file', (name, stream, info) => {
			if (name !== kind) {
				stream.resume();
				return;
			}
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
					const bytes = size <= KEEP_UPLOAD_BYTES ? Buffer.concat(kept) : undefined;
					result.file = {
						size,
						sha256: hash.digest('hex'),
						bytes,
						head: (bytes ?? Buffer.concat(kept.slice(0, 1))).subarray(0, 32),
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
