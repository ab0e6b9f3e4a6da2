// What Feishu pushes to a bot: im.message.receive_v1 envelopes (schema 2.0) for each message type,
// and the HTTP callback request that carries one (encrypted and signed when the app has an Encrypt
// Key), plus the url_verification challenge. Shapes from facts §2 and §3; the body is compact JSON
// because the SDK signs JSON.stringify(parsed body), not the raw bytes.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import http from 'node:http';

export type FeishuMessageType =
	| 'text'
	| 'image'
	| 'file'
	| 'audio'
	| 'media'
	| 'sticker'
	| 'folder'
	| 'post'
	| 'interactive'
	| 'merge_forward'
	| 'share_chat'
	| 'share_user'
	| 'location'
	| 'system';

export interface FeishuSender {
	openId: string;
	unionId?: string;
	userId?: string;
	senderType?: 'user' | 'app';
}

export interface MessageEventInput {
	appId: string;
	/** The Verification Token, carried as header.token. */
	token?: string;
	tenantKey?: string;
	eventId?: string;
	/** ms; default now. */
	createTime?: number;
	messageId?: string;
	chatId?: string;
	chatType?: 'p2p' | 'group';
	sender?: FeishuSender;
	messageType: FeishuMessageType;
	/** The message's content object (serialised into the `content` string). See `contents` for each type. */
	content: Record<string, unknown>;
	rootId?: string;
	parentId?: string;
	threadId?: string;
	mentions?: Array<{ key: string; openId: string; name: string }>;
}

/** A type alias, not an interface, so it is assignable to n8n's IDataObject (index signature). */
export type FeishuEventEnvelope = {
	schema: '2.0';
	header: { event_id: string; event_type: string; create_time: string; token: string; app_id: string; tenant_key: string };
	event: Record<string, unknown>;
};

/** Content objects per message type, as Feishu delivers them (facts §2, DOC rcontent). */
export const contents = {
	text: (text: string) => ({ text }),
	image: (imageKey: string) => ({ image_key: imageKey }),
	file: (fileKey: string, fileName: string) => ({ file_key: fileKey, file_name: fileName }),
	audio: (fileKey: string, durationMs: number) => ({ file_key: fileKey, duration: durationMs }),
	media: (fileKey: string, imageKey: string, fileName: string, durationMs: number) => ({ file_key: fileKey, image_key: imageKey, file_name: fileName, duration: durationMs }),
	sticker: (fileKey: string) => ({ file_key: fileKey }),
	folder: (fileKey: string, fileName: string) => ({ file_key: fileKey, file_name: fileName }),
	/** A received post: not wrapped in a locale; img and media elements each in their own paragraph. */
	post: (title: string, text: string, images: string[] = [], media: Array<{ fileKey: string; imageKey: string }> = []) => ({
		title,
		content: [
			[{ tag: 'text', text, style: [] }],
			...images.map((imageKey) => [{ tag: 'img', image_key: imageKey, width: 800, height: 600 }]),
			...media.map((m) => [{ tag: 'media', file_key: m.fileKey, image_key: m.imageKey }]),
		],
	}),
	interactive: (title: string) => ({ title, elements: [[{ tag: 'text', text: title }]] }),
	mergeForward: () => ({ content: 'Merged and Forwarded Message' }),
	shareChat: (chatId: string) => ({ chat_id: chatId }),
	shareUser: (userId: string) => ({ user_id: userId }),
	location: (name: string) => ({ name, longitude: '116.40', latitude: '39.90' }),
	system: () => ({ template: '{from_user} invited {to_chatters} to this chat.', from_user: ['b'], to_chatters: ['a'] }),
};

let counter = 0;

/** An im.message.receive_v1 envelope (schema 2.0) with header and event as Feishu pushes them. */
export function messageReceiveEvent(input: MessageEventInput): FeishuEventEnvelope {
	const now = input.createTime ?? Date.now();
	const sender = input.sender ?? { openId: 'ou_7d8a6e6df7621556ce0d21922b676706' };
	const tenantKey = input.tenantKey ?? '2ca1d211f64f6438';
	counter++;
	const message: Record<string, unknown> = {
		message_id: input.messageId ?? `om_${randomBytes(16).toString('hex')}`,
		...(input.rootId ? { root_id: input.rootId } : {}),
		...(input.parentId ? { parent_id: input.parentId } : {}),
		create_time: String(now),
		update_time: String(now),
		chat_id: input.chatId ?? 'oc_5ce6d572455d361153b7cb51da133945',
		...(input.threadId ? { thread_id: input.threadId } : {}),
		chat_type: input.chatType ?? 'p2p',
		message_type: input.messageType,
		content: JSON.stringify(input.content),
		...(input.mentions
			? { mentions: input.mentions.map((m) => ({ key: m.key, id: { open_id: m.openId, union_id: '', user_id: '' }, name: m.name, tenant_key: tenantKey })) }
			: {}),
		user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Lark/7.20.6 LarkLocale/zh_CN',
	};
	return {
		schema: '2.0',
		header: {
			event_id: input.eventId ?? createHash('md5').update(`${now}:${counter}:${randomBytes(8).toString('hex')}`).digest('hex'),
			event_type: 'im.message.receive_v1',
			create_time: String(now),
			token: input.token ?? '',
			app_id: input.appId,
			tenant_key: tenantKey,
		},
		event: {
			sender: {
				sender_id: { union_id: sender.unionId ?? '', user_id: sender.userId ?? '', open_id: sender.openId },
				sender_type: sender.senderType ?? 'user',
				tenant_key: tenantKey,
			},
			message,
		},
	};
}

export interface CallbackOptions {
	/** Set: the body is `{"encrypt": …}` and the request is signed. */
	encryptKey?: string;
	/** Only for urlVerification (events carry the token in the envelope). */
	verificationToken?: string;
	/** Seconds, as a string header. Default now. */
	timestamp?: string | number;
	nonce?: string;
	/** Sign even without an Encrypt Key (Feishu signs only with one; for negative tests). */
	signWith?: string;
}

export interface CallbackRequest {
	headers: Record<string, string>;
	/** Exactly the bytes to send. */
	body: string;
}

/** base64(iv ‖ AES-256-CBC-PKCS7(key = sha256(encryptKey), plaintext)), as Feishu encrypts. */
export function encryptForFeishu(plaintext: string, encryptKey: string): string {
	const iv = randomBytes(16);
	const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(encryptKey).digest(), iv);
	return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** hex(sha256(timestamp + nonce + encryptKey + body)). */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, body: string): string {
	return createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex');
}

/** The HTTP callback Feishu sends for this payload (an event envelope or any object). */
export function callbackRequest(payload: object, options: CallbackOptions = {}): CallbackRequest {
	const body = options.encryptKey ? JSON.stringify({ encrypt: encryptForFeishu(JSON.stringify(payload), options.encryptKey) }) : JSON.stringify(payload);
	const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
	const nonce = options.nonce ?? randomBytes(8).toString('hex');
	const headers: Record<string, string> = {
		'content-type': 'application/json; charset=utf-8',
		'user-agent': 'Go-http-client/1.1',
		'x-request-id': randomBytes(16).toString('hex'),
	};
	const signingKey = options.encryptKey ?? options.signWith;
	if (signingKey !== undefined) {
		headers['x-lark-request-timestamp'] = timestamp;
		headers['x-lark-request-nonce'] = nonce;
		headers['x-lark-signature'] = feishuSignature(timestamp, nonce, signingKey, body);
	}
	return { headers, body };
}

/** The url_verification challenge, plain or encrypted. */
export function urlVerification(challenge: string, options: CallbackOptions & { token: string }): CallbackRequest {
	return callbackRequest({ challenge, token: options.token, type: 'url_verification' }, options);
}

export interface CallbackResult {
	status: number;
	body: string;
	headers: http.IncomingHttpHeaders;
	elapsedMs: number;
}

/** POST a callback to `url` over real HTTP, as Feishu would (3 s deadline by default). */
export async function postCallback(url: string, payload: object | CallbackRequest, options: CallbackOptions & { timeoutMs?: number } = {}): Promise<CallbackResult> {
	const request = isCallbackRequest(payload) ? payload : callbackRequest(payload, options);
	const started = performance.now();
	return await new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) }, timeout: options.timeoutMs ?? 3000 }, (res) => {
			const parts: Buffer[] = [];
			res.on('data', (chunk: Buffer) => parts.push(chunk));
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), headers: res.headers, elapsedMs: performance.now() - started }),
			);
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`callback to ${url} not answered within ${options.timeoutMs ?? 3000} ms`)));
		req.on('error', reject);
		req.end(request.body);
	});
}

function isCallbackRequest(value: object): value is CallbackRequest {
	return 'headers' in value && 'body' in value && typeof (value as CallbackRequest).body === 'string' && Object.keys(value).length === 2;
}
