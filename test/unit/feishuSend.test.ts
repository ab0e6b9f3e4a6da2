// The pure parts of Feishu sending: what a real type becomes (upload, file_type, msg_type)
// at the edges of Feishu's limits, receive_id_type from an ID's shape, and the uuid's
// length. (Codec and length from the bytes are read through the built node, in
// test/node/sendFeishu.test.ts: music-metadata is ESM, bundled by esbuild.)
import { receiveIdTypeOf } from '../../nodes/shared/messengers/feishu/chatTarget';
import { deliveryUuid } from '../../nodes/shared/messengers/feishu/deliveryUuid';
import { assertFeishuSendable, feishuUploadOf } from '../../nodes/shared/messengers/feishu/mediaKinds';

const MB = 1024 * 1024;

describe('what a file becomes', () => {
	it.each([
		['jpg', 'image/jpeg'],
		['png', 'image/png'],
		['webp', 'image/webp'],
		['gif', 'image/gif'],
		['bmp', 'image/bmp'],
		['ico', 'image/x-icon'],
		['tif', 'image/tiff'],
		['heic', 'image/heic'],
	])('%s up to 10 MB is an image message', (extension, mimeType) => {
		expect(feishuUploadOf({ extension, mimeType, size: 10 * MB })).toEqual({ upload: 'image', msgType: 'image', kind: 'image' });
		expect(feishuUploadOf({ extension, mimeType, size: 10 * MB + 1 })).toEqual({ upload: 'file', fileType: 'stream', msgType: 'file', kind: 'file' });
	});

	it.each([
		['mp4', 'video/mp4', false, 'mp4', 'media', 'video'],
		['m4v', 'video/x-m4v', false, 'mp4', 'media', 'video'],
		['ogg', 'audio/ogg', true, 'opus', 'audio', 'audio'],
		['ogg', 'audio/ogg', false, 'stream', 'file', 'file'],
		['pdf', 'application/pdf', false, 'pdf', 'file', 'file'],
		['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', false, 'doc', 'file', 'file'],
		['xls', 'application/vnd.ms-excel', false, 'xls', 'file', 'file'],
		['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', false, 'ppt', 'file', 'file'],
		['mp3', 'audio/mpeg', false, 'stream', 'file', 'file'],
		['zip', 'application/zip', false, 'stream', 'file', 'file'],
	])('%s (%s, Opus %s) → file_type %s, %s message', (extension, mimeType, opus, fileType, msgType, kind) => {
		expect(feishuUploadOf({ extension, mimeType, size: 1000 }, opus)).toEqual({ upload: 'file', fileType, msgType, kind });
	});

	it('refuses empty files and files over 30 MB, not 30 MB exactly', () => {
		const pdf = { fileName: 'a.pdf', extension: 'pdf', mimeType: 'application/pdf' };
		expect(() => assertFeishuSendable({ ...pdf, size: 30 * MB })).not.toThrow();
		expect(() => assertFeishuSendable({ ...pdf, size: 30 * MB + 1 })).toThrow(/PDF \(application\/pdf\) file is too large for Feishu \(30 MB; files up to 30 MB\)/);
		expect(() => assertFeishuSendable({ ...pdf, size: 0 })).toThrow(/a\.pdf is empty/);
	});
});

describe('receive_id_type from the ID', () => {
	it.each([
		['oc_a0553eda9014c201e6969b478895c230', 'chat_id'],
		['ou_7d8a6e6df7621556ce0d21922b676706', 'open_id'],
		['on_94a1ee5551019f18cd73d9f111898cf2', 'union_id'],
		['li.lei@example.com', 'email'],
		['e1a2b3c4', 'user_id'],
		['ocean_1', 'user_id'],
	])('%s → %s', (id, type) => {
		expect(receiveIdTypeOf(id)).toBe(type);
	});
});

it('the uuid fits Feishu\'s 50 characters for every part', () => {
	for (const part of ['text', 'file', 'caption'] as const) expect(deliveryUuid('x'.repeat(32), part).length).toBeLessThanOrEqual(50);
});
