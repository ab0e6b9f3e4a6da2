// Green-API (WhatsApp, MAX and Telegram instances: downloadFile, getStateInstance,
// the notification queue receiveNotification / deleteNotification, getSettings /
// setSettings, webhook deliveries) and its media host. WhatsApp and Telegram instances
// live at /waInstance{id}/…, MAX ones at /v3/waInstance{id}/…; the other prefix is a
// 404 for them, as on the real API.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FileBody } from './bytes';
import { GREEN_QUOTA_EXCEEDED_BODY, pickApiFault, sendApiFault, type Fault } from './faults';
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
		if (this.rateLimited(idInstance)) {
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

	private rateLimited(idInstance: string): boolean {
		const limit = this.options.rateLimitPerSecond;
		if (limit === undefined) return false;
		const now = Date.now();
		const recent = (this.recentCalls.get(idInstance) ?? []).filter((t) => t > now - 1000);
		this.recentCalls.set(idInstance, recent);
		if (recent.length >= limit) return true;
		recent.push(now);
		return false;
	}

	// ---------------------------------------------------------------- media host

	handleMedia = async (ctx: RequestContext): Promise<void> => {
		const { req, url } = ctx;
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
