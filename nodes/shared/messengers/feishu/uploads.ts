import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { MessageFileError } from '../../transport/errors';
import { multipartRequest, type MultipartField } from '../../transport/multipartBody';
import { SlidingWindowLimiter } from '../../transport/rateLimiter';
import { withRetries } from '../../transport/retry';
import type { ExecutionState, OutgoingFile, SendOptions } from '../types';
import type { FeishuUpload } from './mediaKinds';
import { feishuApiCall, feishuAppId } from './sendApi';

export const IMAGE_UPLOAD_PATH = '/open-apis/im/v1/images';
export const FILE_UPLOAD_PATH = '/open-apis/im/v1/files';

/** Both uploads allow 50 calls a second per app (Feishu's upload pages); kept under in this process. */
const perApp = new SlidingWindowLimiter(50, 1_000, 20);

/**
 * The multipart form of an upload: the text fields first, the file part last (as the
 * official SDK sends them), streamed from n8n's binary storage. `build` is called for
 * every try, so a repeat after a renewed token or a 429 re-opens the file from its start.
 */
function uploadRequest(file: OutgoingFile, upload: FeishuUpload, durationMs: number | undefined, state: ExecutionState): () => IHttpRequestOptions {
	const text = (name: string, value: string): MultipartField => ({ name, value });
	const fields: MultipartField[] =
		upload.upload === 'image'
			? [text('image_type', 'message'), { name: 'image', file }]
			: [
					text('file_type', upload.fileType),
					text('file_name', file.fileName),
					...(durationMs !== undefined ? [text('duration', String(Math.round(durationMs)))] : []),
					{ name: 'file', file },
				];
	return () => ({
		method: 'POST',
		url: upload.upload === 'image' ? IMAGE_UPLOAD_PATH : FILE_UPLOAD_PATH,
		...multipartRequest(fields),
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: state.timeoutMs,
	});
}

/**
 * Uploads the file for a message and returns its key (`image_key` or `file_key`): a bot
 * can send only what it uploaded itself (230017). Tried again on 429, 5xx and resets.
 */
export async function uploadFeishuFile(
	context: IExecuteFunctions,
	file: OutgoingFile,
	upload: FeishuUpload,
	durationMs: number | undefined,
	options: SendOptions,
	state: ExecutionState,
): Promise<string> {
	const appId = await feishuAppId(context);
	const build = uploadRequest(file, upload, durationMs, state);
	const keyName = upload.upload === 'image' ? 'image_key' : 'file_key';
	return await withRetries(
		async () => {
			await perApp.acquire(`${appId}\n${upload.upload}`);
			const response = await feishuApiCall(context, build, state, upload.upload === 'image' ? 'upload the image' : 'upload the file');
			const data = (response.body as { data?: Record<string, unknown> } | undefined)?.data;
			const key = data?.[keyName];
			if (typeof key !== 'string' || key === '') {
				throw new MessageFileError(`Feishu answered the upload without an ${keyName}`, {
					kind: 'api',
					httpCode: response.statusCode,
					description: 'The upload succeeded but carried no key to send. Check the Base URL in the credential (a proxy must pass Feishu\'s answers unchanged).',
				});
			}
			return key;
		},
		{ retries: options.maxRetries },
	);
}
