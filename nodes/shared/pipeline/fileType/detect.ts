import { fileTypeFromBuffer, fileTypeFromStream, fileTypeFromTokenizer, supportedMimeTypes } from 'file-type/core';
import type { IReadChunkOptions } from 'strtok3/core';
import { fromBuffer } from 'strtok3/core';

import { byteStream } from '../../transport/byteStream';
import { compoundDirectorySector, identifyCompoundFile, identifyCompoundFileFromHead, readRange } from './compoundFile';
import type { DetectedType } from './detectedType';
import { normaliseDetectedType } from './detectedType';

export type { DetectedType } from './detectedType';
export { normaliseDetectedType } from './detectedType';

/** A bound on reading back a stored copy (a 1 GB file read to its end takes seconds); past it the head's decision stands. */
const WHOLE_FILE_TIMEOUT_MS = 120_000;

/** How many leading bytes the node reads before deciding; enough for Office files' [Content_Types].xml. */
export const DETECTION_BYTES = 64 * 1024;

/** The type the file's own bytes show (magic numbers, via file-type), or undefined when they show none. */
export async function detectFromBytes(head: Uint8Array): Promise<DetectedType | undefined> {
	if (head.length === 0) return undefined;
	const result = await fileTypeFromBuffer(head);
	if (!result) return undefined;
	// file-type stops at "cfb"; the directory, when the head holds it, says which application's file it is.
	if (result.ext === 'cfb') return identifyCompoundFileFromHead(head) ?? normaliseDetectedType(result.ext, result.mime);
	return normaliseDetectedType(result.ext, result.mime);
}

/**
 * The type the whole file shows, read in order from its first byte: file-type reads as
 * far as the format needs (a zip's entries up to `[Content_Types].xml`, a TIFF up to its
 * first IFD, past an ID3 tag) and stops. The file is never held whole. Undefined when
 * the bytes show nothing or cannot be read.
 */
export async function detectFromChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<DetectedType | undefined> {
	try {
		// file-type passes `signal` on to its parser (its typings leave it out of the options).
		const options = { signal: AbortSignal.timeout(WHOLE_FILE_TIMEOUT_MS) } as unknown as Parameters<typeof fileTypeFromStream>[1];
		const result = await fileTypeFromStream(byteStream(chunks), options);
		return result ? normaliseDetectedType(result.ext, result.mime) : undefined;
	} catch {
		// A file-type parser limit or a read error leaves what the head showed.
		return undefined;
	}
}

/**
 * Whether the head leaves file-type wanting: read as the start of a longer file of
 * unknown size (as a stream would be), does it ask for bytes past the head (a TIFF's IFD
 * offset, a skip over a large box) or find a type the head alone did not show? A head
 * of unknown bytes that file-type examined to its satisfaction is decided ("unknown"),
 * and costs no read of the stored copy. About as cheap as the first detection.
 */
export async function headLeavesTypeOpen(head: Uint8Array): Promise<boolean> {
	const tokenizer = fromBuffer(head);
	tokenizer.fileInfo.size = Number.MAX_SAFE_INTEGER; // file-type's "unknown size"
	tokenizer.supportsRandomAccess = () => false; // forward only, like a stream: no jumps to the end
	let wantedMore = false;
	const peekBuffer = tokenizer.peekBuffer.bind(tokenizer);
	tokenizer.peekBuffer = async (buffer: Uint8Array, options?: IReadChunkOptions) => {
		if ((options?.position ?? tokenizer.position) + (options?.length ?? buffer.length) > head.length) wantedMore = true;
		return await peekBuffer(buffer, options);
	};
	const ignore = tokenizer.ignore.bind(tokenizer);
	tokenizer.ignore = async (length: number) => {
		if (tokenizer.position + length > head.length) wantedMore = true;
		return await ignore(length);
	};
	const result = await fileTypeFromTokenizer(tokenizer).catch(() => undefined);
	return wantedMore || result !== undefined;
}

/**
 * The type the whole file shows, for a file whose head left it open (see wholeFile.ts):
 * a compound file's directory sector when the head showed a CFB header, else file-type
 * over the whole file. One forward read that stops as soon as the answer is known.
 */
export async function detectWholeFile(
	chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
	head: Uint8Array,
	fromHead: DetectedType | undefined,
): Promise<DetectedType | undefined> {
	const directory = fromHead?.extension === 'cfb' ? compoundDirectorySector(head) : undefined;
	if (directory) return identifyCompoundFile(await readRange(chunks, directory.start, directory.end));
	return await detectFromChunks(chunks);
}

/** Whether file-type recognises this MIME type by its bytes; a claim of such a type that the bytes do not show is false. */
export function isDetectableMimeType(mimeType: string): boolean {
	return supportedMimeTypes.has(mimeType);
}
