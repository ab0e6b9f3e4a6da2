// The pure parts of DingTalk sending: which kind DingTalk takes a real type as and its
// limits, the AMR frame reader on the real voice fixture, the legacy host derived from
// Base URL, and the legacy API's errcode answers.
import { createHmac } from 'crypto';

import { amrDurationMs } from '../../nodes/shared/messengers/dingTalk/amrDuration';
import {
	dingTalkLegacyBaseUrl,
	isRejectedLegacyToken,
	legacyErrorCode,
	withAccessToken,
} from '../../nodes/shared/messengers/dingTalk/api';
import { corpTokenSignature, legacyTokenRequest } from '../../nodes/shared/messengers/dingTalk/legacyToken';
import { dingTalkUploadType, uploadTypeOf } from '../../nodes/shared/messengers/dingTalk/mediaKinds';
import { readFixture } from '../fixtures/fixtures';

const MB = 1024 * 1024;

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
	for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

describe('kind and limits', () => {
	it.each([
		['jpg', 'image'],
		['jpeg', 'image'],
		['png', 'image'],
		['gif', 'image'],
		['bmp', 'image'],
		['amr', 'voice'],
		['mp3', 'voice'],
		['wav', 'voice'],
		['mp4', 'video'],
		['pdf', 'file'],
		['docx', 'file'],
		['xls', 'file'],
		['pptx', 'file'],
		['zip', 'file'],
		['rar', 'file'],
		['ogg', undefined],
		['opus', undefined],
		['webp', undefined],
		['m4a', undefined],
		['txt', undefined],
		['csv', undefined],
	])('%s → %s', (extension, type) => {
		expect(uploadTypeOf(extension)).toBe(type);
	});

	it('takes each kind up to its limit and refuses a byte more, naming the type and the limit', () => {
		const cases: Array<[string, string, number, RegExp]> = [
			['jpg', 'image/jpeg', 20 * MB, /images up to 20 MB/],
			['amr', 'audio/amr', 2 * MB, /voice up to 2 MB/],
			['mp4', 'video/mp4', 20 * MB, /video up to 20 MB/],
			['pdf', 'application/pdf', 20 * MB, /files up to 20 MB/],
		];
		for (const [extension, mimeType, limit, named] of cases) {
			expect(() => dingTalkUploadType({ extension, mimeType, size: limit })).not.toThrow();
			expect(() => dingTalkUploadType({ extension, mimeType, size: limit + 1 })).toThrow(named);
			expect(() => dingTalkUploadType({ extension, mimeType, size: limit + 1 })).toThrow(new RegExp(`${extension.toUpperCase()} \\(${mimeType.replace('/', '\\/')}\\)`));
		}
	});

	it('refuses a type DingTalk takes as no kind, saying what it takes and what to do', () => {
		let error: unknown;
		try {
			dingTalkUploadType({ extension: 'ogg', mimeType: 'audio/ogg', size: 2000 });
		} catch (caught) {
			error = caught;
		}
		expect((error as Error).message).toBe('DingTalk does not take OGG (audio/ogg) files');
		const description = (error as { details: { description: string } }).details.description;
		expect(description).toMatch(/voice \(AMR, MP3, WAV, up to 2 MB\)/);
		expect(description).toMatch(/Convert the recording to MP3 or AMR/);
	});

	it('refuses an empty file', () => {
		expect(() => dingTalkUploadType({ extension: 'pdf', mimeType: 'application/pdf', size: 0 })).toThrow('The file is empty');
	});
});

describe('AMR duration', () => {
	const amr = readFixture('voice.amr');

	it('counts the same frames whatever the chunking', async () => {
		const whole = await amrDurationMs(chunksOf(amr, amr.length));
		expect(whole).toBeDefined();
		for (const size of [1, 2, 5, 7, 13, 64]) expect(await amrDurationMs(chunksOf(amr, size))).toBe(whole);
	});

	it('matches the speech length of the WAV made from the same source (within a frame or two)', async () => {
		const wav = readFixture('audio.wav');
		const wavMs = (wav.readUInt32LE(40) / wav.readUInt32LE(28)) * 1000;
		expect(Math.abs((await amrDurationMs(chunksOf(amr, 100)))! - wavMs)).toBeLessThanOrEqual(40);
	});

	it('reads AMR-WB frame sizes', async () => {
		// Header, then three 23.85 kbit/s frames (FT 8: 61 bytes each) and one NO_DATA frame (FT 15: 1 byte).
		const frame = (type: number, size: number) => Buffer.concat([Buffer.from([(type << 3) | 0x04]), Buffer.alloc(size - 1)]);
		const bytes = Buffer.concat([Buffer.from('#!AMR-WB\n'), frame(8, 61), frame(8, 61), frame(8, 61), frame(15, 1)]);
		expect(await amrDurationMs(chunksOf(bytes, 10))).toBe(80);
	});

	it('is undefined for bytes that are not AMR', async () => {
		expect(await amrDurationMs(chunksOf(readFixture('audio.mp3'), 512))).toBeUndefined();
		expect(await amrDurationMs(chunksOf(Buffer.from('#!AM'), 2))).toBeUndefined();
	});
});

describe('legacy API', () => {
	it.each([
		[{ baseUrl: 'https://api.dingtalk.com' }, 'https://oapi.dingtalk.com'],
		[{ baseUrl: 'https://api.dingtalk.com/' }, 'https://oapi.dingtalk.com'],
		[{ baseUrl: 'https://API.dingtalk.io' }, 'https://oapi.dingtalk.io'],
		[{}, 'https://oapi.dingtalk.com'],
		[{ baseUrl: 'https://dingtalk-proxy.example.com/api/' }, 'https://dingtalk-proxy.example.com/api'],
		[{ baseUrl: 'http://127.0.0.1:4000' }, 'http://127.0.0.1:4000'],
		[{ baseUrl: 'https://api.dingtalk.com', legacyBaseUrl: ' https://oapi-proxy.example.com/ ' }, 'https://oapi-proxy.example.com'],
	])('%j → %s', (credentials, expected) => {
		expect(dingTalkLegacyBaseUrl(credentials)).toBe(expected);
	});

	it('reads errcodes in 200 answers, and knows the token rejections', () => {
		expect(legacyErrorCode({ statusCode: 200, body: { errcode: 0, media_id: 'x' } })).toBeUndefined();
		expect(legacyErrorCode({ statusCode: 200, body: { errcode: 40005 } })).toBe(40005);
		expect(legacyErrorCode({ statusCode: 200, body: { errcode: '42001' } })).toBe(42001);
		expect(isRejectedLegacyToken({ statusCode: 200, body: { errcode: 40014 } })).toBe(true);
		expect(isRejectedLegacyToken({ statusCode: 200, body: { errcode: 42001 } })).toBe(true);
		expect(isRejectedLegacyToken({ statusCode: 200, body: { errcode: 40006 } })).toBe(false);
	});

	it('puts the token into the access_token query parameter only where the request has one', () => {
		const legacy = withAccessToken({ url: 'http://x/media/upload', qs: { access_token: '', type: 'image' } }, 'TOKEN');
		expect(legacy.qs).toEqual({ access_token: 'TOKEN', type: 'image' });
		const v1 = withAccessToken({ url: 'http://x/v1.0/robot/groupMessages/send' }, 'TOKEN');
		expect(v1.qs).toBeUndefined();
		expect(v1.headers).toEqual({ 'x-acs-dingtalk-access-token': 'TOKEN' });
	});
});

describe('the legacy host token request', () => {
	it('internal app: GET /gettoken on the legacy host that goes with Base URL, App Key and Secret in the query', () => {
		const request = legacyTokenRequest({ appType: 'internal', appKey: ' dingkey ', appSecret: 'secret', baseUrl: 'https://api.dingtalk.io' });
		expect(request).toMatchObject({ method: 'GET', url: 'https://oapi.dingtalk.io/gettoken', qs: { appkey: 'dingkey', appsecret: 'secret' } });
	});

	it('third-party app: POST /service/get_corp_token, signed over timestamp and suite ticket, corp in the body', () => {
		const credentials = { appType: 'thirdParty', suiteKey: 'suite', suiteSecret: 'suite-secret', authCorpId: 'dingcorp', suiteTicket: 'ticket', legacyBaseUrl: 'http://proxy/' };
		const request = legacyTokenRequest(credentials, 1_700_000_000_123);
		expect(request).toMatchObject({ method: 'POST', url: 'http://proxy/service/get_corp_token', body: { auth_corpid: 'dingcorp' } });
		const qs = request.qs as Record<string, string>;
		expect(qs).toMatchObject({ accessKey: 'suite', timestamp: '1700000000123', suiteTicket: 'ticket' });
		// Base64(HmacSHA256(suiteSecret, timestamp + "\n" + suiteTicket)), checked with Node's crypto here.
		expect(qs.signature).toBe(createHmac('sha256', 'suite-secret').update('1700000000123\nticket').digest('base64'));
		expect(corpTokenSignature('suite-secret', '1700000000123', 'ticket')).toBe(qs.signature);
	});
});
