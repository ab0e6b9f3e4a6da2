import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ApiResponse } from '../../transport/apiResponse';
import { sendApiRequest } from '../../transport/apiResponse';
import { MessageFileError, inputError } from '../../transport/errors';
import { multipartRequest, type MultipartField } from '../../transport/multipartBody';
import { withRetries } from '../../transport/retry';
import { SharedRateLimit } from '../../transport/sharedRateLimit';
import { credentialsOnce } from '../credentialsOnce';
import type { ChatTarget, ExecutionState, OutgoingFile, SendOptions, SentKind, SentMessage } from '../types';
import {
	GREEN_API_MAX_FILE_BYTES,
	GREEN_API_MAX_TEXT_CHARACTERS,
	greenApiError,
	greenApiMediaMethod,
	messengerName,
	messengerOf,
	redactToken,
	type GreenApiMethod,
} from './api';

type SendMethod = Extract<GreenApiMethod, 'sendMessage' | 'sendFileByUpload'>;

/**
 * Green-API allows 50 sendMessage and 50 sendFileByUpload calls a second per instance
 * (its rate limiter page), far above what the node sends over a real network (a few chats
 * at a time, each chat's messages one after another), and it queues every send anyway, releasing one per "message sending
 * delay" (≥ 500 ms). So sends are not paced ahead, which would only slow bursts: a 429
 * (from bursts of concurrent executions or other processes) is waited out instead, as
 * downloadFile's are.
 */
const RATE_WINDOW_MS = 1_000;
const sendLimits: Record<SendMethod, SharedRateLimit> = {
	sendMessage: new SharedRateLimit(undefined, RATE_WINDOW_MS),
	sendFileByUpload: new SharedRateLimit(undefined, RATE_WINDOW_MS),
};

const FAILURE: Record<SendMethod, string> = {
	sendMessage: 'could not send the message',
	sendFileByUpload: 'could not send the file',
};

const MEGABYTE = 1024 * 1024;

function megabytes(bytes: number): string {
	return `${(bytes / MEGABYTE).toFixed(1)} MB`;
}

/**
 * How the messenger shows a file: Green-API picks image, video, audio or document from
 * the file's extension, and the extension here is the real type's. The lists are the
 * formats WhatsApp plays in the chat; anything else arrives as a document.
 */
const SHOWN_AS: Record<string, SentKind> = {
	'image/jpeg': 'image',
	'image/png': 'image',
	'image/gif': 'image',
	'image/webp': 'image',
	'video/mp4': 'video',
	'video/3gpp': 'video',
	'video/quicktime': 'video',
	'audio/ogg': 'audio',
	'audio/opus': 'audio',
	'audio/mpeg': 'audio',
	'audio/mp4': 'audio',
	'audio/aac': 'audio',
	'audio/amr': 'audio',
};

export function greenApiFileKind(mimeType: string): SentKind {
	return SHOWN_AS[mimeType.toLowerCase()] ?? 'file';
}

/** Green-API shows a caption under images and videos only ("Description is only added to images and video"). */
function takesCaption(kind: SentKind): boolean {
	return kind === 'image' || kind === 'video';
}

/** Refuses, before any upload, what Green-API would refuse: an empty file, one over 100 MB. */
export async function assertGreenApiSendable(context: IExecuteFunctions, file: Omit<OutgoingFile, 'open'>): Promise<void> {
	const name = messengerName(messengerOf(await credentialsOnce(context, 'greenApi')));
	if (file.size === 0) {
		throw inputError(`The file ${file.fileName} is empty`, `${name} cannot send an empty file. Check the node before Send Message: it produced no bytes.`);
	}
	if (file.size > GREEN_API_MAX_FILE_BYTES) {
		throw new MessageFileError(
			`The file is ${megabytes(file.size)}, over Green-API's ${GREEN_API_MAX_FILE_BYTES / MEGABYTE} MB limit for ${name}`,
			{
				kind: 'input',
				description: `Green-API sends files up to 100 MB (${file.fileName}, ${file.mimeType}). Send a smaller or compressed file, or a link to it. Nothing was uploaded.`,
			},
		);
	}
}

function assertText(text: string, what: 'Text' | 'Caption'): void {
	if (text.length > GREEN_API_MAX_TEXT_CHARACTERS) {
		throw inputError(
			`${what} is ${text.length} characters, over Green-API's limit of ${GREEN_API_MAX_TEXT_CHARACTERS}`,
			'Shorten it or split it into several messages. Nothing was sent.',
		);
	}
}

/** One send call: the instance's rate limit, retries on 429 / 5xx / resets, each try built afresh by `request`. */
async function send(
	context: IExecuteFunctions,
	credentials: ICredentialDataDecryptedObject,
	method: SendMethod,
	request: () => Partial<IHttpRequestOptions>,
	options: SendOptions,
	state: ExecutionState,
): Promise<{ idMessage: string; urlFile?: string }> {
	const instance = String(credentials.idInstance ?? '').trim();
	// The settings read once per execution go along: n8n would otherwise load and decrypt the credential for every message.
	const credentialsDecrypted = { id: 'greenApi', name: 'Green-API', type: 'greenApi', data: credentials };
	const call = async (): Promise<ApiResponse> =>
		await sendApiRequest(
			async () =>
				await context.helpers.httpRequestWithAuthentication.call(
					context,
					'greenApi',
					{
						method: 'POST',
						url: method,
						...request(),
						json: true,
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						timeout: state.timeoutMs,
					},
					{ credentialsDecrypted },
				),
			'Green-API',
		);
	return await withRetries(
		async () => {
			const response = await sendLimits[method].call(instance, call);
			const body = response.body as { idMessage?: unknown; urlFile?: unknown } | undefined;
			if (response.statusCode === 200 && typeof body?.idMessage === 'string' && body.idMessage) {
				return { idMessage: body.idMessage, urlFile: typeof body.urlFile === 'string' ? body.urlFile : undefined };
			}
			if (response.statusCode === 200) {
				throw new MessageFileError('Green-API answered without a message ID', {
					kind: 'api',
					httpCode: 200,
					description: `${method} succeeded but returned no idMessage, so whether the message was queued is unknown. Check the chat before sending again.`,
				});
			}
			throw greenApiError(response, credentials, FAILURE[method], method);
		},
		{ retries: options.maxRetries },
	);
}

function quotedMessageId(target: ChatTarget, options: SendOptions): string | undefined {
	return options.quoteMessage ? target.replyToMessageId : undefined;
}

function chatIdOf(target: ChatTarget): string {
	const chatId = target.address.chatId;
	if (typeof chatId !== 'string' || !chatId) throw inputError('Chat ID is empty', 'Set Chat ID, or reply to an incoming Green-API message.');
	return chatId;
}

export async function sendGreenApiText(
	context: IExecuteFunctions,
	target: ChatTarget,
	text: string,
	options: SendOptions,
	state: ExecutionState,
): Promise<SentMessage> {
	if (!text.trim()) throw inputError('Text is empty', 'Green-API sends no empty messages: set Text, or choose Content: File.');
	assertText(text, 'Text');
	const credentials = await credentialsOnce(context, 'greenApi');
	const quoted = quotedMessageId(target, options);
	const body = {
		chatId: chatIdOf(target),
		message: text,
		...(quoted ? { quotedMessageId: quoted } : {}),
		...(options.linkPreview !== undefined ? { linkPreview: options.linkPreview } : {}),
	};
	const sent = await send(context, credentials, 'sendMessage', () => ({ body }), options, state);
	return { messenger: messengerOf(credentials), chat: target.chat, kind: 'text', id: sent.idMessage };
}

/** The file went out but the text after it did not: say so, since running the item again would send the file twice. */
function textAfterFileError(idMessage: string, error: unknown): MessageFileError {
	const reason = error instanceof Error ? error.message : String(error);
	const details = error instanceof MessageFileError ? error.details : { kind: 'api' as const };
	return new MessageFileError(`The file was sent (idMessage ${idMessage}), but the text after it was not: ${reason}`, {
		...details,
		retryable: false,
		description: `${details.description ? `${details.description} ` : ''}Running the item again would send the file a second time.`,
	});
}

/**
 * Uploads the file to the instance's Media URL with sendFileByUpload, streamed from n8n's
 * binary storage; every try (after a 429, a reset) opens the bytes afresh. The name carries
 * the real extension, which is how Green-API decides image, video, audio or document.
 * Text goes with an image or a video as its caption; with any other file, where the
 * messenger would drop a caption, it follows the file as a text message.
 */
export async function sendGreenApiFile(
	context: IExecuteFunctions,
	target: ChatTarget,
	file: OutgoingFile,
	caption: string,
	options: SendOptions,
	state: ExecutionState,
): Promise<SentMessage> {
	await assertGreenApiSendable(context, file);
	assertText(caption, 'Caption');
	const credentials = await credentialsOnce(context, 'greenApi');
	const quoted = quotedMessageId(target, options);
	const kind = greenApiFileKind(file.mimeType);
	const hasText = caption.trim() !== '';
	const form: Record<string, string | undefined> = {
		chatId: chatIdOf(target),
		fileName: file.fileName,
		caption: hasText && takesCaption(kind) ? caption : undefined,
		quotedMessageId: quoted,
	};
	const fields: MultipartField[] = [
		...Object.entries(form).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }])),
		{ name: 'file', file },
	];
	const sent = await send(
		context,
		credentials,
		'sendFileByUpload',
		() => ({ url: greenApiMediaMethod('sendFileByUpload'), ...multipartRequest(fields) }),
		options,
		state,
	);
	const result: SentMessage = {
		messenger: messengerOf(credentials),
		chat: target.chat,
		kind,
		id: sent.idMessage,
		fileName: file.fileName,
		mimeType: file.mimeType,
		fileSize: file.size,
	};
	// Green-API's link to the uploaded copy (public, 15 days, reusable with sendFileByUrl): it holds no
	// token, but is left out should a host ever put one in it.
	if (sent.urlFile && redactToken(sent.urlFile, credentials) === sent.urlFile) result.urlFile = sent.urlFile;
	if (hasText && !takesCaption(kind)) {
		const text = await sendGreenApiText(context, target, caption, { ...options, quoteMessage: false }, state).then(
			(message) => message,
			(error: unknown) => textAfterFileError(sent.idMessage, error),
		);
		if (text instanceof MessageFileError) throw text;
		result.more = [{ kind: 'text', id: text.id }];
	}
	return result;
}
