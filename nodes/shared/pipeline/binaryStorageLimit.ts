import { MessageFileError, isMessageFileError } from '../transport/errors';

/**
 * n8n's `database` binary-data mode (the queue-mode default) holds each file whole and
 * refuses one over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE — but only once the whole
 * file is downloaded. n8n 2.8 shows a node neither its binary-data mode nor this limit
 * (they live in n8n-core's BinaryDataConfig, out of a community node's reach); its
 * refusal (FileTooLargeError) names the limit. So the first refusal teaches this
 * process the limit, and from then on a bigger file is refused before it is downloaded
 * (Content-Length) or as soon as it passes the limit (no Content-Length).
 */
export const DATABASE_LIMIT_SETTING = 'N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE';

const MEGABYTE = 1024 * 1024;

/** n8n-core's FileTooLargeError: "… exceeds the max size limit of 512 MB set for `database` mode …". */
const N8N_REFUSAL = /max size limit of (\d+(?:\.\d+)?) MB set for `database` mode/;

/** download.ts's tooLargeError, raised at the limit this file handed it. */
const STOPPED_AT_LIMIT = /^The file is (?:larger than the|\d+(?:\.\d+)? MB, over the) \d+(?:\.\d+)? MB limit$/;

let learnedLimitBytes: number | undefined;

function limitError(limitBytes: number, sizeBytes: number | undefined, what: string): MessageFileError {
	const limit = `${Math.round(limitBytes / MEGABYTE)} MB`;
	return new MessageFileError(
		sizeBytes === undefined
			? `The file is larger than n8n's ${limit} limit for binary data kept in its database`
			: `The file is ${(sizeBytes / MEGABYTE).toFixed(1)} MB, over n8n's ${limit} limit for binary data kept in its database`,
		{
			kind: 'download',
			description: `n8n keeps binary data in its database (N8N_DEFAULT_BINARY_DATA_MODE=database, the queue-mode default) and refuses files over ${DATABASE_LIMIT_SETTING} (${limit}; at most 1024). Raise that setting on every n8n process, or use filesystem or S3 binary data mode. ${what}`,
		},
	);
}

/** The limit n8n's refusal names, in bytes, or undefined when the error is not that refusal. */
export function databaseLimitIn(error: unknown): number | undefined {
	const texts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const record = current as { message?: unknown; description?: unknown; cause?: unknown };
		for (const text of [record.message, record.description]) if (typeof text === 'string') texts.push(text);
		current = record.cause;
	}
	const megabytes = texts.map((text) => N8N_REFUSAL.exec(text)?.[1]).find((value) => value !== undefined);
	return megabytes === undefined ? undefined : Math.floor(Number(megabytes) * MEGABYTE);
}

/**
 * Runs a download with the tighter of the user's Max File Size and the database limit
 * this process has learnt; turns n8n's refusal into the node's explanation and learns from it.
 */
export async function withinBinaryStorageLimit<T>(userMaxBytes: number | undefined, download: (maxBytes?: number) => Promise<T>): Promise<T> {
	const storageLimit = learnedLimitBytes;
	const storageIsTighter = storageLimit !== undefined && (userMaxBytes === undefined || storageLimit < userMaxBytes);
	const outcome = await download(storageIsTighter ? storageLimit : userMaxBytes).then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	if (!('error' in outcome)) return outcome.value;
	const { error } = outcome;
	const refusedAt = databaseLimitIn(error);
	if (refusedAt !== undefined) {
		learnedLimitBytes = refusedAt;
		throw limitError(refusedAt, undefined, 'n8n refused it after the download; from now on this n8n process refuses such files before downloading them.');
	}
	if (storageIsTighter && isMessageFileError(error) && STOPPED_AT_LIMIT.test(error.message)) {
		const size = /^The file is (\d+(?:\.\d+)?) MB/.exec(error.message)?.[1];
		throw size === undefined
			? limitError(storageLimit, undefined, 'The node stopped the download as soon as it passed the limit.')
			: limitError(storageLimit, Number(size) * MEGABYTE, 'The node refused the file before downloading it (its size was announced).');
	}
	throw error;
}

/** For tests: forget what was learnt. */
export function forgetBinaryStorageLimit(): void {
	learnedLimitBytes = undefined;
}
