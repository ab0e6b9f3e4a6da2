import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { headerValue } from '../../transport/apiResponse';
import type { HttpRequest } from '../../transport/download';
import { inputError } from '../../transport/errors';
import { credentialsOnce } from '../credentialsOnce';
import { readIdentifier } from '../fieldValues';
import type { AuthenticatedFileRequest, ExecutionState, FileProvider, MessageFile, MessengerContext, NoFile } from '../types';
import { FEISHU_CREDENTIAL, feishuBaseUrl, readStreamedRefusal, sendFeishuRequest } from './api';
import { feishuCode, feishuError } from './errors';
import type { FeishuResourceType } from './messages';
import { feishuFallbackName, filesInFeishuMessage, isFeishuMessage, resourceTypeOfKey } from './messages';

const RESOURCE_TYPES = ['auto', 'image', 'file'];

function readResourceType(context: IExecuteFunctions, itemIndex: number, fileKey: string): FeishuResourceType {
	const chosen = context.getNodeParameter('options.resourceType', itemIndex, 'auto') as unknown;
	if (chosen === undefined || chosen === null || chosen === '' || chosen === 'auto') return resourceTypeOfKey(fileKey);
	if (typeof chosen !== 'string' || !RESOURCE_TYPES.includes(chosen)) {
		throw inputError(`Resource Type "${String(chosen)}" is not one Feishu knows`, 'Choose Auto (from the key: img_… is an image, anything else a file), Image or File.');
	}
	return chosen as FeishuResourceType;
}

/**
 * The file name a download's Content-Disposition gives: RFC 5987 `filename*=UTF-8''…`
 * first, else `filename=` (Feishu sends raw UTF-8 bytes, which arrive as latin1 characters).
 */
export function contentDispositionFileName(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const extended = /filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)/i.exec(header);
	if (extended) {
		try {
			const decoded = decodeURIComponent(extended[2].trim().replace(/^"|"$/g, ''));
			if (decoded.trim()) return cleanName(decoded);
		} catch {
			// A malformed escape: fall back to the plain parameter.
		}
	}
	const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
	const value = (plain?.[1] ?? plain?.[2])?.replace(/\\(.)/g, '$1').trim();
	if (!value) return undefined;
	const bytes = Buffer.from(value, 'latin1');
	const utf8 = bytes.toString('utf8');
	// Raw UTF-8 read as latin1 decodes cleanly back to UTF-8; a true latin1 name does not.
	return cleanName(utf8.includes('\uFFFD') ? value : utf8);
}

/** Only the last path segment, without control characters: the name is the sender's, not a path. */
function cleanName(name: string): string | undefined {
	const base = name.split(/[\\/]/).pop() ?? '';
	let clean = '';
	for (const character of base) {
		const code = character.charCodeAt(0);
		if (code >= 0x20 && code !== 0x7f) clean += character;
	}
	clean = clean.trim();
	return clean && clean !== '.' && clean !== '..' ? clean : undefined;
}

/** Feishu's JSON explanation of a refused download (234xxx and the rest); undefined for anything else. */
export function explainDownloadRefusal(status: number, body: string): ReturnType<typeof feishuError> | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body.trim()) as unknown;
	} catch {
		return undefined;
	}
	if (feishuCode(parsed) === undefined) return undefined;
	return feishuError({ statusCode: status, body: parsed, headers: {} }, 'download the file');
}

/**
 * The message resource request: the tenant token on it (renewed once when Feishu rejects
 * it), Feishu's error body read and explained instead of returned, and the name from
 * Content-Disposition taken when the message gave none.
 */
function resourceRequest(context: MessengerContext, file: MessageFile, state: ExecutionState): HttpRequest {
	return (async (options: IHttpRequestOptions) => {
		const response = await sendFeishuRequest(context, options, state, readStreamedRefusal);
		const { statusCode, headers } = response;
		if (statusCode >= 200 && statusCode < 300) {
			file.hints.fileName ??= contentDispositionFileName(headerValue(headers, 'content-disposition'));
		} else if (statusCode < 300 || statusCode >= 400) {
			throw feishuError(response, 'download the file');
		}
		return { statusCode, headers, body: response.body, statusMessage: '' } as IN8nHttpFullResponse;
	}) as HttpRequest;
}

export const feishuProvider: FileProvider = {
	credentialType: FEISHU_CREDENTIAL,
	displayName: 'Feishu',
	recognises: isFeishuMessage,

	async fromFields(context: IExecuteFunctions, itemIndex: number): Promise<MessageFile> {
		const messageId = readIdentifier(context, 'messageId', 'Message ID', itemIndex, true);
		const fileKey = readIdentifier(context, 'fileKey', 'File Key', itemIndex, true);
		const resourceType = readResourceType(context, itemIndex, fileKey);
		return {
			hints: { fallbackName: feishuFallbackName(fileKey, resourceType) },
			locator: { messageId, fileKey, resourceType },
			info: { messageId, fileKey, resourceType },
		};
	},

	async fromMessage(_context: MessengerContext, message: IDataObject): Promise<MessageFile[] | NoFile> {
		return filesInFeishuMessage(message);
	},

	async resolveSource(context: MessengerContext, file: MessageFile, state: ExecutionState): Promise<AuthenticatedFileRequest> {
		const { messageId, fileKey, resourceType } = file.locator ?? {};
		if (!messageId || !fileKey) {
			throw inputError('The Feishu file has no message ID or file key', 'Pass Message ID (om_…) and File Key (img_… or file_…) of the same message.');
		}
		const base = feishuBaseUrl(await credentialsOnce(context, FEISHU_CREDENTIAL));
		const type = resourceType === 'image' || resourceType === 'file' ? resourceType : resourceTypeOfKey(fileKey);
		return {
			url: `${base}/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/resources/${encodeURIComponent(fileKey)}?type=${type}`,
			httpRequest: resourceRequest(context, file, state),
			explainRefusal: explainDownloadRefusal,
		};
	},
};
