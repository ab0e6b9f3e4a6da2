import { compoundDirectorySector } from './compoundFile';
import type { DetectedType } from './detectedType';

/** Why the first bytes cannot settle the type, so the stored copy is read through. */
export type WholeFileReason = 'inconclusive' | 'container' | 'id3';

/**
 * Formats whose identity file-type finds past the first bytes: a zip names its kind
 * (docx, xlsx, pptx, epub, ...) in an entry that can be anywhere in the archive.
 */
const CONTAINERS_READ_THROUGH = new Set(['zip']);

/** A compound file (.doc, .xls, .msg, ...) whose directory's first sector lies past the head. */
function compoundDirectoryPastHead(head: Uint8Array): boolean {
	const sector = compoundDirectorySector(head);
	return sector !== undefined && sector.end > head.length;
}

/** The size of an ID3v2 tag at the start of the file (header included), or undefined when there is none. */
export function id3TagLength(head: Uint8Array): number | undefined {
	if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return undefined;
	// Four 7-bit ("syncsafe") bytes; a set high bit means it is not an ID3 size.
	const size = head.subarray(6, 10);
	if (size.some((byte) => byte >= 0x80)) return undefined;
	const footer = (head[5] & 0x10) !== 0 ? 10 : 0;
	return 10 + footer + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3]);
}

export interface HeadVerdict {
	/** The first bytes, as read before storing. */
	head: Uint8Array;
	/** The head is the whole file. */
	complete: boolean;
	/** What file-type found in the head. */
	detected?: DetectedType;
	/** Whether the head reads as text. */
	isText: boolean;
	/** For a head file-type shows nothing in: whether it wanted bytes past the head (detect.ts, headLeavesTypeOpen). */
	wantsMore?: boolean;
}

/**
 * Whether the head leaves the type open, and why: it shows nothing but file-type wanted
 * more (a TIFF whose first IFD lies at the end, as libtiff writes it), only a container (a zip whose
 * `[Content_Types].xml` comes after large media, a compound file whose directory lies
 * further on), or only an ID3 tag that runs past it
 * (file-type then guesses MP3 without seeing the audio). Text and decided heads,
 * and files the head holds whole, need nothing more.
 */
export function wholeFileReason({ head, complete, detected, isText, wantsMore }: HeadVerdict): WholeFileReason | undefined {
	if (complete) return undefined;
	const id3 = id3TagLength(head);
	if (id3 !== undefined && id3 >= head.length) return 'id3';
	if (!detected) return isText || !wantsMore ? undefined : 'inconclusive';
	if (detected.extension === 'cfb') return compoundDirectoryPastHead(head) ? 'container' : undefined;
	return CONTAINERS_READ_THROUGH.has(detected.extension) ? 'container' : undefined;
}
