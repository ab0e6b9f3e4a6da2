import { fileTypeFromBuffer, fileTypeFromStream, supportedMimeTypes } from 'file-type/core';

import type { DetectedType } from './detectedType';
import { normaliseDetectedType } from './detectedType';

export type { DetectedType } from './detectedType';
export { normaliseDetectedType } from './detectedType';

/** How many leading bytes the node reads before deciding; enough for Office files' [Content_Types].xml. */
export const DETECTION_BYTES = 64 * 1024;

/** The type the file's own bytes show (magic numbers, via file-type), or undefined when they show none. */
export async function detectFromBytes(head: Uint8Array): Promise<DetectedType | undefined> {
	if (head.length === 0) return undefined;
	const result = await fileTypeFromBuffer(head);
	return result ? normaliseDetectedType(result.ext, result.mime) : undefined;
}

/**
 * The type the whole file shows, read in order from its first byte: file-type reads as
 * far as the format needs (a zip's entries up to `[Content_Types].xml`, a TIFF up to its
 * first IFD, past an ID3 tag) and stops. The file is never held whole. Undefined when
 * the bytes show nothing or cannot be read.
 */
export async function detectFromChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<DetectedType | undefined> {
	try {
		const result = await fileTypeFromStream(ReadableStream.from(chunks));
		return result ? normaliseDetectedType(result.ext, result.mime) : undefined;
	} catch {
		// A file-type parser limit or a read error leaves what the head showed.
		return undefined;
	}
}

/** Whether file-type recognises this MIME type by its bytes; a claim of such a type that the bytes do not show is false. */
export function isDetectableMimeType(mimeType: string): boolean {
	return supportedMimeTypes.has(mimeType);
}
