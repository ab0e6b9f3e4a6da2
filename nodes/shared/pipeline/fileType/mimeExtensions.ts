import { extension as mimeExtension, lookup as mimeLookup } from 'mime-types';

/** Extensions people and services expect, where mime-db's first choice is an odd one (audio/mpeg → mpga). */
const PREFERRED_EXTENSIONS: Record<string, string> = {
	'audio/mpeg': 'mp3',
	'audio/mp3': 'mp3',
	'audio/ogg': 'ogg',
	'audio/opus': 'ogg',
	'audio/mp4': 'm4a',
	'audio/x-m4a': 'm4a',
	'audio/aac': 'aac',
	'audio/amr': 'amr',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/vnd.wave': 'wav',
	'video/quicktime': 'mov',
	'image/jpeg': 'jpg',
	'text/plain': 'txt',
	'text/xml': 'xml',
	'application/xml': 'xml',
};

/** Extensions that mean "some Ogg audio"; voice notes are written .ogg, which transcription services accept. */
export const OGG_AUDIO_ALIASES = new Set(['oga', 'opus', 'spx']);

/** Placeholder extensions that say nothing about the content (DingTalk's links end in .file). */
export const MEANINGLESS_EXTENSIONS = new Set(['file', 'bin', 'tmp', 'dat', 'download', 'octet-stream']);

/** MIME types that only say "bytes", and so are no evidence of a type. */
const GENERIC_MIME_TYPES = new Set([
	'application/octet-stream',
	'binary/octet-stream',
	'application/binary',
	'application/unknown',
	'application/x-unknown',
	'application/download',
	'application/x-download',
	'application/force-download',
	'application/x-binary',
	'application/x-octet-stream',
	'unknown/unknown',
]);

/** `audio/ogg; codecs=opus` → `audio/ogg`: n8n and downstream services expect bare types. */
export function bareMimeType(mimeType: string | undefined): string | undefined {
	if (!mimeType) return undefined;
	const bare = mimeType.split(';')[0].trim().toLowerCase();
	return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(bare) ? bare : undefined;
}

export function isGenericMimeType(mimeType: string | undefined): boolean {
	const bare = bareMimeType(mimeType);
	return !bare || GENERIC_MIME_TYPES.has(bare);
}

export function extensionForMimeType(mimeType: string): string | undefined {
	return PREFERRED_EXTENSIONS[mimeType] ?? (mimeExtension(mimeType) || undefined);
}

export function mimeTypeForExtension(extension: string): string | undefined {
	const found = mimeLookup(`x.${extension}`);
	return found || undefined;
}

/** The extension of a file name or URL path, lower-cased, without the dot; undefined when there is none. */
export function extensionOf(name: string | undefined): string | undefined {
	if (!name) return undefined;
	const base = name.split(/[/\\]/).pop() ?? '';
	const dot = base.lastIndexOf('.');
	if (dot <= 0 || dot === base.length - 1) return undefined;
	const extension = base.slice(dot + 1).toLowerCase();
	return /^[a-z0-9]{1,10}$/.test(extension) ? extension : undefined;
}
