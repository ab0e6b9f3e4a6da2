// DingTalk's v1.0 API (tokens, robot messageFiles/download) and its file host,
// an Aliyun-OSS-like server of presigned links. Error codes and messages are
// DingTalk's own (see README.md for sources and the few approximations).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FileBody } from './bytes';
import { pickApiFault, sendApiFault, type Fault } from './faults';
import { REDIRECT_PREFIX, serveHostedFile, serveRedirectHop, type FileServeEnv, type HostedFile } from './files';
import { isJsonContentType, parseJsonObject, sendJson, sendText, type RequestContext } from './listener';
import type { StandInStats } from './stats';
import type { DingTalkStreamGateway } from './dingtalkStream';
import { DingTalkSendStandIn } from './dingtalkSend';

export const DEFAULT_CORP_ID = 'dingstandin0000000000000000000000';

export interface DingTalkAppInput {
	appKey: string;
	appSecret: string;
	/** Organisation of the app. Default DEFAULT_CORP_ID. */
	corpId?: string;
	/** 'thirdPartyPersonal' tokens get "This API can only be called by an internal app…". Default 'internal'. */
	appType?: 'internal' | 'thirdPartyPersonal';
	/** false: download calls get 403 AccessTokenPermissionDenied. Default true. */
	robotPermission?: boolean;
	/**
	 * true: the legacy host's media upload refuses this app's v1.0 tokens (errcode 40014) and
	 * takes only tokens from its own GET /gettoken, as a tenant may. Default false.
	 */
	legacyTokenOnly?: boolean;
}

export interface DingTalkSuiteInput {
	suiteKey: string;
	suiteSecret: string;
	/** A corp that authorised the suite. Call addSuite again to authorise more corps. */
	authCorpId: string;
	suiteTicket: string;
	robotPermission?: boolean;
	/** As for apps: the upload takes only corp tokens from POST /service/get_corp_token. */
	legacyTokenOnly?: boolean;
}

export interface DingTalkFileInput {
	downloadCode: string;
	robotCode: string;
	/** Organisation of the bot that received the file. Default DEFAULT_CORP_ID. */
	corpId?: string;
	body: FileBody;
	/** OSS answers application/octet-stream like the real one; override only if a test needs it. */
	contentType?: string;
	fault?: Fault;
}

export interface DingTalkOptions {
	tokenLifetimeSeconds: number;
	linkLifetimeSeconds: number;
}

interface IssuedToken {
	token: string;
	kind: 'app' | 'suite';
	key: string;
	corpId: string;
	appType: 'internal' | 'thirdPartyEnterprise' | 'thirdPartyPersonal';
	/** Permission as granted when the token was minted: DingTalk wants a new token after a grant. */
	robotPermission: boolean;
	/** Minted by the legacy host (GET /gettoken, POST /service/get_corp_token), not by /v1.0/oauth2. */
	legacy?: boolean;
	expiresAt: number;
	revoked: boolean;
}

interface DingTalkFile {
	input: DingTalkFileInput;
	hosted: HostedFile;
	apiCalls: number;
	expired: boolean;
}

interface OssObject {
	file: DingTalkFile;
	revoked: boolean;
}

const OSS_BUCKET = 'dingtalk-im-robot';
const OSS_ACCESS_KEY_ID = 'LTAI5tStandInRobotFiles';

export class DingTalkStandIn {
	/** Set by startStandIn once the listeners are up. */
	apiUrl = '';
	ossUrl = '';
	/** Set by startStreamGateway (dingtalkStream.ts): serves /v1.0/gateway/connections/open. */
	streamGateway?: DingTalkStreamGateway;

	private readonly apps = new Map<string, Required<DingTalkAppInput>>();
	private readonly suites = new Map<
		string,
		{ suiteSecret: string; suiteTicket: string; corps: Set<string>; robotPermission: boolean; legacyTokenOnly: boolean }
	>();
	/** Calls of the legacy host's token APIs: GET /gettoken and POST /service/get_corp_token. */
	legacyTokenCalls = 0;
	legacyCorpTokenCalls = 0;
	private readonly files = new Map<string, DingTalkFile>();
	private readonly filesById = new Map<string, DingTalkFile>();
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly ossObjects = new Map<string, OssObject>();
	private readonly ossSecret = randomBytes(24).toString('base64');

	/** The sending side: media upload and robot messages (dingtalkSend.ts). */
	readonly send = new DingTalkSendStandIn((token) => {
		const issued = token ? this.tokens.get(token) : undefined;
		if (!issued) return undefined;
		const legacyTokenOnly = issued.kind === 'app' ? this.apps.get(issued.key)?.legacyTokenOnly : this.suites.get(issued.key)?.legacyTokenOnly;
		return {
			appKey: issued.key,
			robotPermission: issued.robotPermission,
			expired: issued.revoked || issued.expiresAt <= Date.now(),
			legacy: issued.legacy === true,
			legacyTokenOnly: legacyTokenOnly === true,
		};
	});

	constructor(
		private readonly stats: StandInStats,
		private readonly options: DingTalkOptions,
		private readonly signal: AbortSignal,
	) {}

	addApp(input: DingTalkAppInput): void {
		this.apps.set(input.appKey, {
			corpId: DEFAULT_CORP_ID,
			appType: 'internal',
			robotPermission: true,
			legacyTokenOnly: false,
			...input,
		});
	}

	addSuite(input: DingTalkSuiteInput): void {
		const suite = this.suites.get(input.suiteKey);
		if (suite) {
			suite.suiteSecret = input.suiteSecret;
			suite.suiteTicket = input.suiteTicket;
			suite.corps.add(input.authCorpId);
			if (input.robotPermission !== undefined) suite.robotPermission = input.robotPermission;
			if (input.legacyTokenOnly !== undefined) suite.legacyTokenOnly = input.legacyTokenOnly;
			return;
		}
		this.suites.set(input.suiteKey, {
			suiteSecret: input.suiteSecret,
			suiteTicket: input.suiteTicket,
			corps: new Set([input.authCorpId]),
			robotPermission: input.robotPermission ?? true,
			legacyTokenOnly: input.legacyTokenOnly ?? false,
		});
	}

	addFile(input: DingTalkFileInput): void {
		const file: DingTalkFile = {
			input,
			hosted: {
				id: `dt-${randomUUID()}`,
				body: input.body,
				contentType: input.contentType ?? 'application/octet-stream',
				fault: input.fault,
				fileGets: 0,
			},
			apiCalls: 0,
			expired: false,
		};
		this.files.set(input.downloadCode, file);
		this.filesById.set(file.hosted.id, file);
	}

	/** Whether this key and secret belong to a registered app (the Stream gateway checks them). */
	hasApp(appKey: string, appSecret: string): boolean {
		return this.apps.get(appKey)?.appSecret === appSecret;
	}

	/** Grant or withdraw qyapi_robot_sendmsg; applies to tokens minted afterwards. */
	setRobotPermission(appOrSuiteKey: string, granted: boolean): void {
		const app = this.apps.get(appOrSuiteKey);
		if (app) app.robotPermission = granted;
		const suite = this.suites.get(appOrSuiteKey);
		if (suite) suite.robotPermission = granted;
	}

	/** Invalidate every token issued so far (the API then answers InvalidAuthentication). */
	expireTokens(): void {
		for (const token of this.tokens.values()) token.revoked = true;
	}

	/** Make every OSS link issued so far answer 403 "Request has expired.". */
	expireLinks(): void {
		for (const object of this.ossObjects.values()) object.revoked = true;
	}

	/** The download code then gets "The download code is incorrect or has expired.". */
	expireDownloadCode(downloadCode: string): void {
		const file = this.files.get(downloadCode);
		if (file) file.expired = true;
	}

	// ---------------------------------------------------------------- API host

	handleApi = async (ctx: RequestContext): Promise<void> => {
		const { req, url } = ctx;
		if (req.method === 'POST' && url.pathname === '/v1.0/oauth2/accessToken') return this.accessToken(ctx);
		if (req.method === 'POST' && url.pathname === '/v1.0/oauth2/corpAccessToken') return this.corpAccessToken(ctx);
		if (req.method === 'POST' && url.pathname === '/v1.0/robot/messageFiles/download') return this.download(ctx);
		if (req.method === 'POST' && url.pathname === '/v1.0/gateway/connections/open' && this.streamGateway) return this.streamGateway.handleOpen(ctx);
		if (req.method === 'POST' && url.pathname === '/v1.0/robot/oToMessages/batchSend') return this.send.handleSend(ctx, 'oToMessages/batchSend');
		if (req.method === 'POST' && url.pathname === '/v1.0/robot/groupMessages/send') return this.send.handleSend(ctx, 'groupMessages/send');
		// The legacy (oapi) host's upload and tokens: a stand-in Base URL serves both hosts, like a proxy.
		if (req.method === 'POST' && url.pathname === '/media/upload') return this.send.handleUpload(ctx);
		if (req.method === 'GET' && url.pathname === '/gettoken') return this.legacyToken(ctx);
		if (req.method === 'POST' && url.pathname === '/service/get_corp_token') return this.legacyCorpToken(ctx);
		this.error(ctx, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
	};

	private accessToken(ctx: RequestContext): void {
		this.stats.dingTalkTokenCalls++;
		const body = this.jsonBody(ctx);
		if (!body) return;
		const appKey = body['appKey'];
		const appSecret = body['appSecret'];
		if (typeof appKey !== 'string' || appKey === '') return this.missing(ctx, 'appKey');
		if (typeof appSecret !== 'string' || appSecret === '') return this.missing(ctx, 'appSecret');
		const app = this.apps.get(appKey);
		if (!app || app.appSecret !== appSecret) {
			return this.error(ctx, 400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
		}
		// Documented: within its lifetime the same token comes back, and its lifetime is renewed.
		const now = Date.now();
		let token = [...this.tokens.values()].find(
			(t) => t.kind === 'app' && t.key === appKey && !t.revoked && t.expiresAt > now,
		);
		if (token) token.expiresAt = now + this.options.tokenLifetimeSeconds * 1000;
		else
			token = this.mint({
				kind: 'app',
				key: appKey,
				corpId: app.corpId,
				appType: app.appType,
				robotPermission: app.robotPermission,
			});
		this.ok(ctx, { accessToken: token.token, expireIn: this.options.tokenLifetimeSeconds });
	}

	private corpAccessToken(ctx: RequestContext): void {
		this.stats.dingTalkCorpTokenCalls++;
		const body = this.jsonBody(ctx);
		if (!body) return;
		const { suiteKey, suiteSecret, authCorpId, suiteTicket } = body;
		const suite = typeof suiteKey === 'string' ? this.suites.get(suiteKey) : undefined;
		if (!suite || suite.suiteSecret !== suiteSecret) {
			return this.error(ctx, 400, 'invalidSuiteKey', 'suitekey不合法');
		}
		if (suite.suiteTicket !== suiteTicket) return this.error(ctx, 400, 'invalidSuiteTicket', 'suiteTicket无效');
		if (typeof authCorpId !== 'string' || !suite.corps.has(authCorpId)) {
			return this.error(ctx, 400, 'invalidAuthInfo', '授权关系不存在');
		}
		// Documented: a third-party corp token is new on every call.
		const token = this.mint({
			kind: 'suite',
			key: suiteKey as string,
			corpId: authCorpId,
			appType: 'thirdPartyEnterprise',
			robotPermission: suite.robotPermission,
		});
		this.ok(ctx, { accessToken: token.token, expireIn: this.options.tokenLifetimeSeconds });
	}

	/** The legacy host's answers: HTTP 200 with errcode, as DingTalk's oapi answers. */
	private legacyAnswer(ctx: RequestContext, body: Record<string, unknown>): void {
		sendJson(ctx.res, 200, body, {}, 'application/json;charset=UTF-8');
	}

	/** GET /gettoken?appkey&appsecret (internal apps' legacy token): {errcode, access_token, expires_in}. */
	private legacyToken(ctx: RequestContext): void {
		this.legacyTokenCalls++;
		const appKey = ctx.url.searchParams.get('appkey') ?? '';
		const appSecret = ctx.url.searchParams.get('appsecret') ?? '';
		const app = this.apps.get(appKey);
		if (!app || app.appSecret !== appSecret) return this.legacyAnswer(ctx, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
		const token = this.mint({ kind: 'app', key: appKey, corpId: app.corpId, appType: app.appType, robotPermission: app.robotPermission, legacy: true });
		this.legacyAnswer(ctx, { errcode: 0, errmsg: 'ok', access_token: token.token, expires_in: this.options.tokenLifetimeSeconds });
	}

	/**
	 * POST /service/get_corp_token?accessKey&timestamp&suiteTicket&signature, body {auth_corpid}:
	 * a third-party app's corp token for the legacy host. The signature is
	 * Base64(HmacSHA256(suiteSecret, timestamp + "\n" + suiteTicket)).
	 */
	private legacyCorpToken(ctx: RequestContext): void {
		this.legacyCorpTokenCalls++;
		const query = ctx.url.searchParams;
		const suiteKey = query.get('accessKey') ?? '';
		const timestamp = query.get('timestamp') ?? '';
		const suiteTicket = query.get('suiteTicket') ?? '';
		const suite = this.suites.get(suiteKey);
		if (!suite) return this.legacyAnswer(ctx, { errcode: 40078, errmsg: '不存在的临时授权码' });
		if (Math.abs(Date.now() - Number(timestamp)) > 60 * 60 * 1000) return this.legacyAnswer(ctx, { errcode: 853002, errmsg: 'timestamp过期' });
		const expected = createHmac('sha256', suite.suiteSecret).update(`${timestamp}\n${suiteTicket}`).digest('base64');
		if (suite.suiteTicket !== suiteTicket || query.get('signature') !== expected) {
			return this.legacyAnswer(ctx, { errcode: 853003, errmsg: '签名校验失败' });
		}
		const body = isJsonContentType(ctx.req) ? parseJsonObject(ctx.body) : undefined;
		const corpId = typeof body?.auth_corpid === 'string' ? body.auth_corpid : '';
		if (!suite.corps.has(corpId)) return this.legacyAnswer(ctx, { errcode: 40078, errmsg: '授权关系不存在' });
		const token = this.mint({ kind: 'suite', key: suiteKey, corpId, appType: 'thirdPartyEnterprise', robotPermission: suite.robotPermission, legacy: true });
		this.legacyAnswer(ctx, { errcode: 0, errmsg: 'ok', access_token: token.token, expires_in: this.options.tokenLifetimeSeconds });
	}

	private download(ctx: RequestContext): void {
		this.stats.dingTalkDownloadCalls++;
		// Faults first (gateway trouble), so they need only a parseable downloadCode.
		const loose = parseJsonObject(ctx.body);
		const code = typeof loose?.['downloadCode'] === 'string' ? loose['downloadCode'] : undefined;
		const file = code !== undefined ? this.files.get(code) : undefined;
		if (file) {
			const fault = pickApiFault(file.input.fault, file.apiCalls++);
			if (fault) {
				this.stats.faultsInjected++;
				if (fault === 'reset') return void ctx.req.socket.destroy();
				return sendApiFault(ctx.res, fault, this.acsHeaders());
			}
		}

		const header = ctx.req.headers['x-acs-dingtalk-access-token'];
		const token = typeof header === 'string' ? this.tokens.get(header) : undefined;
		if (!token || token.revoked || token.expiresAt <= Date.now()) {
			this.stats.dingTalkInvalidTokenAnswers++;
			return this.error(ctx, 400, 'InvalidAuthentication', '不合法的access_token');
		}
		if (!token.robotPermission) {
			return this.error(
				ctx,
				403,
				'Forbidden.AccessDenied.AccessTokenPermissionDenied',
				'没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission',
				{ accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] } },
			);
		}
		const body = this.jsonBody(ctx);
		if (!body) return;
		const { robotCode, downloadCode } = body;
		if (typeof robotCode !== 'string' || robotCode === '') {
			return this.error(ctx, 400, 'invalidParameter.robotCode.empty', 'The bot robotCode is empty.');
		}
		if (typeof downloadCode !== 'string' || downloadCode === '') {
			return this.error(ctx, 400, 'invalidParameter.robotCode.empty', 'The bot downloadCode is empty.');
		}
		if (token.appType === 'thirdPartyPersonal') {
			return this.error(
				ctx,
				400,
				'invalidParameter.robotCode.auth',
				'This API can only be called by an internal app or an authorized third-party app.',
			);
		}
		if (!file || file.expired) {
			return this.error(
				ctx,
				400,
				'invalidParameter.robotCode.downloadCode',
				'The download code is incorrect or has expired.',
			);
		}
		if ((file.input.corpId ?? DEFAULT_CORP_ID) !== token.corpId) {
			return this.error(
				ctx,
				400,
				'invalidParameter.robotCode.auth',
				'The organization that calls this API is different from the organization to which the bot corresponding to this downloadCode belongs.',
			);
		}
		if (file.input.robotCode !== robotCode) {
			return this.error(
				ctx,
				400,
				'invalidParameter.robotCode.auth',
				'This downloadCode does not match the bot robotCode. Use the robotCode of the bot that received this message and the corresponding downloadCode.',
			);
		}
		this.ok(ctx, { downloadUrl: this.signedLink(file, token.corpId) });
	}

	private mint(t: Omit<IssuedToken, 'token' | 'expiresAt' | 'revoked'>): IssuedToken {
		const token: IssuedToken = {
			...t,
			token: randomBytes(16).toString('hex'),
			expiresAt: Date.now() + this.options.tokenLifetimeSeconds * 1000,
			revoked: false,
		};
		this.tokens.set(token.token, token);
		this.stats.dingTalkTokensIssued++;
		return token;
	}

	/** Request body as a JSON object, or a 400 already sent (DingTalk refuses form bodies). */
	private jsonBody(ctx: RequestContext): Record<string, unknown> | undefined {
		const body = isJsonContentType(ctx.req) ? parseJsonObject(ctx.body) : undefined;
		if (!body) this.error(ctx, 400, 'Missingbody', 'body is mandatory for this action.');
		return body;
	}

	private missing(ctx: RequestContext, param: string): void {
		this.error(ctx, 400, `Missing${param}`, `${param} is mandatory for this action.`);
	}

	private acsHeaders(requestId = randomUUID().toUpperCase()): Record<string, string> {
		return {
			'x-acs-request-id': requestId,
			'x-acs-trace-id': randomBytes(16).toString('hex'),
		};
	}

	private ok(ctx: RequestContext, value: unknown): void {
		sendJson(ctx.res, 200, value, this.acsHeaders(), 'application/json;charset=utf-8');
	}

	private error(
		ctx: RequestContext,
		status: number,
		code: string,
		message: string,
		extra: Record<string, unknown> = {},
	): void {
		const requestid = randomUUID().toUpperCase();
		sendJson(ctx.res, status, { code, requestid, message, ...extra }, this.acsHeaders(requestid), 'application/json;charset=utf-8');
	}

	// ---------------------------------------------------------------- OSS host

	/** A presigned OSS V1 link: path <org>/<random>.file, signature over GET, Expires and the resource. */
	private signedLink(file: DingTalkFile, corpId: string): string {
		const objectKey = `${corpId}/${randomBytes(24).toString('base64url')}.file`;
		this.ossObjects.set(objectKey, { file, revoked: false });
		const expires = Math.floor(Date.now() / 1000) + this.options.linkLifetimeSeconds;
		const signature = this.ossSignature('', '', String(expires), objectKey);
		return (
			`${this.ossUrl}/${objectKey}?Expires=${expires}` +
			`&OSSAccessKeyId=${OSS_ACCESS_KEY_ID}&Signature=${encodeURIComponent(signature)}`
		);
	}

	private ossSignature(contentMd5: string, contentType: string, expires: string, objectKey: string): string {
		const stringToSign = `GET\n${contentMd5}\n${contentType}\n${expires}\n/${OSS_BUCKET}/${objectKey}`;
		return createHmac('sha1', this.ossSecret).update(stringToSign).digest('base64');
	}

	handleOss = async (ctx: RequestContext): Promise<void> => {
		const { req, url } = ctx;
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return this.ossError(ctx, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
		}
		this.stats.ossGets++;
		const env: FileServeEnv = {
			signal: this.signal,
			stats: this.stats,
			countBytes: (n) => (this.stats.ossBytesServed += n),
			headers: { Server: 'AliyunOSS', 'x-oss-request-id': ossRequestId(), 'Accept-Ranges': 'bytes' },
		};

		if (url.pathname.startsWith(REDIRECT_PREFIX)) {
			const [id, hop] = url.pathname.slice(REDIRECT_PREFIX.length).split('/');
			const file = this.filesById.get(decodeURIComponent(id ?? ''));
			if (!file) return this.ossError(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
			return serveRedirectHop(ctx, file.hosted, Number(hop), env);
		}

		const objectKey = decodeURIComponent(url.pathname.slice(1));
		const expires = url.searchParams.get('Expires');
		const signature = url.searchParams.get('Signature');
		if (!expires || !signature || !url.searchParams.get('OSSAccessKeyId')) {
			return this.ossError(ctx, 403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
		}
		const object = this.ossObjects.get(objectKey);
		if (Number(expires) < Date.now() / 1000 || object?.revoked) {
			return this.ossError(ctx, 403, 'AccessDenied', 'Request has expired.', {
				Expires: new Date(Number(expires) * 1000).toISOString(),
				ServerTime: new Date().toISOString(),
			});
		}
		// The signature covers Content-MD5 and Content-Type: a GET that sends either fails, as on real OSS.
		const expected = this.ossSignature(
			header(req.headers['content-md5']),
			header(req.headers['content-type']),
			expires,
			objectKey,
		);
		if (signature !== expected) {
			return this.ossError(
				ctx,
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
				{ OSSAccessKeyId: OSS_ACCESS_KEY_ID },
			);
		}
		if (!object) return this.ossError(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
		return serveHostedFile(ctx, object.file.hosted, env);
	};

	private ossError(
		ctx: RequestContext,
		status: number,
		code: string,
		message: string,
		extra: Record<string, string> = {},
	): void {
		const requestId = ossRequestId();
		const fields = Object.entries(extra)
			.map(([k, v]) => `  <${k}>${v}</${k}>\n`)
			.join('');
		const xml =
			`<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n` +
			`  <RequestId>${requestId}</RequestId>\n  <HostId>${OSS_BUCKET}.oss-cn-hangzhou.aliyuncs.com</HostId>\n` +
			`${fields}</Error>\n`;
		sendText(ctx.res, status, xml, { Server: 'AliyunOSS', 'x-oss-request-id': requestId }, 'application/xml');
	}
}

function ossRequestId(): string {
	return randomBytes(12).toString('hex').toUpperCase();
}

function header(value: string | string[] | undefined): string {
	return Array.isArray(value) ? value.join(',') : (value ?? '');
}
