// Pure unit tests of the type and name decisions (nodes/DownloadMessageFile/fileType/).
// Byte detection itself (file-type, ESM-only) is exercised by test/node/fixtures.test.ts
// through the built node; here `detected` is given as file-type would report it.
import { decideFileType, type TypeEvidence } from '../../nodes/shared/pipeline/fileType/decide';
import { normaliseDetectedType } from '../../nodes/shared/pipeline/fileType/detectedType';
import { decideFileName, sanitiseFileName } from '../../nodes/shared/pipeline/fileType/fileName';
import { sniffText } from '../../nodes/shared/pipeline/fileType/text';
import { readFixture } from '../fixtures/fixtures';

/** Types file-type recognises by their bytes (a subset of its supportedMimeTypes, enough for these cases). */
const DETECTABLE = new Set([
	'image/jpeg',
	'image/png',
	'image/gif',
	'image/webp',
	'application/pdf',
	'application/zip',
	'application/x-cfb',
	'audio/mpeg',
	'audio/ogg',
	'audio/amr',
	'video/mp4',
]);
const isDetectableType = (mimeType: string) => DETECTABLE.has(mimeType);
const decide = (evidence: Omit<TypeEvidence, 'isDetectableType'>) => decideFileType({ ...evidence, isDetectableType });

const PLAIN = { mimeType: 'text/plain', extension: 'txt' };
const utf8 = (text: string) => new TextEncoder().encode(text);
const OSS_LINK = 'https://static.dingtalk.com/dingstandin/4f1c2b.file?Expires=1700000000&OSSAccessKeyId=LTAI&Signature=x';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** True when the string holds no lone surrogate (a character cut in half). */
const wellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('decideFileType: the bytes first', () => {
	test('a magic number beats every hint', () => {
		expect(
			decide({
				detected: { mimeType: 'image/png', extension: 'png' },
				declaredMimeType: 'image/jpeg',
				contentType: 'image/gif',
				originalName: 'photo.jpg',
				linkUrl: 'https://mmg.whatsapp.net/x/abc.jpg',
			}),
		).toEqual({ mimeType: 'image/png', extension: 'png', source: 'bytes' });
	});

	test.each([
		['zip', 'application/zip', { originalName: 'Q3 results.xlsx' }, XLSX, 'xlsx'],
		['zip', 'application/zip', { originalName: 'letter.DOCX' }, DOCX, 'docx'],
		['zip', 'application/zip', { declaredMimeType: DOCX }, DOCX, 'docx'],
		['zip', 'application/zip', { linkUrl: 'https://mmg.whatsapp.net/d/f/deck.pptx' }, PPTX, 'pptx'],
		['zip', 'application/zip', { originalName: 'book.epub' }, 'application/epub+zip', 'epub'],
		['cfb', 'application/x-cfb', { originalName: 'old.doc' }, 'application/msword', 'doc'],
		['cfb', 'application/x-cfb', { originalName: 'old.xls' }, 'application/vnd.ms-excel', 'xls'],
	])('container %s refined by a hint naming a member: %j', (extension, mimeType, hints, expectedMime, expectedExtension) => {
		expect(decide({ detected: { mimeType, extension }, ...hints })).toEqual({
			mimeType: expectedMime,
			extension: expectedExtension,
			source: 'bytes',
		});
	});

	test('a container is not refined into something it cannot be', () => {
		const zip = { mimeType: 'application/zip', extension: 'zip' };
		expect(decide({ detected: zip, originalName: 'scan.pdf', declaredMimeType: 'image/jpeg' })).toEqual({ ...zip, source: 'bytes' });
		expect(decide({ detected: zip, originalName: 'old.doc' })).toEqual({ ...zip, source: 'bytes' });
		const cfb = { mimeType: 'application/x-cfb', extension: 'cfb' };
		expect(decide({ detected: cfb, originalName: 'new.docx' })).toEqual({ ...cfb, source: 'bytes' });
	});

	test('the sender name wins over the declared type when refining', () => {
		expect(decide({ detected: { mimeType: 'application/zip', extension: 'zip' }, originalName: 'a.xlsx', declaredMimeType: DOCX })).toMatchObject({
			extension: 'xlsx',
		});
	});
});

describe('decideFileType: hints for bytes without a magic number, in order', () => {
	const all: Omit<TypeEvidence, 'isDetectableType'> = {
		text: PLAIN,
		declaredMimeType: 'text/markdown',
		contentType: 'text/csv; charset=utf-8',
		originalName: 'notes.tsv',
		linkUrl: 'https://mmg.whatsapp.net/d/f/abc.json',
	};

	test('declared MIME type first', () => {
		expect(decide(all)).toEqual({ mimeType: 'text/markdown', extension: 'md', source: 'declared' });
	});
	test('then Content-Type, bare (no parameters)', () => {
		expect(decide({ ...all, declaredMimeType: undefined })).toEqual({ mimeType: 'text/csv', extension: 'csv', source: 'contentType' });
	});
	test.each(['application/octet-stream', 'binary/octet-stream', 'application/force-download', 'application/octet-stream; charset=binary', 'garbage'])(
		'a generic Content-Type (%s) is no evidence',
		(contentType) => {
			expect(decide({ ...all, declaredMimeType: undefined, contentType })).toEqual({
				mimeType: 'text/tab-separated-values',
				extension: 'tsv',
				source: 'fileName',
			});
		},
	);
	test("then the original name's extension", () => {
		expect(decide({ ...all, declaredMimeType: undefined, contentType: undefined })).toMatchObject({ extension: 'tsv', source: 'fileName' });
	});
	test("then the link's extension", () => {
		expect(decide({ ...all, declaredMimeType: undefined, contentType: undefined, originalName: '季度报告' })).toEqual({
			mimeType: 'application/json',
			extension: 'json',
			source: 'link',
		});
	});
	test('a `.file` link (DingTalk OSS) says nothing: the text check decides', () => {
		expect(decide({ text: { mimeType: 'text/csv', extension: 'csv' }, contentType: 'application/octet-stream', linkUrl: OSS_LINK })).toEqual({
			mimeType: 'text/csv',
			extension: 'csv',
			source: 'text',
		});
	});
	test('a link without extension (MAX) says nothing', () => {
		expect(decide({ text: PLAIN, linkUrl: 'https://max.example/i?r=AbC.json' })).toEqual({ ...PLAIN, source: 'text' });
	});
	test('nothing known: application/octet-stream, bin', () => {
		expect(decide({ contentType: 'application/octet-stream', linkUrl: OSS_LINK })).toEqual({
			mimeType: 'application/octet-stream',
			extension: 'bin',
			source: 'unknown',
		});
		expect(decide({})).toEqual({ mimeType: 'application/octet-stream', extension: 'bin', source: 'unknown' });
	});
});

describe('decideFileType: hints the bytes contradict', () => {
	test('declared image/jpeg on text bytes: the bytes would have shown a JPEG, so it is text', () => {
		expect(decide({ text: PLAIN, declaredMimeType: 'image/jpeg', originalName: 'photo.jpg' })).toEqual({ ...PLAIN, source: 'text' });
	});
	test('declared image/jpeg on unrecognisable bytes is not believed either', () => {
		expect(decide({ declaredMimeType: 'image/jpeg', contentType: 'image/jpeg', linkUrl: 'https://h/x.jpg' })).toEqual({
			mimeType: 'application/octet-stream',
			extension: 'bin',
			source: 'unknown',
		});
	});
	test('a contradicted hint does not hide a later, believable one', () => {
		expect(decide({ text: PLAIN, declaredMimeType: 'application/pdf', originalName: 'table.csv' })).toEqual({
			mimeType: 'text/csv',
			extension: 'csv',
			source: 'fileName',
		});
	});
	test('bytes that are not text are not a text format because a host or name says so', () => {
		expect(decide({ contentType: 'text/plain', originalName: 'notes.txt', linkUrl: 'https://h/notes.csv' })).toEqual({
			mimeType: 'application/octet-stream',
			extension: 'bin',
			source: 'unknown',
		});
	});
	test('a declared text type is believed on non-UTF-8 bytes (e.g. GBK text)', () => {
		expect(decide({ declaredMimeType: 'text/plain; charset=gbk' })).toEqual({ ...PLAIN, source: 'declared' });
	});
	test('a non-text hint of a type without magic number is taken on binary bytes', () => {
		expect(decide({ originalName: 'id.p12', contentType: 'application/octet-stream' })).toEqual({
			mimeType: 'application/x-pkcs12',
			extension: 'p12',
			source: 'fileName',
		});
		// An extension no MIME database knows is no evidence (the name is kept, see decideFileName).
		expect(decide({ originalName: 'model.onnx' })).toMatchObject({ extension: 'bin', source: 'unknown' });
	});
});

describe('normaliseDetectedType', () => {
	test.each([
		['opus', 'audio/ogg; codecs=opus', 'audio/ogg', 'ogg'],
		['ogg', 'audio/ogg', 'audio/ogg', 'ogg'],
		['oga', 'audio/ogg', 'audio/ogg', 'ogg'],
		['spx', 'audio/ogg', 'audio/ogg', 'ogg'],
		['ogv', 'video/ogg', 'video/ogg', 'ogv'],
		['png', 'image/png', 'image/png', 'png'],
		['m4a', 'audio/x-m4a', 'audio/x-m4a', 'm4a'],
		['amr', 'audio/amr', 'audio/amr', 'amr'],
		['xyz', 'Application/X-Thing; version=2', 'application/x-thing', 'xyz'],
		['xyz', 'not a mime type', 'application/octet-stream', 'xyz'],
	])('(%s, %s) → %s, %s', (extension, mimeType, expectedMime, expectedExtension) => {
		expect(normaliseDetectedType(extension, mimeType)).toEqual({ mimeType: expectedMime, extension: expectedExtension });
	});
});

describe('sniffText', () => {
	test.each([
		['text-utf8.txt', 'text/plain', 'txt'],
		['table.csv', 'text/csv', 'csv'],
		['data.json', 'application/json', 'json'],
	])('fixture %s → %s', (file, mimeType, extension) => {
		expect(sniffText(readFixture(file), true)).toEqual({ mimeType, extension });
	});

	test.each(['image.png', 'image.jpg', 'document.pdf', 'archive.zip', 'audio.mp3', 'voice.amr', 'voice.ogg'])('binary fixture %s is not text', (file) => {
		expect(sniffText(readFixture(file).subarray(0, 64 * 1024), false)).toBeUndefined();
	});

	test('CSV: consistent quoted fields, several rows', () => {
		const csv = 'name,city,note\r\n"Smith, J.",Berlin,"said ""hi"""\r\nIvanov,Москва,ok\r\n';
		expect(sniffText(utf8(csv), true)).toEqual({ mimeType: 'text/csv', extension: 'csv' });
	});
	test('semicolon-separated (European Excel) is CSV too; tabs make TSV', () => {
		expect(sniffText(utf8('a;b;c\n1;2;3\n4;5;6\n'), true)).toEqual({ mimeType: 'text/csv', extension: 'csv' });
		expect(sniffText(utf8('a\tb\n1\t2\n3\t4\n'), true)).toEqual({ mimeType: 'text/tab-separated-values', extension: 'tsv' });
	});
	test.each([
		'Hello, world.\nThis is, as you see, just prose.\n',
		'Dear Anna, thanks.\nSee you, Bob\n',
		'One line, with, commas, only\n',
		'Привет, как дела?\nВсё хорошо, спасибо!\nА у тебя как?\n',
	])('prose with commas is plain text: %j', (prose) => {
		expect(sniffText(utf8(prose), true)).toEqual(PLAIN);
	});
	test('a head cut inside a CSV line ignores the cut line', () => {
		const head = utf8('id,name,amount\n1,Anna,10\n2,Bob,20\n3,"Car');
		expect(sniffText(head, false)).toEqual({ mimeType: 'text/csv', extension: 'csv' });
	});

	test('JSON only when the whole file was seen', () => {
		const json = readFixture('data.json');
		expect(sniffText(json, true)).toEqual({ mimeType: 'application/json', extension: 'json' });
		expect(sniffText(json.subarray(0, json.length - 1), false)).toEqual(PLAIN);
		expect(sniffText(json, false)).toEqual(PLAIN); // a head that merely looks whole is not proof
		expect(sniffText(utf8('{"a": 1, "b": [1, 2'), true)).toEqual(PLAIN);
		expect(sniffText(utf8('\ufeff[{"id":1}]'), true)).toEqual({ mimeType: 'application/json', extension: 'json' });
		expect(sniffText(utf8('42'), true)).toEqual(PLAIN);
	});

	test('UTF-8 cut mid-character at the end of the head is still text; at the end of the file it is not UTF-8', () => {
		const bytes = utf8('中文和кириллица '.repeat(400));
		const head = bytes.subarray(0, 4000);
		// 4000 falls inside a character: check the cut really splits one.
		expect(() => new TextDecoder('utf-8', { fatal: true }).decode(head)).toThrow();
		expect(sniffText(head, false)).toEqual(PLAIN);
		expect(sniffText(head, true)).toBeUndefined();
	});

	test.each(['utf8-bom', 'utf16le-bom', 'utf16be-bom', 'utf16le', 'utf16be', 'utf32le-bom', 'utf32be-bom'])(
		'the multilingual fixture in %s is plain text, whole or as a head cut mid-character',
		(encoding) => {
			const bytes = readFixture(`text-${encoding}.txt`);
			expect(sniffText(bytes, true)).toEqual(PLAIN);
			// A head ending inside a character (odd length for UTF-16, a split unit for UTF-32) is still text.
			expect(sniffText(bytes.subarray(0, bytes.length - 3), false)).toEqual(PLAIN);
		},
	);

	test('the byte order mark names the encoding: a UTF-16 file cut to an odd length is not UTF-16', () => {
		const bytes = readFixture('text-utf16le-bom.txt');
		expect(sniffText(bytes.subarray(0, bytes.length - 1), true)).toBeUndefined();
	});

	test('an MP3 of frames only (FF Fx sync, like a UTF-16 LE mark) is not text, even behind a UTF-16 mark', () => {
		const mp3 = readFixture('audio-frames-only.mp3');
		expect(sniffText(mp3, true)).toBeUndefined();
		expect(sniffText(Buffer.concat([Buffer.from([0xff, 0xfe]), mp3]), true)).toBeUndefined();
		expect(sniffText(Buffer.concat([Buffer.from([0xfe, 0xff]), mp3]), true)).toBeUndefined();
		expect(sniffText(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), mp3.subarray(0, 4000)]), true)).toBeUndefined();
	});

	test('UTF-16 without a mark: its zero bytes name the byte order; JSON and CSV are told apart as in UTF-8', () => {
		expect(sniffText(Buffer.from('{"город": "Москва", "城市": "北京"}', 'utf16le'), true)).toEqual({ mimeType: 'application/json', extension: 'json' });
		expect(sniffText(Buffer.from('a,b,c\n1,2,3\n4,5,6\n', 'utf16le').swap16(), true)).toEqual({ mimeType: 'text/csv', extension: 'csv' });
		expect(sniffText(Buffer.from('Hi\n', 'utf16le'), true)).toEqual(PLAIN);
	});

	test('binary with 16-bit fields is not BOM-less UTF-16', () => {
		// Little-endian 16-bit samples of a quiet sine: zero high bytes, but U+0000 and controls among them.
		const samples = Buffer.alloc(2000);
		for (let index = 0; index < 1000; index++) samples.writeInt16LE(Math.round(200 * Math.sin(index / 7)), index * 2);
		expect(sniffText(samples, true)).toBeUndefined();
		// Small integers 0..255 as 16-bit values: C1 and C0 controls.
		expect(sniffText(Buffer.from(Uint16Array.from({ length: 512 }, (_, index) => index % 256).buffer), true)).toBeUndefined();
	});

	test('UTF-16 with a BOM (both byte orders) is text', () => {
		const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Отчёт 报告', 'utf16le')]);
		const be = Buffer.from(le.subarray(2)).swap16();
		expect(sniffText(le, true)).toEqual(PLAIN);
		expect(sniffText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), true)).toEqual(PLAIN);
	});

	test('NUL bytes, many control characters or invalid UTF-8 are not text', () => {
		expect(sniffText(utf8('abc\u0000def'), true)).toBeUndefined();
		expect(sniffText(utf8('\u0001\u0002\u0003\u0004\u0005 data'), true)).toBeUndefined();
		expect(sniffText(Uint8Array.from([0x48, 0x69, 0xc3, 0x28, 0x20]), true)).toBeUndefined();
		expect(sniffText(new Uint8Array(0), true)).toBeUndefined();
	});
	test('tabs, CR LF, form feeds and ANSI escapes are fine', () => {
		expect(sniffText(utf8('a\tb\r\n\fpage 2 \u001b[1mbold\u001b[0m\n'), true)).toEqual(PLAIN);
	});
	test('markup: HTML, SVG, XML', () => {
		expect(sniffText(utf8('<!DOCTYPE html><html><body>x</body></html>'), true)).toEqual({ mimeType: 'text/html', extension: 'html' });
		expect(sniffText(utf8('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), true)).toEqual({
			mimeType: 'image/svg+xml',
			extension: 'svg',
		});
		expect(sniffText(utf8('<?xml version="1.0"?><root/>'), true)).toEqual({ mimeType: 'application/xml', extension: 'xml' });
	});
});

describe('decideFileName', () => {
	const type = (mimeType: string, extension: string, source: 'bytes' | 'text' | 'unknown' = 'bytes') => ({ mimeType, extension, source });
	const PDF = type('application/pdf', 'pdf');
	const JPEG = type('image/jpeg', 'jpg');
	const OGG = type('audio/ogg', 'ogg');
	const fallbackName = 'whatsapp-BAE5F4886F6F2D05';

	test.each([
		['季度报告', PDF, '季度报告.pdf'],
		['photo.jpeg', JPEG, 'photo.jpeg'],
		['Photo.JPG', JPEG, 'Photo.JPG'],
		['photo.png', JPEG, 'photo.jpg'],
		['voice.oga', OGG, 'voice.ogg'],
		['voice.opus', OGG, 'voice.ogg'],
		['x.file', PDF, 'x.pdf'],
		['scan.bin', PDF, 'scan.pdf'],
		['report.v2', PDF, 'report.v2.pdf'],
		['Отчёт за 2024 г.', PDF, 'Отчёт за 2024 г.pdf'],
		['data.csv', type('text/csv', 'csv', 'text'), 'data.csv'],
		['README', type('text/plain', 'txt', 'text'), 'README.txt'],
		['model.onnx', type('application/octet-stream', 'bin', 'unknown'), 'model.onnx'],
		['blob.file', type('application/octet-stream', 'bin', 'unknown'), 'blob.bin'],
	])('original name %j holding %j → %j', (originalName, decided, expected) => {
		expect(decideFileName({ originalName, fallbackName, type: decided })).toBe(expected);
	});

	test('no original name: the fallback name plus the extension', () => {
		expect(decideFileName({ fallbackName, type: PDF })).toBe(`${fallbackName}.pdf`);
		expect(decideFileName({ fallbackName: 'dingtalk-0a1b2c3d4e5f', type: OGG })).toBe('dingtalk-0a1b2c3d4e5f.ogg');
	});

	test.each(['', '   ', '.', '..', '...', '. . .', '\u0000\u0001'])('an empty or dots-only name %j falls back', (originalName) => {
		expect(decideFileName({ originalName, fallbackName, type: PDF })).toBe(`${fallbackName}.pdf`);
	});

	test('the File Name option wins: kept as given with an extension, extension added without', () => {
		expect(decideFileName({ override: 'Invoice 42', originalName: 'scan.pdf', fallbackName, type: PDF })).toBe('Invoice 42.pdf');
		expect(decideFileName({ override: 'invoice.pdf', originalName: 'scan.pdf', fallbackName, type: PDF })).toBe('invoice.pdf');
		expect(decideFileName({ override: '  ', originalName: 'scan.pdf', fallbackName, type: PDF })).toBe('scan.pdf');
		expect(decideFileName({ override: '../../x/report', fallbackName, type: PDF })).toBe('report.pdf');
	});

	test('never `.file`', () => {
		for (const originalName of [undefined, 'a.file', 'file', '.file']) {
			const name = decideFileName({ originalName, fallbackName: 'dingtalk-abc', type: type('application/octet-stream', 'bin', 'unknown') });
			expect(name).not.toMatch(/\.file$/);
		}
	});

	test('a long name without extension gets one and stays within 200 bytes', () => {
		const name = decideFileName({ originalName: '报'.repeat(500), fallbackName, type: PDF });
		expect(name.endsWith('.pdf')).toBe(true);
		expect(utf8Bytes(name)).toBeLessThanOrEqual(200);
		expect(name).toBe(`${'报'.repeat(65)}.pdf`);
	});
});

describe('sanitiseFileName', () => {
	test.each([
		['../../etc/passwd', 'passwd'],
		['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
		['/var/data/report.pdf', 'report.pdf'],
		['a<b>c:d|e?.txt', 'a_b_c_d_e_.txt'],
		['say "hi"*.txt', 'say _hi__.txt'],
		['rep\u0000ort\u0007\u001f\u007f\u0085.pdf', 'report.pdf'],
		['line\nbreak\ttab.txt', 'linebreaktab.txt'],
		['  spaced    out  .pdf ', 'spaced out .pdf'],
		['...hidden', 'hidden'],
		['trailing dots...', 'trailing dots'],
		['Отчёт 报告.docx', 'Отчёт 报告.docx'],
	])('%j → %j', (input, expected) => {
		expect(sanitiseFileName(input)).toBe(expected);
	});

	test.each([undefined, '', '.', '..', '....', ' . ', '/', '../..', '\u0000'])('%j → nothing (use the fallback)', (input) => {
		expect(sanitiseFileName(input)).toBeUndefined();
	});

	test('bidirectional overrides cannot disguise the extension (invoice‮fdp.exe)', () => {
		const name = sanitiseFileName('invoice\u202efdp.exe');
		expect(name).toBe('invoicefdp.exe');
	});

	test('a 500-character name is cut to at most 200 UTF-8 bytes, extension kept', () => {
		const ascii = sanitiseFileName(`${'a'.repeat(496)}.txt`)!;
		expect(utf8Bytes(ascii)).toBe(200);
		expect(ascii).toBe(`${'a'.repeat(196)}.txt`);

		const chinese = sanitiseFileName(`${'季度报告'.repeat(125)}.xlsx`)!;
		expect(utf8Bytes(chinese)).toBeLessThanOrEqual(200);
		expect(chinese.endsWith('.xlsx')).toBe(true);
		expect(chinese.startsWith('季度报告季度报告')).toBe(true);
	});

	test('cutting never leaves half a surrogate pair', () => {
		for (const prefix of ['', 'a', 'ab', 'abc']) {
			const name = sanitiseFileName(`${prefix}${'😀'.repeat(250)}.pdf`)!;
			expect(utf8Bytes(name)).toBeLessThanOrEqual(200);
			expect(name.endsWith('.pdf')).toBe(true);
			expect(wellFormed(name)).toBe(true);
			expect(name).toBe(`${prefix}${'😀'.repeat(Math.floor((196 - prefix.length) / 4))}.pdf`);
		}
	});
});
