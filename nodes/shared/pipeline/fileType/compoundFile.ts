import type { DetectedType } from './detectedType';
import { mimeTypeForExtension } from './mimeExtensions';

/**
 * Microsoft's Compound File Binary format (OLE2) holds .doc, .xls, .ppt, .msg, .msi, ...
 * file-type stops at "cfb". Which one it is shows in the directory: the root entry's
 * CLSID, and the names of the streams (WordDocument, Workbook, ...). The header names the
 * directory's first sector; reading up to its end is enough here, and needs no random
 * access (one forward read of the stored copy when it lies past the head).
 */
const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const HEADER_BYTES = 512;
const ENTRY_BYTES = 128;
/** "no sector" and the other special sector numbers start here. */
const MAX_REGULAR_SECTOR = 0xfffffffa;

/** Root entry CLSIDs that name the application (as written: 00020906-0000-0000-C000-000000000046). */
const ROOT_CLSIDS: Record<string, string> = {
	'00020906-0000-0000-c000-000000000046': 'doc', // Word 97-2003 document
	'00020900-0000-0000-c000-000000000046': 'doc', // Word 6/95 document
	'00020820-0000-0000-c000-000000000046': 'xls', // Excel 97-2003 workbook
	'00020810-0000-0000-c000-000000000046': 'xls', // Excel 5/95 workbook
	'64818d10-4f9b-11cf-86ea-00aa00b929e8': 'ppt', // PowerPoint 97-2003 presentation
	'00020d0b-0000-0000-c000-000000000046': 'msg', // Outlook message
	'000c1084-0000-0000-c000-000000000046': 'msi', // Windows Installer package
};

/** Stream names that give the application away when the CLSID is empty (some writers leave it so). */
function extensionForStreamName(name: string): string | undefined {
	if (name === 'WordDocument') return 'doc';
	if (name === 'Workbook' || name === 'Book') return 'xls';
	if (name === 'PowerPoint Document') return 'ppt';
	if (name.startsWith('__substg1.0_') || name === '__properties_version1.0' || name === '__nameid_version1.0') return 'msg';
	return undefined;
}

export function isCompoundFile(head: Uint8Array): boolean {
	return head.length >= SIGNATURE.length && SIGNATURE.every((byte, index) => head[index] === byte);
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Where the directory's first sector lies, from the header; undefined when the header is not a sound CFB header. */
export function compoundDirectorySector(header: Uint8Array): { start: number; end: number } | undefined {
	if (!isCompoundFile(header) || header.length < HEADER_BYTES) return undefined;
	const data = view(header);
	const sectorShift = data.getUint16(30, true);
	if (sectorShift !== 9 && sectorShift !== 12) return undefined;
	const sector = data.getUint32(48, true);
	if (sector > MAX_REGULAR_SECTOR) return undefined;
	const start = (sector + 1) * 2 ** sectorShift;
	return { start, end: start + 2 ** sectorShift };
}

function clsid(entry: Uint8Array): string {
	const data = view(entry);
	const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');
	const tail = Array.from(entry.subarray(88, 96), (byte) => hex(byte, 2)).join('');
	return `${hex(data.getUint32(80, true), 8)}-${hex(data.getUint16(84, true), 4)}-${hex(data.getUint16(86, true), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

function entryName(entry: Uint8Array): string {
	const length = Math.min(view(entry).getUint16(64, true), 64);
	// UTF-16LE, the length counts the terminating NUL.
	return new TextDecoder('utf-16le').decode(entry.subarray(0, Math.max(0, length - 2)));
}

/**
 * The application of a compound file, from the directory's first sector (its root entry's
 * CLSID, else its stream names); undefined when they do not say.
 */
export function identifyCompoundFile(directorySector: Uint8Array): DetectedType | undefined {
	let extension: string | undefined;
	for (let offset = 0; offset + ENTRY_BYTES <= directorySector.length && !extension; offset += ENTRY_BYTES) {
		const entry = directorySector.subarray(offset, offset + ENTRY_BYTES);
		const type = entry[66];
		if (offset === 0) {
			if (type !== 5) return undefined; // the first entry is always the root
			extension = ROOT_CLSIDS[clsid(entry)];
		} else if (type === 1 || type === 2) {
			extension = extensionForStreamName(entryName(entry));
		}
	}
	const mimeType = extension && mimeTypeForExtension(extension);
	return extension && mimeType ? { mimeType, extension } : undefined;
}

/** The application of a compound file whose directory's first sector lies in `head`; undefined otherwise. */
export function identifyCompoundFileFromHead(head: Uint8Array): DetectedType | undefined {
	const sector = compoundDirectorySector(head);
	if (!sector || sector.end > head.length) return undefined;
	return identifyCompoundFile(head.subarray(sector.start, sector.end));
}

/** Bytes [start, end) of a file read forward in chunks; only that range is kept. Shorter when the file ends first. */
export async function readRange(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, start: number, end: number): Promise<Uint8Array> {
	const range = new Uint8Array(end - start);
	let position = 0;
	let filled = 0;
	for await (const chunk of chunks) {
		const from = Math.max(start, position);
		const to = Math.min(end, position + chunk.length);
		if (to > from) {
			range.set(chunk.subarray(from - position, to - position), from - start);
			filled = to - start;
		}
		position += chunk.length;
		if (position >= end) break;
	}
	return range.subarray(0, filled);
}
