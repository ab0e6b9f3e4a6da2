import type { DetectedType } from './detectedType';
import {
	MEANINGLESS_EXTENSIONS,
	bareMimeType,
	extensionForMimeType,
	extensionOf,
	isGenericMimeType,
	mimeTypeForExtension,
} from './mimeExtensions';
import type { TextType } from './text';

/** Everything known about a file when its type is decided. All optional but the bytes' verdicts. */
export interface TypeEvidence {
	/** What file-type found in the bytes. */
	detected?: DetectedType;
	/** What the bytes look like as text (undefined: not text). */
	text?: TextType;
	/** The MIME type the message declared. */
	declaredMimeType?: string;
	/** The file host's Content-Type header. */
	contentType?: string;
	/** The sender's file name. */
	originalName?: string;
	/** The download link. */
	linkUrl?: string;
	/** Whether a type is one file-type recognises by its bytes (so a claim of it that the bytes do not back is false). */
	isDetectableType: (mimeType: string) => boolean;
}

export type TypeSource = 'bytes' | 'declared' | 'contentType' | 'fileName' | 'link' | 'text' | 'unknown';

export interface DecidedType {
	mimeType: string;
	extension: string;
	source: TypeSource;
}

/** Formats file-type reports as their container; a hint naming one of the members is more precise. */
const CONTAINER_MEMBERS: Record<string, Set<string>> = {
	zip: new Set(['docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm', 'odt', 'ods', 'odp', 'epub', 'jar', 'apk', 'xpi', 'kmz', '3mf', 'ipa', 'vsdx', 'xps', 'oxps', 'cbz', 'aab']),
	cfb: new Set(['doc', 'xls', 'ppt', 'msg', 'msi', 'pub', 'vsd', 'dot', 'xlt', 'pot']),
	xml: new Set(['svg', 'kml', 'gpx', 'xsd', 'xsl', 'xslt', 'rss', 'atom', 'xhtml', 'plist', 'xlf']),
};

function linkExtension(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		return extensionOf(decodeURIComponent(new URL(url).pathname));
	} catch {
		return undefined;
	}
}

/** The extension and MIME type a hint stands for, or undefined when it says nothing. */
function hintFromMimeType(mimeType: string | undefined): { mimeType: string; extension: string } | undefined {
	if (isGenericMimeType(mimeType)) return undefined;
	const bare = bareMimeType(mimeType) as string;
	return { mimeType: bare, extension: extensionForMimeType(bare) ?? 'bin' };
}

function hintFromExtension(extension: string | undefined): { mimeType: string; extension: string } | undefined {
	if (!extension || MEANINGLESS_EXTENSIONS.has(extension)) return undefined;
	const mimeType = mimeTypeForExtension(extension);
	return mimeType && !isGenericMimeType(mimeType) ? { mimeType, extension } : undefined;
}

/** A precise member of the container file-type found, named by the sender's file name or declared type. */
function refineContainer(detected: DetectedType, evidence: TypeEvidence): DecidedType | undefined {
	const members = CONTAINER_MEMBERS[detected.extension];
	if (!members) return undefined;
	const hints = [hintFromExtension(extensionOf(evidence.originalName)), hintFromMimeType(evidence.declaredMimeType), hintFromExtension(linkExtension(evidence.linkUrl))];
	const member = hints.find((hint) => hint && members.has(hint.extension));
	return member ? { ...member, source: 'bytes' } : undefined;
}

/**
 * Decides a file's MIME type and extension. The bytes come first; for formats without
 * a magic number the hints are taken in order of trust, each only when the bytes do
 * not contradict it (a claim of a type file-type would have recognised is false).
 */
export function decideFileType(evidence: TypeEvidence): DecidedType {
	const { detected } = evidence;
	if (detected) return refineContainer(detected, evidence) ?? { ...detected, source: 'bytes' };

	const believable = (hint: { mimeType: string; extension: string } | undefined) =>
		hint !== undefined && !evidence.isDetectableType(hint.mimeType) ? hint : undefined;

	const candidates: Array<[TypeSource, { mimeType: string; extension: string } | undefined]> = [
		['declared', hintFromMimeType(evidence.declaredMimeType)],
		['contentType', hintFromMimeType(evidence.contentType)],
		['fileName', hintFromExtension(extensionOf(evidence.originalName))],
		['link', hintFromExtension(linkExtension(evidence.linkUrl))],
	];
	for (const [source, hint] of candidates) {
		const accepted = believable(hint);
		// Bytes that are not text cannot be a text format, whatever a hint says.
		if (accepted && !(accepted.mimeType.startsWith('text/') && evidence.text === undefined && source !== 'declared')) {
			return { ...accepted, source };
		}
	}
	if (evidence.text) return { ...evidence.text, source: 'text' };
	return { mimeType: 'application/octet-stream', extension: 'bin', source: 'unknown' };
}
