import { sanitizeFilename } from 'n8n-workflow';

import type { DecidedType } from './decide';
import { MEANINGLESS_EXTENSIONS, OGG_AUDIO_ALIASES, extensionOf, mimeTypeForExtension } from './mimeExtensions';

/** Keeps names well inside the 255-byte limit of common file systems. */
const MAX_NAME_BYTES = 200;

const RESERVED_CHARACTERS = new Set(['<', '>', ':', '"', '|', '?', '*']);

/** Bidirectional marks and overrides: `invoice\u202Efdp.exe` shows as "invoiceexe.pdf". */
function isBidiControl(code: number): boolean {
	return code === 0x061c || code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** A file name safe for any file system and storage: no path, no control, bidi or reserved characters, bounded length. */
export function sanitiseFileName(name: string | undefined): string | undefined {
	if (!name) return undefined;
	let cleaned = '';
	for (const char of sanitizeFilename(String(name))) {
		const code = char.charCodeAt(0);
		if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || isBidiControl(code)) continue;
		cleaned += RESERVED_CHARACTERS.has(char) ? '_' : char;
	}
	cleaned = cleaned.replace(/\s+/g, ' ').replace(/^[\s.]+|[\s.]+$/g, '');
	if (!cleaned || cleaned === 'untitled') return undefined;
	return truncateKeepingExtension(cleaned);
}

function utf8Length(text: string): number {
	return new TextEncoder().encode(text).length;
}

function truncateKeepingExtension(name: string): string {
	if (utf8Length(name) <= MAX_NAME_BYTES) return name;
	const extension = extensionOf(name);
	const suffix = extension ? `.${extension}` : '';
	let base = extension ? name.slice(0, -suffix.length) : name;
	const characters = Array.from(base); // whole code points, never half a surrogate pair
	while (characters.length > 1 && utf8Length(characters.join('') + suffix) > MAX_NAME_BYTES) characters.pop();
	base = characters.join('').trimEnd();
	return `${base}${suffix}`;
}

function withoutExtension(name: string, extension: string): string {
	return name.slice(0, -(extension.length + 1));
}

/** Whether the name's own extension already fits the decided type (photo.jpeg for image/jpeg stays). */
function extensionFits(extension: string, type: DecidedType): boolean {
	if (OGG_AUDIO_ALIASES.has(extension) && type.extension === 'ogg') return false;
	return extension === type.extension || mimeTypeForExtension(extension) === type.mimeType;
}

export interface FileNameInput {
	/** The user's File Name option: used as given, with the extension added when it has none. */
	override?: string;
	/** The sender's file name, if any. */
	originalName?: string;
	/** Stable readable name without extension, for files that come without one. */
	fallbackName: string;
	type: DecidedType;
}

/**
 * The output file name: the original name where there is one, its extension corrected
 * when the bytes disagree or added when it has none; otherwise the fallback name plus
 * the extension. Never `.file`, never a path.
 */
export function decideFileName({ override, originalName, fallbackName, type }: FileNameInput): string {
	const userName = sanitiseFileName(override);
	if (userName) return extensionOf(userName) ? userName : truncateKeepingExtension(`${userName}.${type.extension}`);

	const original = sanitiseFileName(originalName);
	const base = original ?? sanitiseFileName(fallbackName) ?? 'file';
	const current = extensionOf(base);
	if (current && type.source === 'unknown' && !MEANINGLESS_EXTENSIONS.has(current)) return base; // no better knowledge than the name
	if (current && extensionFits(current, type)) return base;
	const replaceable = current && (MEANINGLESS_EXTENSIONS.has(current) || OGG_AUDIO_ALIASES.has(current) || mimeTypeForExtension(current));
	const stem = replaceable ? withoutExtension(base, current) : base;
	return truncateKeepingExtension(`${stem || 'file'}.${type.extension}`);
}
