import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type/core';

import { bareMimeType } from './mimeExtensions';

export interface DetectedType {
	mimeType: string;
	extension: string;
}

/** How many leading bytes the node reads before deciding; enough for Office files' [Content_Types].xml. */
export const DETECTION_BYTES = 64 * 1024;

/** Normalises file-type's answer: bare MIME types, and Ogg Opus as audio/ogg + ogg. */
export function normaliseDetectedType(extension: string, mimeType: string): DetectedType {
	const bare = bareMimeType(mimeType) ?? 'application/octet-stream';
	if (extension === 'opus' || (bare === 'audio/ogg' && extension !== 'ogg')) return { mimeType: 'audio/ogg', extension: 'ogg' };
	return { mimeType: bare, extension };
}

/** The type the file's own bytes show (magic numbers, via file-type), or undefined when they show none. */
export async function detectFromBytes(head: Uint8Array): Promise<DetectedType | undefined> {
	if (head.length === 0) return undefined;
	const result = await fileTypeFromBuffer(head);
	return result ? normaliseDetectedType(result.ext, result.mime) : undefined;
}

/** Whether file-type recognises this MIME type by its bytes; a claim of such a type that the bytes do not show is false. */
export function isDetectableMimeType(mimeType: string): boolean {
	return supportedMimeTypes.has(mimeType);
}
