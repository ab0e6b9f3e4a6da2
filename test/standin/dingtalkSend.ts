// DingTalk's sending side: the legacy media upload (oapi host) and the robot's
// one-to-one and group send calls. Rules and error codes as DingTalk documents them
// (see README.md, "DingTalk sending"); every upload and every send is recorded.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import busboy from 'busboy';
import type { RequestContext } from './listener';
import { isJsonContentType, parseJsonObject, sendJson } from './listener';

export type DingTalkUploadType = 'image' | 'voice' | 'video' | 'file';

/**
 * DingTalk's "upload media files" page: formats and limits per type. One addition: `file`
 * takes MP4 too, as DingTalk's connector uploads videos so (DingTalk-Real-AI/dingtalk-openclaw-connector
 * src/services/media.ts, commit 6a93182) and DingTalk takes it.
 */
export const DINGTALK_UPLOAD_RULES: Record<DingTalkUploadType, { extensions: string[]; maxBytes: number }> = {
	image: { extensions: ['jpg', 'jpeg', 'png', 'gif', 'bmp'], maxBytes: 20 * 1024 * 1024 },
	voice: { extensions: ['amr', 'mp3', 'wav'], maxBytes: 2 * 1024 * 1024 },
	video: { extensions: ['mp4'], maxBytes: 20 * 1024 * 1024 },
	file: { extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar', 'mp4'], maxBytes: 20 * 1024 * 1024 },
};

/** Template keys and the parameters each needs (DingTalk's "message types of enterprise robots"). */
const MESSAGE_PARAMS: Record<string, string[]> = {
	sampleText: ['content'],
	sampleMarkdown: ['title', 'text'],
	sampleImageMsg: ['photoURL'],
	sampleLink: ['text', 'title', 'picUrl', 'messageUrl'],
	sampleActionCard: ['title', 'text'],
	sampleFile: ['mediaId', 'fileName', 'fileType'],
	sampleAudio: ['mediaId', 'duration'],
	// The cover picMediaId too: DingTalk's own connector (DingTalk-Real-AI/dingtalk-openclaw-connector) always sends
	// one, and connectors that sent none fell back to sampleFile; the stand-in holds DingTalk to it (docs/sending.md).
	sampleVideo: ['duration', 'videoMediaId', 'videoType', 'picMediaId'],
};

/** Parameters that must be whole numbers as text (durations in milliseconds). */
const NUMERIC_PARAMS: Record<string, string[]> = { sampleAudio: ['duration'], sampleVideo: ['duration'] };

/** Which upload types a parameter may name (the cover is a picture; a video may be uploaded as `file`, as DingTalk's connector does). */
const MEDIA_TYPES: Record<string, DingTalkUploadType[]> = { picMediaId: ['image'], videoMediaId: ['video', 'file'] };

/** Parameters that name an uploaded media_id. */
const MEDIA_PARAMS = ['mediaId', 'videoMediaId', 'picMediaId', 'photoURL'];

/** Keep the bytes of uploads up to this size for byte-for-byte comparisons. */
const KEEP_BYTES = 32 * 1024 * 1024;

export interface DingTalkUpload {
	mediaId: string;
	type: DingTalkUploadType;
	fileName: string;
	contentType: string;
	size: number;
	sha256: string;
	bytes?: Buffer;
	/** Key of the app (or suite) whose token made the upload. */
	appKey: string;
}

export interface DingTalkSentMessage {
	api: 'oToMessages/batchSend' | 'groupMessages/send';
	robotCode: string;
	userIds?: string[];
	openConversationId?: string;
	/** The group's cool app, when the call named one. */
	coolAppCode?: string;
	msgKey: string;
	msgParam: Record<string, unknown>;
	processQueryKey: string;
	/** The uploads the message names (by media_id). */
	media: DingTalkUpload[];
	/** Users who got it (one-to-one). */
	delivered?: string[];
}

/** What the sending side needs to know of a token (the API host checks it). */
export interface SendToken {
	appKey: string;
	robotPermission: boolean;
	expired: boolean;
	/** Minted by the legacy host's own token APIs. */
	legacy: boolean;
	/** The app's legacy host takes only legacy tokens (40014 for a v1.0 one). */
	legacyTokenOnly: boolean;
}

export interface SendFaultInput {
	/** HTTP status and body of the answer instead of the normal one. */
	status: number;
	body: unknown;
	times?: number;
}

export class DingTalkSendStandIn {
	readonly uploads: DingTalkUpload[] = [];
	readonly sent: DingTalkSentMessage[] = [];
	/** Every call, answered or refused: uploads and sends. */
	uploadCalls = 0;
	sendCalls = 0;

	/** Staff IDs DingTalk lists back as invalid (not in the organisation). */
	readonly invalidStaffIds = new Set<string>();
	/** Staff IDs DingTalk lists back as throttled. */
	readonly flowControlledStaffIds = new Set<string>();
	/** Groups: openConversationId → robot codes in it, and the cool app their robot came with (群酷应用). */
	private readonly groups = new Map<string, { robots: Set<string>; coolAppCode?: string }>();
	/** Robot codes of other apps' robots (robotCode → app key); an app's own key is its robot. */
	private readonly robots = new Map<string, string>();
	private uploadFault?: { errcode: number; errmsg: string; times: number };
	private sendFault?: { status: number; body: unknown; times: number };

	constructor(private readonly tokenOf: (token: string | undefined) => SendToken | undefined) {}

	/** A group with these robots; with coolAppCode, its robot came with that group cool app and sends need the code. */
	addGroup(openConversationId: string, robotCodes: string[], coolAppCode?: string): void {
		this.groups.set(openConversationId, { robots: new Set(robotCodes), coolAppCode });
	}

	addRobot(robotCode: string, appKey: string): void {
		this.robots.set(robotCode, appKey);
	}

	/** The next `times` uploads answer this errcode (in an HTTP 200, like DingTalk). */
	failUploads(errcode: number, errmsg: string, times = 1): void {
		this.uploadFault = { errcode, errmsg, times };
	}

	/** The next `times` send calls answer this status and body. */
	failSends(fault: SendFaultInput): void {
		this.sendFault = { status: fault.status, body: fault.body, times: fault.times ?? 1 };
	}

	upload(id: string): DingTalkUpload | undefined {
		return this.uploads.find((upload) => upload.mediaId === id);
	}

	/** A summary without bytes, for the out-of-process control route. */
	summary(): unknown {
		return {
			uploadCalls: this.uploadCalls,
			sendCalls: this.sendCalls,
			uploads: this.uploads.map(({ bytes: _bytes, ...rest }) => rest),
			sent: this.sent.map((message) => ({ ...message, media: message.media.map(({ bytes: _bytes, ...rest }) => rest) })),
		};
	}

	// ------------------------------------------------------------ legacy host: POST /media/upload

	handleUpload = async (ctx: RequestContext): Promise<void> => {
		this.uploadCalls++;
		const { req, res, url } = ctx;
		const legacyError = (errcode: number, errmsg: string) => {
			// Drain what is left of the body so the client sees the answer, not a reset.
			req.resume();
			sendJson(res, 200, { errcode, errmsg }, {}, 'application/json;charset=UTF-8');
		};
		const tokenText = url.searchParams.get('access_token');
		if (!tokenText) return legacyError(41001, '缺少access_token参数');
		const token = this.tokenOf(tokenText);
		if (!token) return legacyError(40014, '不合法的access_token');
		if (token.expired) return legacyError(42001, 'access_token超时');
		if (token.legacyTokenOnly && !token.legacy) return legacyError(40014, '不合法的access_token');
		if (this.uploadFault && this.uploadFault.times > 0) {
			this.uploadFault.times--;
			return legacyError(this.uploadFault.errcode, this.uploadFault.errmsg);
		}
		if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return legacyError(40035, '不合法的参数');
		// `type` comes in the query (DingTalk's page, most clients) or as a form field (DingTalk's Java SDK, OapiMediaUploadRequest).
		const queryType = url.searchParams.get('type');
		if (queryType !== null && !(queryType in DINGTALK_UPLOAD_RULES)) return legacyError(40004, '不合法的媒体文件类型');
		const largest = Math.max(...Object.values(DINGTALK_UPLOAD_RULES).map((rule) => rule.maxBytes));
		const parsed = await new Promise<{ fileName: string; contentType: string; size: number; sha256: string; bytes?: Buffer; formType?: string } | { error: [number, string] }>(
			(resolve) => {
				let result: { fileName: string; contentType: string; size: number; sha256: string; bytes?: Buffer } | undefined;
				let formType: string | undefined;
				// One byte past the largest limit, so the file's size is known exactly up to there; the type's own limit is checked after.
				const parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: largest + 1 } });
				parser.on('field', (name, value) => {
					if (name === 'type') formType = value;
				});
				parser.on('file', (name, stream, info) => {
					if (name !== 'media') return void stream.resume();
					const hash = createHash('sha256');
					const parts: Buffer[] = [];
					let size = 0;
					stream.on('data', (chunk: Buffer) => {
						size += chunk.length;
						hash.update(chunk);
						if (size <= KEEP_BYTES) parts.push(chunk);
					});
					stream.on('end', () => {
						result = {
							fileName: info.filename ?? '',
							contentType: info.mimeType,
							size,
							sha256: hash.digest('hex'),
							bytes: size <= KEEP_BYTES ? Buffer.concat(parts) : undefined,
						};
					});
				});
				parser.on('error', () => resolve({ error: [40035, '不合法的参数'] }));
				parser.on('close', () => {
					if (!result) return resolve({ error: [40035, '不合法的参数'] });
					resolve({ ...result, formType });
				});
				req.pipe(parser);
			},
		);
		if ('error' in parsed) return legacyError(...parsed.error);
		const type = (queryType ?? parsed.formType) as DingTalkUploadType | undefined;
		if (!type || !(type in DINGTALK_UPLOAD_RULES)) return legacyError(40004, '不合法的媒体文件类型');
		const rule = DINGTALK_UPLOAD_RULES[type];
		if (parsed.size > rule.maxBytes) return legacyError(40006, '不合法的文件大小');
		const extension = /\.([^./\\]+)$/.exec(parsed.fileName)?.[1]?.toLowerCase() ?? '';
		if (!rule.extensions.includes(extension)) return legacyError(40005, '不合法的文件类型');
		if (parsed.size === 0) return legacyError(40006, '不合法的文件大小');
		const { formType: _formType, ...file } = parsed;
		const upload: DingTalkUpload = { mediaId: `@lA${randomBytes(18).toString('base64url')}`, type, ...file, appKey: token.appKey };
		this.uploads.push(upload);
		sendJson(res, 200, { errcode: 0, errmsg: 'ok', type, media_id: upload.mediaId, created_at: Date.now() }, {}, 'application/json;charset=UTF-8');
	};

	// ------------------------------------------------------------ v1.0 host: robot send calls

	handleSend = (ctx: RequestContext, api: DingTalkSentMessage['api']): void => {
		this.sendCalls++;
		const error = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => {
			const requestid = randomUUID().toUpperCase();
			sendJson(ctx.res, status, { code, requestid, message, ...extra }, { 'x-acs-request-id': requestid }, 'application/json;charset=utf-8');
		};
		if (this.sendFault && this.sendFault.times > 0) {
			this.sendFault.times--;
			return sendJson(ctx.res, this.sendFault.status, this.sendFault.body);
		}
		const header = ctx.req.headers['x-acs-dingtalk-access-token'];
		const token = this.tokenOf(typeof header === 'string' ? header : undefined);
		if (!token || token.expired) return error(400, 'InvalidAuthentication', '不合法的access_token');
		if (!token.robotPermission) {
			return error(
				403,
				'Forbidden.AccessDenied.AccessTokenPermissionDenied',
				'没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission',
				{ accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] } },
			);
		}
		const body = isJsonContentType(ctx.req) ? parseJsonObject(ctx.body) : undefined;
		if (!body) return error(400, 'Missingbody', 'body is mandatory for this action.');
		const robotCode = typeof body.robotCode === 'string' ? body.robotCode : '';
		if (!robotCode) return error(400, 'invalidParameter.robotCode.empty', 'The bot robotCode is empty.');
		const owner = this.robots.get(robotCode) ?? robotCode;
		if (owner !== token.appKey) {
			return error(400, 'invalidParameter.robotCode.auth', "This app's appkey does not match the bot's robotCode. Use the appkey of the bot's app.");
		}

		let userIds: string[] | undefined;
		let openConversationId: string | undefined;
		if (api === 'oToMessages/batchSend') {
			userIds = Array.isArray(body.userIds) ? body.userIds.filter((id): id is string => typeof id === 'string') : [];
			if (userIds.length === 0) return error(400, 'invalidParameter.userIds.empty', 'The user userId list is empty.');
			if (userIds.length > 20) return error(400, 'invalidParameter.userIds.overMax', 'The user userId list exceeds the maximum limit.');
		} else {
			openConversationId = typeof body.openConversationId === 'string' ? body.openConversationId : '';
			const group = this.groups.get(openConversationId);
			if (!group) return error(400, 'invalid.openConversationId', '无效的openConversationId');
			if (!group.robots.has(robotCode)) return error(400, 'invalidParameter.robotCode.notExsit', '机器人不存在');
			// The codes and texts of DingTalk's robot send pages (help.dingtalk.io, "the robot sends …" error tables).
			const coolAppCode = typeof body.coolAppCode === 'string' && body.coolAppCode !== '' ? body.coolAppCode : undefined;
			if (group.coolAppCode && !coolAppCode) return error(400, 'invalidParameter.robotCode.auth', 'Only a coolapp identity can use this bot.');
			if (coolAppCode && coolAppCode !== group.coolAppCode) {
				return error(
					400,
					'invalidParameter.robotCode.coolApp',
					group.coolAppCode ? 'The coolapp code is invalid.' : 'The coolapp code does not match the bot. Use the bot bound to this coolapp to send the message.',
				);
			}
		}

		const msgKey = typeof body.msgKey === 'string' ? body.msgKey : '';
		if (!msgKey) return error(400, 'invalidParameter.msgKey.empty', 'The msgKey is missing.');
		const required = MESSAGE_PARAMS[msgKey];
		if (!required) return error(400, 'invalidParameter.msgKey.invalid', 'The msgKey is invalid.');
		// msgParam is JSON text, not an object; at most 15,000 bytes.
		if (typeof body.msgParam !== 'string' || Buffer.byteLength(body.msgParam) > 15_000) {
			return error(400, 'invalidParameter.msgParam.invalid', 'The msgParam must be in JSON format.');
		}
		const msgParam = parseJsonObject(Buffer.from(body.msgParam));
		if (!msgParam) return error(400, 'invalidParameter.msgParam.invalid', 'The msgParam must be in JSON format.');
		if (required.some((name) => typeof msgParam[name] !== 'string' || msgParam[name] === '')) {
			return error(400, 'invalidParameter.param.invalid', 'The parameter is invalid.');
		}
		if ((NUMERIC_PARAMS[msgKey] ?? []).some((name) => !/^\d+$/.test(msgParam[name] as string))) {
			return error(400, 'invalidParameter.param.invalid', 'The parameter is invalid.');
		}
		const media: DingTalkUpload[] = [];
		for (const name of MEDIA_PARAMS) {
			const value = msgParam[name];
			if (typeof value !== 'string' || (name === 'photoURL' && /^https?:/i.test(value))) continue;
			const upload = this.upload(value);
			if (!upload || (MEDIA_TYPES[name] && !MEDIA_TYPES[name].includes(upload.type))) return error(400, 'invalidParameter.param.invalid', 'The parameter is invalid.');
			media.push(upload);
		}

		const processQueryKey = randomBytes(24).toString('base64');
		if (api === 'oToMessages/batchSend') {
			const invalid = (userIds ?? []).filter((id) => this.invalidStaffIds.has(id));
			const throttled = (userIds ?? []).filter((id) => !this.invalidStaffIds.has(id) && this.flowControlledStaffIds.has(id));
			const delivered = (userIds ?? []).filter((id) => !invalid.includes(id) && !throttled.includes(id));
			this.sent.push({ api, robotCode, userIds, msgKey, msgParam, processQueryKey, media, delivered });
			return sendJson(ctx.res, 200, { processQueryKey, invalidStaffIdList: invalid, flowControlledStaffIdList: throttled }, {}, 'application/json;charset=utf-8');
		}
		const coolAppCode = typeof body.coolAppCode === 'string' && body.coolAppCode !== '' ? body.coolAppCode : undefined;
		this.sent.push({ api, robotCode, openConversationId, ...(coolAppCode ? { coolAppCode } : {}), msgKey, msgParam, processQueryKey, media });
		sendJson(ctx.res, 200, { processQueryKey }, {}, 'application/json;charset=utf-8');
	};
}
