import type { INodeProperties } from 'n8n-workflow';

import { inputError } from '../transport/errors';
import type { FetchOptions } from './fetchMessageFile';

/**
 * The download options the node and the triggers share: same names, same meaning,
 * so a workflow can move from Webhook + Download Message File to a trigger unchanged.
 */
export interface FileOptionValues {
	binaryPropertyName?: string;
	fileName?: string;
	maxFileSize?: number;
	timeout?: number;
	maxRetries?: number;
}

export const fileNameOption: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '',
	description: 'Name for the output file instead of the original one. Without an extension, the detected one is added.',
};

export const maxFileSizeOption: INodeProperties = {
	displayName: 'Max File Size (MB)',
	name: 'maxFileSize',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description: 'Refuse files larger than this. 0 means no limit.',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10 },
	default: 3,
	description: 'How often to retry after throttling (HTTP 429, DingTalk QPS limits), a busy server (502–504) or a dropped connection. Final answers are never retried.',
};

export const binaryPropertyNameOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'The binary field of the output item that receives the file',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 60,
	description: 'How long to wait for the messenger\'s API, and for the file host to send more data. A big file on a slow link is not cut off while data keeps arriving.',
};

export function toFetchOptions(options: FileOptionValues): FetchOptions {
	return {
		fileName: options.fileName?.trim() || undefined,
		maxBytes: options.maxFileSize && options.maxFileSize > 0 ? Math.floor(options.maxFileSize * 1024 * 1024) : undefined,
		timeoutMs: Math.max(1, options.timeout ?? 60) * 1000,
		retry: { retries: Math.max(0, Math.floor(options.maxRetries ?? 3)) },
	};
}

export function binaryPropertyNameOf(options: FileOptionValues): string {
	const name = (options.binaryPropertyName ?? 'data').trim();
	if (!name) throw inputError('Put Output File in Field is empty', 'Name the binary field that should receive the file, e.g. data.');
	return name;
}
