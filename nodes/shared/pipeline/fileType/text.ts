/**
 * Plain-text formats have no magic number, so the bytes are looked at as text:
 * valid UTF-8 (or a UTF-16 BOM) with no binary control characters is text, and
 * JSON, CSV, TSV, HTML, SVG and XML are told apart where that is cheap and reliable.
 */
export interface TextType {
	mimeType: string;
	extension: string;
}

const PLAIN_TEXT: TextType = { mimeType: 'text/plain', extension: 'txt' };

function decodeUtf8(head: Uint8Array, complete: boolean): string | undefined {
	try {
		// `stream: true` tolerates a character cut in half at the end of an incomplete head.
		return new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
	} catch {
		return undefined;
	}
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
	if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return PLAIN_TEXT; // UTF-16 BOM
	const decoded = decodeUtf8(head, complete);
	if (decoded === undefined || hasBinaryControlCharacters(decoded)) return undefined;
	const text = decoded.replace(/^\ufeff/, '');
	if (looksLikeJson(text, complete)) return { mimeType: 'application/json', extension: 'json' };
	return markupType(text) ?? delimitedType(text, complete) ?? PLAIN_TEXT;
}
