import type { IBinaryData, IDataObject } from 'n8n-workflow';
import { fileTypeFromMimeType } from 'n8n-workflow';

import { MessageFileError, isMessageFileError } from '../transport/errors';
import type { DecidedType } from './fileType/decide';
import { DETECTION_BYTES } from './fileType/detect';
import { decideFileName } from './fileType/fileName';
import { judgeHead } from './fileType/fromBytes';
import { bareMimeType, extensionOf } from './fileType/mimeExtensions';
import { withinBinaryStorageLimit } from './binaryStorageLimit';
import type { ExecutionState, FileProvider, FileSource, MessageFile, MessengerContext } from '../messengers/types';
import type { OpenedDownload } from '../transport/download';
import { bodyError, cutOffError, openDownload } from '../transport/download';
import type { RetryPolicy } from '../transport/retry';
import { withRetries } from '../transport/retry';
import { typeOfStoredCopy } from './storedCopyType';

export interface FetchOptions {
	/** The user's File Name option. */
	fileName?: string;
	maxBytes?: number;
	timeoutMs: number;
	retry: RetryPolicy;
}

export interface FetchedFile {
	binary: IBinaryData;
	type: DecidedType;
	fileName: string;
}

/** An HTML page where the hints promised something else is an error page (an expired link's landing page), not the file. */
function assertNotErrorPage(opened: OpenedDownload, file: MessageFile): void {
	if (bareMimeType(opened.contentType) !== 'text/html') return;
	const expectsHtml =
		bareMimeType(file.hints.mimeType) === 'text/html' || ['html', 'htm'].includes(extensionOf(file.hints.fileName) ?? '');
	if (expectsHtml) return;
	throw new MessageFileError('The file host answered with an HTML page instead of the file', {
		kind: 'download',
		description: 'The download link probably expired or needs a login. Run the workflow again soon after the message arrives.',
		linkExpired: true,
	});
}

async function storeDownload(
	context: MessengerContext,
	opened: OpenedDownload,
	file: MessageFile,
	options: FetchOptions,
	linkUrl: string,
): Promise<FetchedFile> {
	assertNotErrorPage(opened, file);
	// The same 64 KB however the bytes happened to arrive (a read can hand over more), so a type never depends on the network.
	const head = opened.complete ? opened.head : opened.head.subarray(0, DETECTION_BYTES);
	const judgement = await judgeHead(head, opened.complete, {
		declaredMimeType: file.hints.mimeType,
		contentType: opened.contentType,
		originalName: file.hints.fileName,
		linkUrl,
	});
	let type = judgement.type;
	let fileName = decideFileName({ override: options.fileName, originalName: file.hints.fileName, fallbackName: file.hints.fallbackName, type });
	// Passing both the name and the type keeps n8n from guessing either from the link.
	const binary = await context.helpers.prepareBinaryData(opened.body as Buffer, fileName, type.mimeType);
	const stored = Number(binary.bytes ?? NaN);
	if (opened.contentLength !== undefined && Number.isFinite(stored) && stored !== opened.contentLength) {
		throw cutOffError(stored, opened.contentLength);
	}
	if (judgement.needsWholeFile) {
		const wholeFile = await typeOfStoredCopy(context, binary, judgement, head);
		if (wholeFile) {
			type = wholeFile;
			fileName = decideFileName({ override: options.fileName, originalName: file.hints.fileName, fallbackName: file.hints.fallbackName, type });
			relabel(binary, type.mimeType, fileName);
		}
	}
	return { binary, type, fileName };
}

/** Sets what n8n derives from a name and type, the way prepareBinaryData derives it. */
function relabel(binary: IBinaryData, mimeType: string, fileName: string): void {
	binary.mimeType = mimeType;
	binary.fileName = fileName;
	const dot = fileName.lastIndexOf('.');
	if (dot > 0) binary.fileExtension = fileName.slice(dot + 1);
	binary.fileType = fileTypeFromMimeType(mimeType);
}

async function downloadFrom(
	context: MessengerContext,
	source: FileSource,
	file: MessageFile,
	options: FetchOptions,
	allowRedirect?: (url: URL) => boolean,
): Promise<FetchedFile> {
	// A link is opened anonymously; an authenticated request with the messenger's token, and its redirects without it.
	const url = typeof source === 'string' ? source : source.url;
	const httpRequest = typeof source === 'string' ? context.helpers.httpRequest : source.httpRequest;
	return await withinBinaryStorageLimit(options.maxBytes, async (maxBytes) => await withRetries(async () => {
		const opened = await openDownload(httpRequest, url, {
			idleTimeoutMs: options.timeoutMs,
			maxBytes,
			headBytes: DETECTION_BYTES,
			allowRedirect,
			explainRefusal: typeof source === 'string' ? undefined : source.explainRefusal,
			redirectHttpRequest: context.helpers.httpRequest,
		});
		try {
			return await storeDownload(context, opened, file, options, url);
		} catch (error) {
			const body = opened.complete ? undefined : (opened.body as { destroy?: () => void; errored?: unknown });
			// A body that failed is a download problem (cut off, stalled, too large); anything else came from n8n's storage.
			const bodyFailed = body?.errored !== undefined && body.errored !== null;
			body?.destroy?.();
			throw bodyFailed || isMessageFileError(error) ? bodyError(error, opened.bytesReceived(), opened.contentLength) : storageError(error);
		}
	}, options.retry));
}

/** n8n could not store the file. Not retried: the same file would fail the same way. */
function storageError(error: unknown): MessageFileError {
	const code = (error as { code?: unknown })?.code;
	if (code === 'ERR_STRING_TOO_LONG') {
		return new MessageFileError("The file is too large for n8n's default (in-memory) binary data mode", {
			kind: 'download',
			description: 'In that mode n8n keeps files as text inside the execution, which cannot exceed about 512 MB. Set N8N_DEFAULT_BINARY_DATA_MODE=filesystem (or use S3 / database storage) for large files.',
		});
	}
	const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
	return new MessageFileError(`n8n could not store the file (${reason})`, {
		kind: 'download',
		description: "Check n8n's binary data storage: free disk space and write permissions of its storage folder, or the S3 / database settings.",
	});
}

/**
 * Gets one file: from the link the message carries when there is one (saving an API
 * call), else, or when that link has expired, from where the API says it is (a fresh
 * link, or an authenticated request).
 */
export async function fetchMessageFile(
	context: MessengerContext,
	provider: FileProvider,
	file: MessageFile,
	options: FetchOptions,
	state: ExecutionState,
): Promise<FetchedFile> {
	if (file.directUrl) {
		// Every redirect is held to the rule the link itself passed.
		const direct = await downloadFrom(context, file.directUrl, file, options, file.directUrlPolicy).then(
			(fetched) => ({ fetched }),
			(error: unknown) => ({ error }),
		);
		if ('fetched' in direct) return direct.fetched;
		// Only an expired or refused link (or one redirecting where it may not) is worth a fresh one from the API.
		const worthFreshLink = isMessageFileError(direct.error) && (direct.error.details.linkExpired || direct.error.details.redirectRefused);
		if (!(worthFreshLink && file.locator)) throw direct.error;
	}
	const source = await withRetries(async () => await provider.resolveSource(context, file, state), options.retry);
	return await downloadFrom(context, source, file, options);
}

/** The `messageFile` field of an output item: what the message said, and what the node made of the file. */
export function describeFetchedFile(service: string, file: MessageFile, fetched: FetchedFile): IDataObject {
	return {
		service,
		...file.info,
		fileName: fetched.fileName,
		mimeType: fetched.type.mimeType,
		fileExtension: fetched.binary.fileExtension ?? fetched.type.extension,
		fileSize: Number(fetched.binary.bytes ?? 0) || undefined,
		typeSource: fetched.type.source,
	};
}
