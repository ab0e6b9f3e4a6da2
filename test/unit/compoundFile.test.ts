// Compound File Binary (OLE2) identification (fileType/compoundFile.ts) on LibreOffice's
// real .doc / .xls / .ppt files, and the forward range read the node uses on the stored copy.
import {
	compoundDirectorySector,
	identifyCompoundFile,
	identifyCompoundFileFromHead,
	isCompoundFile,
	readRange,
} from '../../nodes/shared/pipeline/fileType/compoundFile';
import { wholeFileReason } from '../../nodes/shared/pipeline/fileType/wholeFile';
import { readFixture } from '../fixtures/fixtures';

const HEAD_BYTES = 64 * 1024;
const CFB = { mimeType: 'application/x-cfb', extension: 'cfb' };

/** The file as chunks of `size` bytes, the way a stream hands it over. */
function* chunksOf(bytes: Buffer, size: number): Generator<Uint8Array> {
	for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

describe('identifyCompoundFile on LibreOffice files', () => {
	test.each([
		['document.doc', { mimeType: 'application/msword', extension: 'doc' }],
		['spreadsheet.xls', { mimeType: 'application/vnd.ms-excel', extension: 'xls' }],
	])('%s: the directory is in the head, the root CLSID names it', (file, expected) => {
		const bytes = readFixture(file);
		expect(bytes.length).toBeLessThanOrEqual(HEAD_BYTES);
		expect(isCompoundFile(bytes)).toBe(true);
		expect(identifyCompoundFileFromHead(bytes)).toEqual(expected);
		// Nothing more to read: the head held the directory.
		expect(wholeFileReason({ head: bytes, complete: false, detected: CFB, isText: false })).toBeUndefined();
	});

	test.each([
		['report-long.doc', { mimeType: 'application/msword', extension: 'doc' }],
		['slides.ppt', { mimeType: 'application/vnd.ms-powerpoint', extension: 'ppt' }],
	])('%s: the directory lies past the head; one forward read up to it names the file', async (file, expected) => {
		const bytes = readFixture(file);
		const head = bytes.subarray(0, HEAD_BYTES);
		const sector = compoundDirectorySector(head)!;
		expect(sector.start).toBeGreaterThan(HEAD_BYTES);
		expect(identifyCompoundFileFromHead(head)).toBeUndefined();
		expect(wholeFileReason({ head, complete: false, detected: CFB, isText: false })).toBe('container');
		for (const chunkSize of [1000, 65_536, bytes.length]) {
			const directory = await readRange(chunksOf(bytes, chunkSize), sector.start, sector.end);
			expect(identifyCompoundFile(directory)).toEqual(expected);
		}
	});
});

describe('identifyCompoundFile on made-up directories', () => {
	/** A 512-byte directory sector: a root entry with `clsid` (as written on disk), then named streams. */
	function directory(clsidBytes: number[], names: string[] = []): Uint8Array {
		const sector = new Uint8Array(512);
		const entry = (index: number, name: string, type: number) => {
			const offset = index * 128;
			const encoded = Buffer.from(`${name}\0`, 'utf16le');
			sector.set(encoded, offset);
			new DataView(sector.buffer).setUint16(offset + 64, encoded.length, true);
			sector[offset + 66] = type;
		};
		entry(0, 'Root Entry', 5);
		sector.set(clsidBytes, 80);
		names.forEach((name, index) => entry(index + 1, name, 2));
		return sector;
	}
	const NO_CLSID = new Array(16).fill(0);

	test('an Outlook message by its CLSID, or by its __substg1.0_ streams', () => {
		const outlook = [0x0b, 0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46];
		expect(identifyCompoundFile(directory(outlook))).toEqual({ mimeType: 'application/vnd.ms-outlook', extension: 'msg' });
		expect(identifyCompoundFile(directory(NO_CLSID, ['__nameid_version1.0', '__substg1.0_0037001F']))?.extension).toBe('msg');
	});

	test('empty CLSID: the stream names decide', () => {
		expect(identifyCompoundFile(directory(NO_CLSID, ['1Table', 'WordDocument']))?.extension).toBe('doc');
		expect(identifyCompoundFile(directory(NO_CLSID, ['Workbook']))?.extension).toBe('xls');
		expect(identifyCompoundFile(directory(NO_CLSID, ['PowerPoint Document']))?.extension).toBe('ppt');
	});

	test('nothing known: undefined (the file stays application/x-cfb)', () => {
		expect(identifyCompoundFile(directory(NO_CLSID, ['Contents', 'Data']))).toBeUndefined();
		expect(identifyCompoundFile(new Uint8Array(512))).toBeUndefined(); // no root entry
	});

	test('headers that are not sound CFB headers name no directory', () => {
		const header = Buffer.from(readFixture('document.doc').subarray(0, 512));
		expect(compoundDirectorySector(header)).toBeDefined();
		const badShift = Buffer.from(header);
		badShift.writeUInt16LE(10, 30);
		expect(compoundDirectorySector(badShift)).toBeUndefined();
		const noSector = Buffer.from(header);
		noSector.writeUInt32LE(0xfffffffe, 48);
		expect(compoundDirectorySector(noSector)).toBeUndefined();
		expect(compoundDirectorySector(header.subarray(0, 100))).toBeUndefined();
		expect(compoundDirectorySector(Buffer.alloc(512))).toBeUndefined();
	});
});

describe('readRange', () => {
	const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, index) => index % 251));

	test.each([1, 7, 4096, 10_000])('keeps exactly [start, end) across chunks of %i bytes', async (size) => {
		expect(Buffer.from(await readRange(chunksOf(bytes, size), 4095, 8191))).toEqual(bytes.subarray(4095, 8191));
	});

	test('stops reading once past the end of the range', async () => {
		let served = 0;
		function* counted(): Generator<Uint8Array> {
			for (const chunk of chunksOf(bytes, 1000)) {
				served++;
				yield chunk;
			}
		}
		await readRange(counted(), 0, 2500);
		expect(served).toBe(3);
	});

	test('a file that ends first gives what there is', async () => {
		expect((await readRange(chunksOf(bytes, 3000), 9000, 12_000)).length).toBe(1000);
	});
});
