import { bareMimeType } from './mimeExtensions';

/** A type the file's bytes show, as the node labels it. */
export interface DetectedType {
	mimeType: string;
	extension: string;
}

/** Normalises file-type's answer: bare MIME types, and Ogg Opus as audio/ogg + ogg. */
export function normaliseDetectedType(extension: string, mimeType: string): DetectedType {
	const bare = bareMimeType(mimeType) ?? 'application/octet-stream';
	if (extension === 'opus' || (bare === 'audio/ogg' && extension !== 'ogg')) return { mimeType: 'audio/ogg', extension: 'ogg' };
	return { mimeType: bare, extension };
}
