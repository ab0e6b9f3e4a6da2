/**
 * Plain-text formats have no magic number, so the bytes are looked at as text: Unicode
 * (UTF-8, UTF-16 or UTF-32, with or without a byte order mark; see decodeText) with no
 * binary control characters is text, and JSON, CSV, TSV, HTML, SVG and XML are told
 * apart where that is cheap and reliable.
 */
export interface TextType {
	mimeType: string;
	extension: string;
}

const PLAIN_TEXT: TextType = { mimeType: 'text/plain', extension: 'txt' };

type UnicodeEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

/** Byte order marks. UTF-32 LE's begins with UTF-16 LE's, so it is tried first. */
const BYTE_ORDER_MARKS: ReadonlyArray<{ encoding: UnicodeEncoding; bytes: readonly number[] }> = [
	{ encoding: 'utf-32le', bytes: [0xff, 0xfe, 0x00, 0x00] },
	{ encoding: 'utf-32be', bytes: [0x00, 0x00, 0xfe, 0xff] },
	{ encoding: 'utf-8', bytes: [0xef, 0xbb, 0xbf] },
	{ encoding: 'utf-16le', bytes: [0xff, 0xfe] },
	{ encoding: 'utf-16be', bytes: [0xfe, 0xff] },
];

function byteOrderMark(head: Uint8Array) {
	return BYTE_ORDER_MARKS.find(({ bytes }) => head.length >= bytes.length && bytes.every((byte, index) => head[index] === byte));
}

/** The bytes with each pair swapped (UTF-16 BE read as LE, which every TextDecoder knows); an odd last byte stays. */
function swapPairs(bytes: Uint8Array): Uint8Array {
	const swapped = Uint8Array.from(bytes);
	for (let index = 0; index + 1 < bytes.length; index += 2) {
		swapped[index] = bytes[index + 1];
		swapped[index + 1] = bytes[index];
	}
	return swapped;
}

/** UTF-32 by hand (TextDecoder has none): every unit a Unicode scalar value. */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean, complete: boolean): string | undefined {
	if (complete && bytes.length % 4 !== 0) return undefined;
	const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength - (bytes.length % 4));
	const codePoints: number[] = [];
	for (let offset = 0; offset < data.byteLength; offset += 4) {
		const codePoint = data.getUint32(offset, littleEndian);
		if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined;
		codePoints.push(codePoint);
	}
	let text = '';
	for (let index = 0; index < codePoints.length; index += 4096) text += String.fromCodePoint(...codePoints.slice(index, index + 4096));
	return text;
}

/** The bytes as text in one encoding; undefined when they are not valid in it. */
function decode(bytes: Uint8Array, encoding: UnicodeEncoding, complete: boolean): string | undefined {
	if (encoding === 'utf-32le' || encoding === 'utf-32be') return decodeUtf32(bytes, encoding === 'utf-32le', complete);
	try {
		const source = encoding === 'utf-16be' ? swapPairs(bytes) : bytes;
		// `stream: true` tolerates a character cut in half at the end of an incomplete head.
		return new TextDecoder(encoding === 'utf-8' ? 'utf-8' : 'utf-16le', { fatal: true, ignoreBOM: true }).decode(source, { stream: !complete });
	} catch {
		return undefined;
	}
}

/**
 * UTF-16 without a byte order mark has no signature. What gives it away is that every
 * character below U+0100 (spaces, line ends, digits, ASCII punctuation, Latin letters)
 * has a zero high byte: at odd offsets in little-endian text, at even ones in big-endian.
 * Real text has such zeros on one side only; the other side is zero only for the rare
 * U+xx00 character (一 is U+4E00). So one side needs a zero in at least one code unit of
 * 64 and four times as many as the other side; the byte order it names must then decode
 * cleanly (see isPlausibleWideText). Binary data with 16-bit fields fails that decode: it
 * holds U+0000, controls, lone surrogates. Text with no character below U+0100 at all
 * (Chinese without line ends) shows nothing to tell it from binary, and is not recognised.
 */
function utf16ByteOrderWithoutMark(head: Uint8Array): UnicodeEncoding | undefined {
	const units = Math.floor(head.length / 2);
	let zerosAtEven = 0;
	let zerosAtOdd = 0;
	for (let index = 0; index + 1 < head.length; index += 2) {
		if (head[index] === 0) zerosAtEven++;
		if (head[index + 1] === 0) zerosAtOdd++;
	}
	const telling = (side: number, other: number) => side >= Math.max(1, units / 64) && side >= other * 4;
	if (telling(zerosAtOdd, zerosAtEven)) return 'utf-16le';
	if (telling(zerosAtEven, zerosAtOdd)) return 'utf-16be';
	return undefined;
}

/**
 * UTF-16 and UTF-32 accept far more byte sequences than UTF-8, so text decoded from them
 * must also look like text: no C1 controls, private-use or unassigned characters (random
 * bytes, such as MPEG audio read as UTF-16, are full of them). A few are tolerated for
 * characters newer than this Node's Unicode tables.
 */
function isPlausibleWideText(text: string): boolean {
	const implausible = text.match(/[\u0080-\u009f\p{Co}\p{Cn}]/gu)?.length ?? 0;
	return implausible <= text.length / 100;
}

function hasBinaryControlCharacters(text: string): boolean {
	let suspicious = 0;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code === 0) return true;
		// Tab, line feed, vertical tab, form feed, carriage return and escape appear in real text.
		if ((code < 0x20 && ![0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b].includes(code)) || code === 0x7f) suspicious++;
	}
	return suspicious > Math.max(2, text.length / 200);
}

function asText(bytes: Uint8Array, encoding: UnicodeEncoding, complete: boolean): string | undefined {
	const text = decode(bytes, encoding, complete);
	if (text === undefined || hasBinaryControlCharacters(text)) return undefined;
	return encoding === 'utf-8' || isPlausibleWideText(text) ? text : undefined;
}

/**
 * The head as text, without its byte order mark: in the encoding its mark names, else
 * UTF-8, else UTF-16 in the byte order its zero bytes show. Undefined when it is not text.
 * Anything that reads a text file's content (an agent tool's `fileText`) decodes it here, as typed.
 */
export function decodeText(head: Uint8Array, complete: boolean): string | undefined {
	const mark = byteOrderMark(head);
	if (mark) return asText(head.subarray(mark.bytes.length), mark.encoding, complete);
	const utf8 = asText(head, 'utf-8', complete);
	if (utf8 !== undefined) return utf8;
	const order = utf16ByteOrderWithoutMark(head);
	return order ? asText(head, order, complete) : undefined;
}

/**
 * Whether the head opens with a UTF-16 or UTF-32 byte order mark and reads as text in it.
 * Such text comes before file-type's verdict: UTF-16 LE's mark, FF FE, is also an MPEG
 * audio frame sync, which file-type reports as audio/mpeg (mp1). MPEG audio fails the decode.
 */
export function isWideTextWithMark(head: Uint8Array, complete: boolean): boolean {
	const mark = byteOrderMark(head);
	return mark !== undefined && mark.encoding !== 'utf-8' && asText(head.subarray(mark.bytes.length), mark.encoding, complete) !== undefined;
}

function looksLikeJson(text: string, complete: boolean): boolean {
	const trimmed = text.trim();
	if (!complete || !(trimmed.startsWith('{') || trimmed.startsWith('['))) return false;
	try {
		JSON.parse(trimmed);
		return true;
	} catch {
		return false;
	}
}

/** Number of fields in a delimited line, honouring double quotes; undefined when a quote is left open. */
function fieldCount(line: string, delimiter: string): number | undefined {
	let count = 1;
	let quoted = false;
	for (let index = 0; index < line.length; index++) {
		const char = line[index];
		if (char === '"') {
			if (quoted && line[index + 1] === '"') index++;
			else quoted = !quoted;
		} else if (char === delimiter && !quoted) count++;
	}
	return quoted ? undefined : count;
}

function delimitedType(text: string, complete: boolean): TextType | undefined {
	const lines = text.split(/\r?\n/);
	if (!complete) lines.pop(); // the last line may be cut short
	const rows = lines.filter((line) => line.trim() !== '').slice(0, 50);
	if (rows.length < 2) return undefined;
	for (const delimiter of ['\t', ',', ';']) {
		const counts = rows.map((row) => fieldCount(row, delimiter));
		const first = counts[0];
		if (first === undefined || first < 2 || counts.some((count) => count !== first)) continue;
		// Two lines of prose with one comma each are not a table: ask for more evidence.
		if (rows.length < 3 && first < 3) continue;
		return delimiter === '\t' ? { mimeType: 'text/tab-separated-values', extension: 'tsv' } : { mimeType: 'text/csv', extension: 'csv' };
	}
	return undefined;
}

function markupType(text: string): TextType | undefined {
	const start = text.trimStart().slice(0, 512).toLowerCase();
	if (start.startsWith('<!doctype html') || start.startsWith('<html')) return { mimeType: 'text/html', extension: 'html' };
	if (start.startsWith('<svg') || (start.startsWith('<?xml') && text.slice(0, 4096).toLowerCase().includes('<svg'))) {
		return { mimeType: 'image/svg+xml', extension: 'svg' };
	}
	if (start.startsWith('<?xml')) return { mimeType: 'application/xml', extension: 'xml' };
	return undefined;
}

/** The text type of the first bytes of a file, or undefined when they are not text. `complete`: the head is the whole file. */
export function sniffText(head: Uint8Array, complete: boolean): TextType | undefined {
	if (head.length === 0) return undefined;
	const text = decodeText(head, complete);
	if (text === undefined) return undefined;
	if (looksLikeJson(text, complete)) return { mimeType: 'application/json', extension: 'json' };
	return markupType(text) ?? delimitedType(text, complete) ?? PLAIN_TEXT;
}
