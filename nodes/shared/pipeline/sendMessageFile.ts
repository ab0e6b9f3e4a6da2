import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { OutgoingFile } from '../messengers/types';
import { MessageFileError, inputError } from '../transport/errors';
import type { TypeSource } from './fileType/decide';
import { DETECTION_BYTES } from './fileType/detect';
import { decideFileName } from './fileType/fileName';
import { judgeHead } from './fileType/fromBytes';
import { openStoredCopy } from './storedCopy';
import { typeOfStoredCopy } from './storedCopyType';

/** A file ready to leave: typed and named from its own bytes, whatever label the binary carried. */
export interface PreparedFile extends OutgoingFile {
	/** What decided the type (`bytes` unless the bytes show nothing). */
	typeSource: TypeSource;
}

/** The binary field of an item, with an error that lists the fields the item does have. */
function binaryOf(context: IExecuteFunctions, itemIndex: number, propertyName: string): IBinaryData {
	const binary = context.getInputData()[itemIndex]?.binary ?? {};
	const found = binary[propertyName];
	if (found) return found;
	const names = Object.keys(binary);
	throw inputError(
		names.length ? `The item has no binary field "${propertyName}"` : 'The item has no binary data to send',
		names.length
			? `Set Input Binary Field to one of: ${names.join(', ')}.`
			: 'Send a file from a node that outputs binary data (Download Message File, Read/Write Files from Disk, HTTP Request, Convert to File…), or set Content to Text.',
	);
}

/** The stored file's exact size: from the binary when n8n recorded it, else from its storage. */
async function sizeOf(context: IExecuteFunctions, binary: IBinaryData): Promise<number> {
	if (typeof binary.bytes === 'number' && Number.isFinite(binary.bytes)) return binary.bytes;
	if (binary.id) return Number((await context.helpers.getBinaryMetadata(binary.id)).fileSize);
	return Buffer.byteLength(binary.data ?? '', 'base64');
}

async function* asAsync(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
	yield* chunks;
}

/** Opens the stored bytes for one forward read, closing them however the reader stops. */
async function openBytes(context: IExecuteFunctions, binary: IBinaryData): Promise<AsyncIterable<Uint8Array>> {
	const copy = await openStoredCopy(context, binary);
	if (!copy) throw new MessageFileError("n8n could not read the file's bytes back from its binary storage", { kind: 'input' });
	return (async function* () {
		try {
			yield* asAsync(copy.chunks);
		} finally {
			copy.close();
		}
	})();
}

/** The first DETECTION_BYTES of the file (fewer when it is smaller), read and released. */
async function readHead(open: () => Promise<AsyncIterable<Uint8Array>>): Promise<Uint8Array> {
	const parts: Uint8Array[] = [];
	let length = 0;
	for await (const chunk of await open()) {
		parts.push(chunk);
		length += chunk.byteLength;
		if (length >= DETECTION_BYTES) break; // leaving the loop closes the stream
	}
	return Buffer.concat(parts).subarray(0, DETECTION_BYTES);
}

/**
 * Reads an item's binary for sending: its real type from its bytes (the same decision
 * as for incoming files: a JPEG labelled `application/octet-stream` and named `upload`
 * is `image/jpeg`, `upload.jpg`), its name, its size, and a way to stream it from n8n's
 * binary storage as often as a request needs it, never holding it whole.
 */
export async function prepareOutgoingFile(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	fileNameOverride?: string,
): Promise<PreparedFile> {
	const binary = binaryOf(context, itemIndex, propertyName);
	const size = await sizeOf(context, binary);
	if (!Number.isFinite(size)) throw new MessageFileError(`n8n did not record the size of the file in "${propertyName}"`, { kind: 'input' });
	if (size === 0) {
		throw inputError(`The file in "${propertyName}" is empty (0 bytes)`, 'Messengers do not deliver empty files: check the node that made it.');
	}
	const open = async () => await openBytes(context, binary);
	const head = await readHead(open);
	const complete = head.byteLength >= size;
	const judgement = await judgeHead(head, complete, { declaredMimeType: binary.mimeType, originalName: binary.fileName });
	const type = (judgement.needsWholeFile && (await typeOfStoredCopy(context, binary, judgement, head))) || judgement.type;
	const fileName = decideFileName({ override: fileNameOverride, originalName: binary.fileName, fallbackName: 'file', type });
	return { fileName, mimeType: type.mimeType, extension: type.extension, size, typeSource: type.source, open };
}
