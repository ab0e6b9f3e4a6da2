import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type/core';

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

/** Whether file-type recognises this MIME type by its bytes; a claim of such a type that the bytes do not show is false. */
export function isDetectableMimeType(mimeType: string): boolean {
	return supportedMimeTypes.has(mimeType);
}
