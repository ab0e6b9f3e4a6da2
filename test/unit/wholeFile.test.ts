// The pure decision of when the node reads the stored copy through (fileType/wholeFile.ts),
// on the real fixtures' first 64 KB. `detected` is given as file-type reports it for that
// head (checked through the built node in test/node/wholeFileType.test.ts).
import { id3TagLength, wholeFileReason } from '../../nodes/shared/pipeline/fileType/wholeFile';
import { sniffText } from '../../nodes/shared/pipeline/fileType/text';
import { fixtures, readFixture } from '../fixtures/fixtures';

const HEAD_BYTES = 64 * 1024;

function headOf(file: string): { head: Buffer; complete: boolean; isText: boolean } {
	const bytes = readFixture(file);
	const head = bytes.subarray(0, HEAD_BYTES);
	const complete = bytes.length <= HEAD_BYTES;
	return { head, complete, isText: sniffText(head, complete) !== undefined };
}

describe('wholeFileReason on real files', () => {
	test('the past-the-head fixtures are bigger than the head', () => {
		for (const file of ['scan-ifd-at-end.tif', 'media-first.docx', 'media-first.xlsx', 'media-first.pptx', 'audio-album-art.mp3']) {
			expect(readFixture(file).length).toBeGreaterThan(HEAD_BYTES);
		}
	});

	test('a TIFF whose first IFD is at the end: the head shows nothing, so the file is read through', () => {
		const bytes = readFixture('scan-ifd-at-end.tif');
		expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 0x2a, 0x00]));
		expect(bytes.readUInt32LE(4)).toBeGreaterThan(HEAD_BYTES);
		expect(wholeFileReason({ ...headOf('scan-ifd-at-end.tif'), detected: undefined, wantsMore: true })).toBe('inconclusive');
	});

	test.each(['media-first.docx', 'media-first.xlsx', 'media-first.pptx'])('%s: the head shows only a zip, so the file is read through', (file) => {
		expect(wholeFileReason({ ...headOf(file), detected: { mimeType: 'application/zip', extension: 'zip' } })).toBe('container');
	});

	test('an MP3 whose ID3 tag (album art) runs past the head: read through, since file-type only guessed MP3 from the tag', () => {
		const { head } = headOf('audio-album-art.mp3');
		expect(id3TagLength(head)).toBeGreaterThan(200_000);
		expect(wholeFileReason({ ...headOf('audio-album-art.mp3'), detected: { mimeType: 'audio/mpeg', extension: 'mp3' } })).toBe('id3');
	});

	test.each(fixtures.map((fixture) => fixture.file))('%s (held whole by the head): nothing more is read', (file) => {
		const head = headOf(file);
		expect(head.complete).toBe(true);
		expect(wholeFileReason({ ...head, detected: undefined, wantsMore: true })).toBeUndefined();
		expect(wholeFileReason({ ...head, detected: { mimeType: 'application/zip', extension: 'zip' } })).toBeUndefined();
	});
});

describe('wholeFileReason: heads that decide cost nothing', () => {
	const big = (bytes: number[]) => ({ head: Buffer.concat([Buffer.from(bytes), Buffer.alloc(HEAD_BYTES)]).subarray(0, HEAD_BYTES), complete: false });

	test('a decided, non-container type is final', () => {
		for (const detected of [
			{ mimeType: 'image/jpeg', extension: 'jpg' },
			{ mimeType: 'application/pdf', extension: 'pdf' },
			{ mimeType: 'image/tiff', extension: 'tif' },
			{ mimeType: 'video/mp4', extension: 'mp4' },
		]) {
			expect(wholeFileReason({ ...big([0xff, 0xd8, 0xff]), detected, isText: false })).toBeUndefined();
		}
	});

	test('large text is text: no read-back', () => {
		const text = Buffer.from('id,name\n1,Alice\n'.repeat(10_000)).subarray(0, HEAD_BYTES);
		expect(wholeFileReason({ head: text, complete: false, detected: undefined, isText: true })).toBeUndefined();
	});

	test('a large head file-type does not know: read through only when file-type wanted bytes past it', () => {
		expect(wholeFileReason({ ...big([0x49, 0x49, 0x2a, 0x00]), detected: undefined, isText: false, wantsMore: true })).toBe('inconclusive');
		expect(wholeFileReason({ ...big([0x00, 0x01, 0x02]), detected: undefined, isText: false, wantsMore: false })).toBeUndefined();
		expect(wholeFileReason({ ...big([0x00, 0x01, 0x02]), detected: undefined, isText: false })).toBeUndefined();
	});

	test('an ID3 tag that ends inside the head leaves the verdict to what follows it', () => {
		// Tag of 1000 bytes (syncsafe 0x00 0x00 0x07 0x68 = 1000).
		const head = big([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x07, 0x68]);
		expect(id3TagLength(head.head)).toBe(1010);
		expect(wholeFileReason({ ...head, detected: { mimeType: 'audio/mpeg', extension: 'mp3' }, isText: false })).toBeUndefined();
	});

	test('ID3 sizes with the high bit set are not ID3 sizes', () => {
		expect(id3TagLength(Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00]))).toBeUndefined();
		expect(id3TagLength(Buffer.from('ID3'))).toBeUndefined();
	});
});
