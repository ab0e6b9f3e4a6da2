import { MessageFileError } from '../../transport/errors';
import type { ApiResponse } from '../../transport/apiResponse';
import { headerValue, retryAfterMs } from '../../transport/apiResponse';

/**
 * Feishu's error codes in plain words, with what to do. Feishu answers errors as
 * `{code, msg, error: {log_id, permission_violations…}}`: HTTP 400 for most, 401 for
 * 234002, 429 for its rate limit, and HTTP 200 for the token endpoint's own failures.
 */

export interface FeishuExplanation {
	message: string;
	description: string;
	retryable?: boolean;
}

const CONSOLE = 'the Feishu (or Lark) developer console';

const BOT_NOT_IN_CHAT =
	'Add the bot to the chat (chat settings → Bots → Add Bot), or use the credential of the app whose bot is in it.';

const CREDENTIAL_APP =
	`Copy the App ID and App Secret again from the app's Credentials & Basic Info page in ${CONSOLE}. For a Lark app, set Base URL to https://open.larksuite.com.`;

/** The scopes a 99991672 answer names: its permission_violations, else the list in its message. */
export function missingScopes(body: unknown): string[] {
	const record = (body ?? {}) as { msg?: unknown; error?: { permission_violations?: unknown } };
	const violations = record.error?.permission_violations;
	if (Array.isArray(violations)) {
		const subjects = violations
			.map((violation) => (violation as { subject?: unknown })?.subject)
			.filter((subject): subject is string => typeof subject === 'string' && subject.length > 0);
		if (subjects.length > 0) return [...new Set(subjects)];
	}
	const list = typeof record.msg === 'string' ? /required:?\s*\[([^\]]{1,500})\]/i.exec(record.msg)?.[1] : undefined;
	return list ? [...new Set(list.split(/[,\s]+/).filter((scope) => /^[\w.:-]+$/.test(scope)))] : [];
}

function scopeExplanation(scopes: string[]): FeishuExplanation {
	const named = scopes.length === 1 ? `the scope ${scopes[0]}` : scopes.length > 1 ? `one of the scopes ${scopes.join(', ')}` : 'the scope this call needs';
	return {
		message: scopes.length > 0 ? `The Feishu app lacks the permission ${scopes.join(' or ')}` : 'The Feishu app lacks a permission this call needs',
		description: `In ${CONSOLE}, open the app's Permissions & Scopes page, add ${named}, then publish a new version of the app (a permission counts only once the version is released).`,
	};
}

/**
 * The explanation of one Feishu code. `msg` tells apart the token endpoint's two 10014s;
 * `body` gives the scopes of a 99991672.
 */
export function explainFeishuCode(code: number, msg = '', body?: unknown): FeishuExplanation | undefined {
	const text = msg.toLowerCase();
	switch (code) {
		// ---- the tenant token (credential) ----
		case 10003:
			return {
				message: 'Feishu refused the token request: the App ID or App Secret is missing or malformed',
				description: CREDENTIAL_APP,
			};
		case 10014:
			if (text.includes('secret')) {
				return { message: 'Feishu rejected the App Secret: it does not belong to this App ID', description: CREDENTIAL_APP };
			}
			if (text.includes('not exist') || text.includes('app id')) {
				return {
					message: 'Feishu does not know this App ID',
					description: `${CREDENTIAL_APP} The App ID starts with cli_; an app of the other edition (Feishu vs. Lark) is unknown to this Base URL.`,
				};
			}
			return { message: 'Feishu refused the app: it is disabled or unavailable', description: `Check in ${CONSOLE} that the app is enabled and its version released.` };
		case 99991543:
			return { message: 'Feishu rejected the App ID or App Secret', description: CREDENTIAL_APP };
		case 99991661:
			return {
				message: 'The request reached Feishu without an access token',
				description: 'Check that a proxy set as Base URL passes the Authorization header on. The token is fetched again once per execution.',
			};
		case 99991663:
			return {
				message: 'Feishu rejected the tenant access token (expired or invalid)',
				description: 'The token was renewed once and still rejected. Check that the credential belongs to the app of this bot and that the app is enabled.',
			};
		case 99991664:
			return { message: 'Feishu rejected the app access token', description: 'The token was renewed once and still rejected. Check the App ID and App Secret of the credential.' };
		case 99991665:
			return { message: 'Feishu rejected the tenant code', description: 'The app is not installed in this tenant (organisation). Install or enable it there.' };
		case 99991668:
			return {
				message: 'Feishu refused the token: it is not a tenant access token of this app',
				description: 'The token was renewed once and still refused. Check that a proxy set as Base URL does not replace the Authorization header.',
			};
		case 99991671:
			return { message: 'Feishu refused the token format', description: 'Tenant tokens start with t-. Check that a proxy set as Base URL does not rewrite the Authorization header.' };
		case 99991677:
			return { message: "The user's access token has expired", description: 'This node calls Feishu as the app (tenant token); check the credential type.' };
		case 99991672:
			return scopeExplanation(missingScopes(body));
		case 99991400:
			return {
				message: 'Feishu is throttling requests (too many per second)',
				description: "Feishu allows 50 calls per second per app and API. Lower the node's concurrency or spread the workflow's runs out; the node waits as Feishu asks and tries again.",
				retryable: true,
			};
		case 11232:
		case 11233:
			return { message: "Feishu's message system is throttling requests", description: 'Try again shortly; spread sends out over time.', retryable: true };
		case 11247:
			return { message: 'The daily quota of batch messages is used up', description: 'Wait for the quota to reset tomorrow.' };

		// ---- downloading a message's file ----
		case 234001:
			return {
				message: 'Feishu refused the download request as invalid',
				description: 'Check Message ID (om_…) and File Key (img_… or file_…): both must come from the same message. With Resource Type set by hand, check it matches the key.',
			};
		case 234002:
			return {
				message: 'Feishu did not authorise the app to read this file',
				description: `Check that the app's bot ability is on and the app has one of the scopes im:message, im:message:readonly or im:message.history:readonly in ${CONSOLE}.`,
			};
		case 234003:
			return {
				message: 'The file is not in this message',
				description: 'Pass the message_id and the file_key of that same message. An image key asked for as a file (or the reverse) is not found either: set Resource Type to Auto or to the right type.',
			};
		case 234004:
			return { message: 'The bot is not in the chat of this message', description: `Feishu lets apps download files only from chats their bot is in. ${BOT_NOT_IN_CHAT}` };
		case 234005:
			return { message: 'The file has been deleted', description: 'Feishu no longer has this resource.' };
		case 234007:
			return { message: "The app's bot ability is off", description: `Enable the Bot feature of the app in ${CONSOLE} and release a new version.` };
		case 234008:
			return {
				message: 'The app did not upload this resource',
				description: "Feishu's image and file APIs serve only what the app uploaded itself; files in messages are downloaded with the message ID (Source: Message, or Message ID and File Key).",
			};
		case 234009:
			return { message: 'Feishu does not let apps download files from external chats', description: 'The message is in a chat with people of another organisation; download it from an internal chat.' };
		case 234019:
			return {
				message: "Feishu refused the download: the app's tenant check failed",
				description: 'The message belongs to a tenant the app is not installed in. Use the credential of an app installed in that organisation.',
			};
		case 234037:
			return {
				message: 'The file is over 100 MB, the largest Feishu lets apps download',
				description: "This is Feishu's own limit for message files, so trying again does not help: ask the sender to share it another way (a cloud document link).",
			};
		case 234038:
			return { message: 'The chat is in restricted (confidential) mode', description: "Feishu forbids downloads from chats in restricted mode; a chat owner can turn it off in the chat's settings." };
		case 234040:
			return {
				message: 'The message is not visible to the bot',
				description: 'The chat hides history from new members and the bot joined after the message was sent. Send the file again now that the bot is in the chat.',
			};
		case 234041:
			return { message: "The message's tenant has been deleted", description: 'The organisation this message belongs to no longer exists in Feishu.' };
		case 234042:
			return { message: 'Feishu could not read the file from its hybrid storage', description: "The organisation stores files in its own (hybrid) storage, which failed to serve it. Try again later, or ask the organisation's Feishu admin." };
		case 234043:
			return {
				message: 'Feishu does not let apps download files from this kind of message',
				description: 'Stickers, messages inside a forwarded bundle (merge_forward) and resources inside cards cannot be downloaded through the API.',
			};
		case 230110:
			return { message: 'The message has been deleted', description: 'Its files can no longer be downloaded.' };
		case 14005:
			return { message: 'The file no longer exists in Feishu', description: 'It was deleted or has expired; ask the sender to send it again.' };

		// ---- uploading ----
		case 234006:
			return {
				message: 'The file is over the size Feishu accepts for upload',
				description: 'Images may be up to 10 MB (larger ones are sent as files) and files up to 30 MB.',
			};
		case 234010:
			return { message: 'The file is empty (0 bytes)', description: 'Feishu does not take empty files.' };
		case 234011:
			return {
				message: 'Feishu does not recognise the image format',
				description: 'Images may be JPG, PNG, WEBP, GIF, BMP, ICO, TIFF or HEIC; other formats are sent as files.',
			};
		case 234039:
			return {
				message: "The image's resolution is over Feishu's limit",
				description: 'GIFs may be up to 2000×2000 pixels, other images up to 12000×12000; send larger ones as files.',
			};
		case 232096:
			return { message: 'Feishu has stopped writing metadata (maintenance)', description: 'Try again later.', retryable: true };

		// ---- sending and replying ----
		case 230001:
			return {
				message: 'Feishu refused a parameter of the message',
				description: "Usually the content is not valid for its type, or the chat ID does not fit its ID type; Feishu's message after the code names the parameter (ext=…).",
			};
		case 230002:
			return { message: 'The bot is not in the chat', description: BOT_NOT_IN_CHAT };
		case 230006:
			return { message: "The app's bot ability is off", description: `Enable the Bot feature of the app in ${CONSOLE} and release a new version.` };
		case 230011:
			return { message: 'The message to reply to has been recalled', description: 'Send to the chat instead (Send To: A Chat).' };
		case 230013:
			return {
				message: "The user is outside the bot's availability range",
				description: `In ${CONSOLE}, add the user (or their department) to the app's availability range and release a new version. Users who left the organisation are outside it too.`,
			};
		case 230015:
			return { message: 'A one-to-one chat cannot be shared', description: 'Share a group chat instead.' };
		case 230017:
			return { message: 'The bot did not upload this file or image', description: 'The bot can send only files it uploaded itself; the node uploads each file before sending it.' };
		case 230018:
			return { message: "The group's settings forbid this message", description: 'A group owner or admin can allow it in the group settings (e.g. who may send messages).' };
		case 230019:
			return { message: 'The topic does not exist', description: 'The topic to reply in was deleted; send to the chat instead.' };
		case 230020:
			return {
				message: 'Feishu is throttling messages to this chat (at most 5 per second)',
				description: 'Feishu allows 5 messages per second per user or group, shared by all bots in it. The node waits and tries again; spread the sends out.',
				retryable: true,
			};
		case 230022:
			return { message: 'Feishu refused the message as sensitive content', description: 'Reword the message; Feishu filters some content.' };
		case 230025:
			return {
				message: 'The message is too long for Feishu',
				description: 'A text message may be up to 150 KB and a rich-text (post) or card message up to 30 KB: split it over several messages.',
			};
		case 230027:
			return {
				message: 'The app lacks the permission to send this message',
				description: `Check the app's scopes (im:message:send_as_bot) in ${CONSOLE}; external chats also need the app to be allowed in external groups.`,
			};
		case 230028:
			return { message: "The message was blocked by the organisation's data loss prevention audit", description: "Ask the organisation's Feishu admin about the DLP policy." };
		case 230029:
			return { message: 'The user has left the organisation', description: 'Messages cannot be sent to resigned users.' };
		case 230034:
			return {
				message: 'Feishu does not know this chat or user ID',
				description: 'Check Chat ID: oc_… for a chat, ou_… for an open ID, on_… for a union ID, or an e-mail address. The ID must belong to this app (open IDs differ per app).',
			};
		case 230035:
			return { message: 'The bot may not send to this chat', description: 'The bot is muted in the group, or the user has blocked it.' };
		case 230038:
			return { message: 'The bot cannot message a user of another organisation one-to-one', description: 'Send to a group both are in instead.' };
		case 230049:
			return { message: 'The message is still being sent', description: 'A send with the same ID is in progress; try again in a moment.', retryable: true };
		case 230053:
			return { message: 'The user has stopped the bot', description: 'The user turned off messages from this bot; they can turn them on again in the bot\'s chat.' };
		case 230054:
			return { message: 'This message type is not allowed in this (connection) group', description: 'Send text instead, or send to another group.' };
		case 230055:
			return {
				message: 'The uploaded file type does not match the message type',
				description: 'An MP4 uploaded as mp4 must be sent as a media message and an Opus file as audio; the node pairs them itself, so check that the file is what its name says.',
			};
		case 230075:
			return { message: 'Bots cannot send to encrypted chats', description: 'Send to a chat without end-to-end encryption.' };
		case 232009:
			return { message: 'The chat has been dissolved', description: 'The group no longer exists.' };
		case 230050:
			return { message: 'The message to reply to is not visible to the bot', description: 'The bot cannot see this message; send to the chat instead.' };
		case 230071:
		case 230072:
			return { message: 'Feishu does not support replying in a thread to this message', description: 'Reply without a thread, or send to the chat.' };
		case 230111:
			return { message: 'The message to reply to is a self-destructing message', description: 'Self-destructing messages cannot be replied to; send to the chat instead.' };
		case 99992354:
			return {
				message: 'Feishu does not know the message to reply to',
				description: 'Pass the message_id (om_…) of a message in a chat the bot is in; a message of another app or tenant is unknown to this credential.',
			};
		case 99992402:
			return {
				message: 'Feishu refused a field of the request as invalid',
				description: "Check the chat ID and its ID type (receive_id_type); Feishu's message after the code names the field.",
			};
		default:
			return undefined;
	}
}

/** The codes the credential's Test button explains (HTTP 200 answers of the token endpoint). */
export const TOKEN_ERROR_CODES = [10003, 10014, 99991543] as const;

/** Feishu's `code` of an answer, if it has one. */
export function feishuCode(body: unknown): number | undefined {
	const code = (body as { code?: unknown } | undefined)?.code;
	if (typeof code === 'number') return code;
	return typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
}

/** How long Feishu asks to wait: `x-ogw-ratelimit-reset` (seconds), else Retry-After. */
export function rateLimitWaitMs(headers: Record<string, unknown>): number | undefined {
	const reset = headerValue(headers, 'x-ogw-ratelimit-reset');
	const seconds = reset !== undefined ? Number(reset) : NaN;
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	return retryAfterMs(headers);
}

/** Builds the error for an answer that is not a success, keeping Feishu's code, message and log id. */
export function feishuError(response: ApiResponse, action: string): MessageFileError {
	const body = response.body as { msg?: unknown; error?: { log_id?: unknown } } | undefined;
	const code = feishuCode(body);
	const apiMessage = typeof body?.msg === 'string' ? body.msg.replace(/\s+/g, ' ').trim().slice(0, 300) : typeof response.body === 'string' ? response.body.trim().slice(0, 200) : '';
	const logId = typeof body?.error?.log_id === 'string' ? body.error.log_id : headerValue(response.headers, 'x-tt-logid');
	const explanation = code !== undefined ? explainFeishuCode(code, apiMessage, response.body) : undefined;
	const status = response.statusCode;
	const transient = status === 429 || status === 502 || status === 503 || status === 504;
	const suffix = [code !== undefined && `code ${code}`, apiMessage && `“${apiMessage}”`, logId && `log id ${logId}`].filter(Boolean).join(', ');
	const retryable = explanation?.retryable ?? transient;
	return new MessageFileError(explanation?.message ?? `Feishu could not ${action} (HTTP ${status})`, {
		kind: 'api',
		httpCode: status,
		apiCode: code !== undefined ? String(code) : undefined,
		requestId: logId || undefined,
		description: [explanation?.description ?? (transient ? 'Feishu is busy; try again shortly.' : undefined), suffix && `Feishu said: ${suffix}.`]
			.filter(Boolean)
			.join(' '),
		retryable,
		retryAfterMs: retryable ? rateLimitWaitMs(response.headers) : undefined,
	});
}

/** One line for the Test button: the explanation, what to do, and Feishu's code. */
export function tokenErrorTestMessage(code: number, msg = ''): string {
	const explanation = explainFeishuCode(code, msg);
	return explanation ? `${explanation.message} (Feishu code ${code}). ${explanation.description}` : `Feishu refused the token request (code ${code}).`;
}
