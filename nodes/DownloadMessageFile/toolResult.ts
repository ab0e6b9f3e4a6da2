import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { decodeText } from '../shared/pipeline/fileType/text';

/** How much of a text file an AI agent is handed: enough to answer from, small enough for a model's context. */
export const TOOL_TEXT_LIMIT = 20_000;

/** UTF-8, UTF-16 and UTF-32 need at most 4 bytes a character: this many bytes always hold TOOL_TEXT_LIMIT characters and one more. */
const TEXT_BYTES_TO_READ = (TOOL_TEXT_LIMIT + 1) * 4;

const TEXT_APPLICATION_TYPES = new Set([
	'application/json',
	'application/xml',
	'application/x-ndjson',
	'application/yaml',
	'application/x-yaml',
	'application/javascript',
	'application/sql',
	'image/svg+xml',
]);

export function isTextFile(mimeType: string): boolean {
	return mimeType.startsWith('text/') || TEXT_APPLICATION_TYPES.has(mimeType) || /\+(json|xml)$/.test(mimeType);
}

/** The first bytes of a stored file, in every binary data mode, without reading the rest. */
async function firstBytes(context: IExecuteFunctions, binary: IBinaryData, count: number): Promise<Buffer> {
	// In-memory mode: decode only the base64 that holds the first `count` bytes.
	if (!binary.id) return Buffer.from(binary.data.slice(0, Math.ceil(count / 3) * 4), BINARY_ENCODING).subarray(0, count);
	const stream = (await context.helpers.getBinaryStream(binary.id)) as unknown as AsyncIterable<Buffer> & { destroy(): void };
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream) {
			chunks.push(chunk);
			length += chunk.length;
			if (length >= count) break;
		}
	} finally {
		stream.destroy();
	}
	return Buffer.concat(chunks).subarray(0, count);
}

/** The start of a text file, cut at TOOL_TEXT_LIMIT characters, and whether anything was left out. */
export async function textStart(context: IExecuteFunctions, binary: IBinaryData): Promise<{ text: string; truncated: boolean }> {
	const size = Number(binary.bytes ?? NaN);
	const head = await firstBytes(context, binary, TEXT_BYTES_TO_READ);
	const readAll = Number.isFinite(size) ? head.length >= size : head.length < TEXT_BYTES_TO_READ;
	// In the encoding the type decision read it in (UTF-8, UTF-16 or UTF-32); a character cut in
	// half at the end of a partial read is left out. Bytes that are not clean Unicode: UTF-8 with U+FFFD.
	const decoded = decodeText(head, readAll) ?? new TextDecoder().decode(head, { stream: !readAll });
	if (decoded.length <= TOOL_TEXT_LIMIT) return { text: decoded, truncated: !readAll };
	let text = decoded.slice(0, TOOL_TEXT_LIMIT);
	// Never end on half of a surrogate pair.
	if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
	return { text, truncated: true };
}

/**
 * What an AI agent is handed for one file. n8n gives a tool's JSON to the model and drops its
 * binary (n8n issue #38357), so the JSON says what the file is, what the message said
 * (DingTalk's `recognition`, Green-API's `caption`, DingTalk rich text's `text`, all in
 * `messageFile`), and for a text file, its text.
 */
export async function toolResultJson(context: IExecuteFunctions, messageFile: IDataObject, binary: IBinaryData): Promise<IDataObject> {
	const result: IDataObject = { messageFile };
	if (isTextFile(String(messageFile.mimeType ?? binary.mimeType))) {
		const { text, truncated } = await textStart(context, binary);
		result.fileText = text;
		result.fileTextTruncated = truncated;
	}
	return result;
}
