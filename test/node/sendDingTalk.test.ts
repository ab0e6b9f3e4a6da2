// Send Message through DingTalk, with n8n-core's real engine against the stand-in:
// text and markdown to one-to-one and group chats, files typed from their bytes and
// uploaded (streamed) to the legacy media API, voice with its real duration, every
// refusal before any upload, DingTalk's per-user failures as item errors, the token
// renewed once when the upload finds it expired, and no secret in any output or error.
import { createHash } from 'crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, runNode, storedBinary, type NodeRun } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

let standIn: StandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let appCounter = 0;
/** A fresh app (its key is its robot code) and a credential for it. */
function app(options: { robotPermission?: boolean } = {}) {
	const n = ++appCounter;
	const appKey = `dingsend${n}`;
	const appSecret = `send-secret-${n}-${'z'.repeat(20)}`;
	standIn.dingTalk.addApp({ appKey, appSecret, ...options });
	const credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey, appSecret, baseUrl: standIn.dingTalkUrl } });
	return { appKey, appSecret, credentials };
}

/** A robot message as DingTalk delivers it (HTTP callback / Stream data). */
function robotMessage(robotCode: string, fields: IDataObject = {}): IDataObject {
	return {
		msgId: `msg${Math.random().toString(36).slice(2)}`,
		msgtype: 'text',
		text: { content: 'please send the report' },
		conversationType: '1',
		conversationId: 'cidOneToOne==',
		senderStaffId: 'staff001',
		senderNick: 'Li',
		robotCode,
		...fields,
	};
}

function sendParameters(parameters: INodeParameters): INodeParameters {
	return { service: 'dingTalk', recipient: 'message', content: 'text', ...parameters };
}

async function send(credentials: CredentialStore, parameters: INodeParameters, input: Array<INodeExecutionData | IDataObject>, continueOnFail = false): Promise<NodeRun> {
	return await runNode({ node: 'sendMessage', credentials, parameters: sendParameters(parameters), input, continueOnFail });
}

/** An input item: the robot message and a binary another node stored, with the label it gave it. */
async function withFile(message: IDataObject, bytes: Buffer, label: { fileName?: string; mimeType: string }): Promise<INodeExecutionData> {
	return { json: message, binary: { data: await storedBinary(bytes, label) } };
}

function sentMessage(run: NodeRun, index = 0): IDataObject {
	expect(run.error).toBeUndefined();
	return run.items[index].json.sentMessage as IDataObject;
}

/** Everything a user or a log could see of a run. */
function visible(run: NodeRun): string {
	return JSON.stringify({ items: run.items.map((item) => item.json), error: run.error, message: run.error?.message, description: run.error?.description });
}

/** A WAV's duration from its own header: data bytes / byte rate (independent of the node's readers). */
function wavDurationMs(wav: Buffer): number {
	const byteRate = wav.readUInt32LE(28);
	let offset = 12;
	while (offset < wav.length) {
		const id = wav.toString('ascii', offset, offset + 4);
		const size = wav.readUInt32LE(offset + 4);
		if (id === 'data') return (size / byteRate) * 1000;
		offset += 8 + size;
	}
	throw new Error('no data chunk');
}

describe('text', () => {
	it('replies to a one-to-one message with batchSend to the sender, msgParam as JSON text', async () => {
		const { appKey, credentials } = app();
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { text: 'Here it is' }, [robotMessage(appKey)]);
		const sent = sentMessage(run);
		const call = standIn.dingTalk.send.sent[before];
		expect(call).toMatchObject({ api: 'oToMessages/batchSend', robotCode: appKey, userIds: ['staff001'], msgKey: 'sampleText', msgParam: { content: 'Here it is' } });
		expect(sent).toEqual({ service: 'dingTalk', messenger: 'dingTalk', chat: 'user:staff001', kind: 'text', id: call.processQueryKey });
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('replies to a group message in the group (openConversationId = conversationId)', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.addGroup('cidGroupA==', [appKey]);
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { text: 'Hello group' }, [robotMessage(appKey, { conversationType: '2', conversationId: 'cidGroupA==' })]);
		expect(sentMessage(run)).toMatchObject({ chat: 'group:cidGroupA==', kind: 'text' });
		expect(standIn.dingTalk.send.sent[before]).toMatchObject({ api: 'groupMessages/send', openConversationId: 'cidGroupA==', msgKey: 'sampleText' });
	});

	it('sends markdown under the Markdown Title option', async () => {
		const { appKey, credentials } = app();
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { text: '**Done**\n- a\n- b', options: { markdownTitle: 'Report' } }, [robotMessage(appKey)]);
		expect(run.error).toBeUndefined();
		expect(standIn.dingTalk.send.sent[before]).toMatchObject({ msgKey: 'sampleMarkdown', msgParam: { title: 'Report', text: '**Done**\n- a\n- b' } });
	});

	it('reads a message given as Stream-mode JSON text in the item', async () => {
		const { appKey, credentials } = app();
		const run = await send(credentials, { text: 'ok' }, [{ data: JSON.stringify(robotMessage(appKey, { senderStaffId: 'staff777' })) }]);
		expect(sentMessage(run).chat).toBe('user:staff777');
	});

	it('sends to users and groups named in the node, with the robot code of the field or the credential', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.addGroup('cidNamed==', [appKey]);
		const users = await send(credentials, { recipient: 'chat', dingTalkChatType: 'user', userIds: ' u1, u2 ,u1', text: 'hi' }, [{}]);
		expect(sentMessage(users).chat).toBe('user:u1,u2');
		expect(standIn.dingTalk.send.sent.at(-1)).toMatchObject({ robotCode: appKey, userIds: ['u1', 'u2'] });
		// An expression may give a list; numbers are IDs too.
		const listed = await send(credentials, { recipient: 'chat', dingTalkChatType: 'user', userIds: '={{ ["u3", 4] }}', text: 'hi' }, [{}]);
		expect(sentMessage(listed).chat).toBe('user:u3,4');
		const group = await send(credentials, { recipient: 'chat', dingTalkChatType: 'group', openConversationId: 'cidNamed==', robotCode: appKey, text: 'hi' }, [{}]);
		expect(sentMessage(group).chat).toBe('group:cidNamed==');
	});

	it('refuses more than 20 users before any call', async () => {
		const { credentials } = app();
		const calls = standIn.dingTalk.send.sendCalls;
		const ids = Array.from({ length: 21 }, (_, index) => `u${index}`).join(',');
		const run = await send(credentials, { recipient: 'chat', dingTalkChatType: 'user', userIds: ids, text: 'hi' }, [{}]);
		expect(run.error?.message).toMatch(/21 users; DingTalk takes at most 20/);
		expect(standIn.dingTalk.send.sendCalls).toBe(calls);
	});

	it('explains a message from outside the organisation (no senderStaffId)', async () => {
		const { appKey, credentials } = app();
		const run = await send(credentials, { text: 'hi' }, [robotMessage(appKey, { senderStaffId: undefined })]);
		expect(run.error?.message).toMatch(/no senderStaffId/);
	});
});

describe('files', () => {
	it('sends a JPEG labelled "upload", application/octet-stream, as an image named upload.jpg: the stand-in got the same bytes', async () => {
		const { appKey, credentials } = app();
		const jpeg = readFixture('image.jpg');
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { content: 'file', text: '' }, [await withFile(robotMessage(appKey), jpeg, { fileName: 'upload', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		const message = standIn.dingTalk.send.sent[before];
		const upload = standIn.dingTalk.send.upload(sent.mediaId as string)!;
		expect(upload).toMatchObject({ type: 'image', fileName: 'upload.jpg', size: jpeg.length, sha256: sha256(jpeg) });
		expect(message).toMatchObject({ msgKey: 'sampleImageMsg', msgParam: { photoURL: upload.mediaId } });
		expect(sent).toMatchObject({ kind: 'image', id: message.processQueryKey, fileName: 'upload.jpg', mimeType: 'image/jpeg', fileSize: jpeg.length });
		expect(sent.more).toBeUndefined();
	});

	it('sends a PDF as sampleFile with fileType pdf, and the caption as a text message after it', async () => {
		const { appKey, credentials } = app();
		const pdf = readFixture('document.pdf');
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { content: 'file', text: 'Your invoice' }, [await withFile(robotMessage(appKey), pdf, { fileName: 'invoice', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		const [fileMessage, caption] = standIn.dingTalk.send.sent.slice(before);
		expect(fileMessage).toMatchObject({ msgKey: 'sampleFile', msgParam: { fileName: 'invoice.pdf', fileType: 'pdf' } });
		expect(fileMessage.media[0]).toMatchObject({ type: 'file', sha256: sha256(pdf) });
		expect(caption).toMatchObject({ msgKey: 'sampleText', msgParam: { content: 'Your invoice' } });
		expect(sent).toMatchObject({ kind: 'file', id: fileMessage.processQueryKey, more: [{ kind: 'text', id: caption.processQueryKey }] });
	});

	it('sends AMR and MP3 voice with their real duration (the same speech as the WAV fixture)', async () => {
		const { appKey, credentials } = app();
		const speechMs = wavDurationMs(readFixture('audio.wav'));
		for (const [fixture, tolerance] of [['voice.amr', 40], ['audio.mp3', 120], ['audio.wav', 1]] as const) {
			const bytes = readFixture(fixture);
			const before = standIn.dingTalk.send.sent.length;
			const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), bytes, { fileName: 'voice', mimeType: 'application/octet-stream' })]);
			expect(sentMessage(run).kind).toBe('audio');
			const message = standIn.dingTalk.send.sent[before];
			expect(message.msgKey).toBe('sampleAudio');
			expect(message.media[0]).toMatchObject({ type: 'voice', sha256: sha256(bytes) });
			const duration = Number(message.msgParam.duration);
			expect(Math.abs(duration - speechMs)).toBeLessThanOrEqual(tolerance);
		}
	});

	it('takes the Duration option over what the bytes tell', async () => {
		const { appKey, credentials } = app();
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { content: 'file', options: { durationMs: 4321 } }, [await withFile(robotMessage(appKey), readFixture('voice.amr'), { mimeType: 'audio/amr' })]);
		expect(run.error).toBeUndefined();
		expect(standIn.dingTalk.send.sent[before].msgParam.duration).toBe('4321');
	});

});

describe('video', () => {
	const mp4 = () => readFixture('video.mp4');

	it('sends an MP4 without a cover as a file message (sampleFile), which DingTalk always shows', async () => {
		const { appKey, credentials } = app();
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), mp4(), { fileName: 'clip.bin', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		const message = standIn.dingTalk.send.sent[before];
		expect(message).toMatchObject({ msgKey: 'sampleFile', msgParam: { mediaId: sent.mediaId, fileName: 'clip.mp4', fileType: 'mp4' } });
		expect(message.media[0]).toMatchObject({ type: 'video', sha256: sha256(mp4()) });
		expect(sent).toMatchObject({ kind: 'file', fileName: 'clip.mp4', mimeType: 'video/mp4' });
		expect(sent.coverMediaId).toBeUndefined();
	});

	it('sends an MP4 with the cover the option names as sampleVideo: picMediaId, duration in ms', async () => {
		const { appKey, credentials } = app();
		const before = standIn.dingTalk.send.sent.length;
		const cover = readFixture('image.jpg');
		const item = await withFile(robotMessage(appKey), mp4(), { fileName: 'clip', mimeType: 'application/octet-stream' });
		item.binary!.cover = await storedBinary(cover, { fileName: 'frame', mimeType: 'application/octet-stream' });
		const run = await send(credentials, { content: 'file', options: { videoCoverBinaryPropertyName: 'cover' } }, [item]);
		const sent = sentMessage(run);
		const message = standIn.dingTalk.send.sent[before];
		expect(message.msgKey).toBe('sampleVideo');
		expect(message.msgParam).toMatchObject({ videoMediaId: sent.mediaId, picMediaId: sent.coverMediaId, videoType: 'mp4' });
		expect(standIn.dingTalk.send.upload(sent.coverMediaId as string)).toMatchObject({ type: 'image', fileName: 'frame.jpg', sha256: sha256(cover) });
		// video.mp4 is 1.5 s (make-fixtures.sh), its duration in milliseconds.
		expect(Math.abs(Number(message.msgParam.duration) - 1500)).toBeLessThanOrEqual(50);
		expect(sent).toMatchObject({ kind: 'video', fileName: 'clip.mp4' });
	});

	it('takes the Duration option for a video, and sends a file message when the item lacks the cover field', async () => {
		const { appKey, credentials } = app();
		const item = await withFile(robotMessage(appKey), mp4(), { mimeType: 'video/mp4' });
		item.binary!.cover = await storedBinary(readFixture('image.png'), { mimeType: 'image/png' });
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { content: 'file', options: { videoCoverBinaryPropertyName: 'cover', durationMs: 61000 } }, [
			item,
			await withFile(robotMessage(appKey), mp4(), { mimeType: 'video/mp4' }),
		]);
		expect(run.error).toBeUndefined();
		const [video, file] = standIn.dingTalk.send.sent.slice(before);
		expect(video).toMatchObject({ msgKey: 'sampleVideo', msgParam: { duration: '61000' } });
		expect(file.msgKey).toBe('sampleFile');
	});

	it('refuses a cover that is not a picture before any upload', async () => {
		const { appKey, credentials } = app();
		const item = await withFile(robotMessage(appKey), mp4(), { mimeType: 'video/mp4' });
		item.binary!.cover = await storedBinary(readFixture('document.pdf'), { mimeType: 'application/pdf' });
		const uploads = standIn.dingTalk.send.uploadCalls;
		const run = await send(credentials, { content: 'file', options: { videoCoverBinaryPropertyName: 'cover' } }, [item]);
		expect(run.error?.message).toMatch(/video cover is PDF \(application\/pdf\), not a picture DingTalk takes/);
		const webp = await withFile(robotMessage(appKey), mp4(), { mimeType: 'video/mp4' });
		webp.binary!.cover = await storedBinary(readFixture('image.webp'), { mimeType: 'image/webp' });
		const webpRun = await send(credentials, { content: 'file', options: { videoCoverBinaryPropertyName: 'cover' } }, [webp]);
		expect(webpRun.error?.message).toMatch(/video cover is WEBP \(image\/webp\), not a picture DingTalk takes/);
		expect(standIn.dingTalk.send.uploadCalls).toBe(uploads);
	});
});

describe('groups with a cool app (群酷应用)', () => {
	it("sends the Cool App Code option's code with the group message", async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.addGroup('cidCool1==', [appKey], 'COOLAPP-1-TEST0001');
		const before = standIn.dingTalk.send.sent.length;
		const run = await send(credentials, { text: 'hi', options: { coolAppCode: 'COOLAPP-1-TEST0001' } }, [
			robotMessage(appKey, { conversationType: '2', conversationId: 'cidCool1==' }),
		]);
		expect(sentMessage(run).chat).toBe('group:cidCool1==');
		expect(standIn.dingTalk.send.sent[before]).toMatchObject({ api: 'groupMessages/send', coolAppCode: 'COOLAPP-1-TEST0001' });
		// Named in the node (A Chat → Group) too.
		const named = await send(credentials, { recipient: 'chat', dingTalkChatType: 'group', openConversationId: 'cidCool1==', text: 'hi', options: { coolAppCode: 'COOLAPP-1-TEST0001' } }, [{}]);
		expect(named.error).toBeUndefined();
	});

	it('takes the code from a message that carries coolAppCode', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.addGroup('cidCool2==', [appKey], 'COOLAPP-1-TEST0002');
		const run = await send(credentials, { text: 'hi' }, [robotMessage(appKey, { conversationType: '2', conversationId: 'cidCool2==', coolAppCode: 'COOLAPP-1-TEST0002' })]);
		expect(run.error).toBeUndefined();
		expect(standIn.dingTalk.send.sent.at(-1)?.coolAppCode).toBe('COOLAPP-1-TEST0002');
	});

	it("explains DingTalk's refusal without the code, and of a wrong one", async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.addGroup('cidCool3==', [appKey], 'COOLAPP-1-TEST0003');
		const message = robotMessage(appKey, { conversationType: '2', conversationId: 'cidCool3==' });
		const missing = await send(credentials, { text: 'hi' }, [message]);
		expect(missing.error?.message).toBe("The group's robot came with a cool app: DingTalk wants its cool app code");
		expect(missing.error?.description).toMatch(/Cool App Code option.*invalidParameter\.robotCode\.auth/s);
		const wrong = await send(credentials, { text: 'hi', options: { coolAppCode: 'COOLAPP-1-OTHER' } }, [message]);
		expect(wrong.error?.message).toBe('DingTalk refused the cool app code');
		expect(wrong.error?.description).toMatch(/invalidParameter\.robotCode\.coolApp/);
	});
});

describe('the legacy upload host refuses the v1.0 token', () => {
	it('internal app: fetches the legacy token (GET /gettoken) once, uploads again, and keeps using it', async () => {
		const n = ++appCounter;
		const appKey = `dinglegacy${n}`;
		const appSecret = `legacy-secret-${n}-${'y'.repeat(20)}`;
		standIn.dingTalk.addApp({ appKey, appSecret, legacyTokenOnly: true });
		const credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey, appSecret, baseUrl: standIn.dingTalkUrl } });
		const png = readFixture('image.png');
		const items = await Promise.all(['u1', 'u2', 'u3'].map(async (staff) => await withFile(robotMessage(appKey, { senderStaffId: staff }), png, { mimeType: 'image/png' })));
		const uploads = standIn.dingTalk.send.uploadCalls;
		const legacyTokens = standIn.dingTalk.legacyTokenCalls;
		const run = await send(credentials, { content: 'file' }, items);
		expect(run.error).toBeUndefined();
		// Three chats at once: one legacy token fetch shared by all; each upload refused at most once with the v1.0 token
		// (one that starts after the first refusal goes straight with the legacy token).
		expect(standIn.dingTalk.legacyTokenCalls - legacyTokens).toBe(1);
		const firstRun = standIn.dingTalk.send.uploadCalls - uploads;
		expect(firstRun).toBeGreaterThanOrEqual(4);
		expect(firstRun).toBeLessThanOrEqual(6);
		for (const item of run.items) expect(standIn.dingTalk.send.upload((item.json.sentMessage as IDataObject).mediaId as string)?.sha256).toBe(sha256(png));
		// The next execution goes straight with the cached legacy token.
		const again = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), png, { mimeType: 'image/png' })]);
		expect(again.error).toBeUndefined();
		expect(standIn.dingTalk.send.uploadCalls - uploads).toBe(firstRun + 1);
		expect(standIn.dingTalk.legacyTokenCalls - legacyTokens).toBe(1);
		// A revoked legacy token is replaced once.
		standIn.dingTalk.expireTokens();
		const renewed = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), png, { mimeType: 'image/png' })]);
		expect(renewed.error).toBeUndefined();
		expect(standIn.dingTalk.legacyTokenCalls - legacyTokens).toBe(2);
		expect(visible(renewed)).not.toContain(appSecret);
	});

	it('third-party app: fetches the corp token (POST /service/get_corp_token, signed) and uploads again', async () => {
		const suite = { suiteKey: 'suiteLegacy1', suiteSecret: 'suite-legacy-secret-xxxxxxxx', authCorpId: 'dingcorpLegacy', suiteTicket: 'ticket-legacy' };
		standIn.dingTalk.addSuite({ ...suite, legacyTokenOnly: true });
		standIn.dingTalk.send.addRobot('dingIsvLegacy', suite.suiteKey);
		const credentials = new CredentialStore({ dingTalkApi: { appType: 'thirdParty', ...suite, baseUrl: standIn.dingTalkUrl } });
		const calls = standIn.dingTalk.legacyCorpTokenCalls;
		const uploads = standIn.dingTalk.send.uploadCalls;
		const pdf = readFixture('document.pdf');
		const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage('dingIsvLegacy'), pdf, { mimeType: 'application/pdf' })]);
		const sent = sentMessage(run);
		expect(standIn.dingTalk.legacyCorpTokenCalls - calls).toBe(1);
		expect(standIn.dingTalk.send.uploadCalls - uploads).toBe(2);
		expect(standIn.dingTalk.send.upload(sent.mediaId as string)).toMatchObject({ appKey: suite.suiteKey, sha256: sha256(pdf) });
		expect(visible(run)).not.toContain(suite.suiteSecret);
	});
});

describe('round trip', () => {
	it('Download Message File → Send Message: the photo a user sent comes back byte-identical, as an image', async () => {
		const { appKey, credentials } = app();
		const jpeg = readFixture('image.jpg');
		standIn.dingTalk.addFile({ downloadCode: `code-${appKey}`, robotCode: appKey, body: jpeg });
		const message = robotMessage(appKey, { msgtype: 'picture', content: { downloadCode: `code-${appKey}` } });
		const downloaded = await runNode({ credentials, parameters: { service: 'dingTalk', source: 'message' }, input: [message] });
		expect(downloaded.error).toBeUndefined();
		const run = await send(credentials, { content: 'file', text: 'Your photo, back' }, downloaded.items);
		const sent = sentMessage(run);
		expect(sent).toMatchObject({ kind: 'image', chat: 'user:staff001', mimeType: 'image/jpeg' });
		expect(standIn.dingTalk.send.upload(sent.mediaId as string)?.sha256).toBe(sha256(jpeg));
	});
});

describe('large files and app types', () => {
	it('uploads a 19 MB PDF whole and byte-identical (streamed from filesystem storage)', async () => {
		const { appKey, credentials } = app();
		const pdf = Buffer.concat([readFixture('document.pdf'), Buffer.alloc(19 * 1024 * 1024, 0x20)]);
		const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), pdf, { fileName: 'big', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		expect(sent).toMatchObject({ kind: 'file', fileName: 'big.pdf', fileSize: pdf.length });
		expect(standIn.dingTalk.send.upload(sent.mediaId as string)).toMatchObject({ size: pdf.length, sha256: sha256(pdf) });
	});

	it('sends through a third-party enterprise app: its corp token on both hosts', async () => {
		const suite = { suiteKey: 'suiteSend1', suiteSecret: 'suite-secret-xxxxxxxxxxxx', authCorpId: 'dingcorpSend', suiteTicket: 'ticket-1' };
		standIn.dingTalk.addSuite(suite);
		standIn.dingTalk.send.addRobot('dingIsvRobot', suite.suiteKey);
		const credentials = new CredentialStore({ dingTalkApi: { appType: 'thirdParty', ...suite, baseUrl: standIn.dingTalkUrl } });
		const corpTokens = standIn.stats.dingTalkCorpTokenCalls;
		const run = await send(credentials, { content: 'file', text: 'from the ISV app' }, [await withFile(robotMessage('dingIsvRobot'), readFixture('image.png'), { mimeType: 'image/png' })]);
		const sent = sentMessage(run);
		expect(standIn.dingTalk.send.upload(sent.mediaId as string)?.appKey).toBe(suite.suiteKey);
		expect(sent.more).toHaveLength(1);
		expect(standIn.stats.dingTalkCorpTokenCalls - corpTokens).toBe(1);
	});
});

describe('refused before any upload', () => {
	const cases: Array<[string, () => Buffer, RegExp]> = [
		['an Ogg Opus voice note', () => readFixture('voice.ogg'), /DingTalk does not take OGG \(audio\/ogg\) files/],
		['a WebP picture', () => readFixture('image.webp'), /DingTalk does not take WEBP \(image\/webp\) files/],
		['an MP3 over the 2 MB voice limit', () => Buffer.concat(Array.from({ length: 460 }, () => readFixture('audio.mp3'))), /too large for DingTalk \(2\.1 MB; voice up to 2 MB\)/],
		['a PDF over the 20 MB file limit', () => Buffer.concat([readFixture('document.pdf'), Buffer.alloc(21 * 1024 * 1024)]), /too large for DingTalk \(21 MB; files up to 20 MB\)/],
	];
	it.each(cases)('%s', async (_name, bytes, message) => {
		const { appKey, credentials } = app();
		const uploads = standIn.dingTalk.send.uploadCalls;
		const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), bytes(), { fileName: 'x', mimeType: 'application/octet-stream' })]);
		expect(run.error?.message).toMatch(message);
		expect(run.error?.description).toMatch(/DingTalk/);
		expect(standIn.dingTalk.send.uploadCalls).toBe(uploads);
	});
});

describe('errors', () => {
	it('a user listed back in invalidStaffIdList fails the item; Continue On Fail goes on with the next', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.invalidStaffIds.add('gone01');
		const run = await send(credentials, { text: 'hi' }, [robotMessage(appKey, { senderStaffId: 'gone01' }), robotMessage(appKey, { senderStaffId: 'staff002' })], true);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		expect(String((run.items[0].json.error as IDataObject | string | undefined) && JSON.stringify(run.items[0].json.error))).toMatch(/did not deliver the message to gone01/);
		expect(run.items[0].json.sentMessage).toBeUndefined();
		expect((run.items[1].json.sentMessage as IDataObject).chat).toBe('user:staff002');
		const stopped = await send(credentials, { text: 'hi' }, [robotMessage(appKey, { senderStaffId: 'gone01' })]);
		expect(stopped.error?.message).toMatch(/not a user of the organisation/);
	});

	it('a throttled user (flowControlledStaffIdList) fails the item', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.flowControlledStaffIds.add('busy01');
		const run = await send(credentials, { text: 'hi' }, [robotMessage(appKey, { senderStaffId: 'busy01' })]);
		expect(run.error?.message).toMatch(/did not deliver the message to busy01: too many messages/);
	});

	it('explains a robot that is not in the group', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.addGroup('cidNoRobot==', ['someOtherRobot']);
		const run = await send(credentials, { text: 'hi' }, [robotMessage(appKey, { conversationType: '2', conversationId: 'cidNoRobot==' })]);
		expect(run.error?.message).toBe('DingTalk does not know this robot, or the robot is not in the group');
		expect(run.error?.description).toMatch(/invalidParameter\.robotCode\.notExsit/);
	});

	it('explains a missing send permission', async () => {
		const { appKey, credentials } = app({ robotPermission: false });
		const run = await send(credentials, { text: 'hi' }, [robotMessage(appKey)]);
		expect(run.error?.message).toBe('The DingTalk app lacks the permission to send robot messages');
		expect(run.error?.description).toMatch(/qyapi_robot_sendmsg/);
	});

	it("explains a robot code of another app", async () => {
		const { credentials } = app();
		const other = app();
		const run = await send(credentials, { text: 'hi' }, [robotMessage(other.appKey)]);
		expect(run.error?.message).toBe("The robot code does not belong to this credential's app");
	});

	it('explains the upload errcodes DingTalk answers in an HTTP 200', async () => {
		const { appKey, credentials } = app();
		standIn.dingTalk.send.failUploads(40006, '不合法的文件大小');
		const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), readFixture('image.png'), { mimeType: 'image/png' })]);
		expect(run.error?.message).toBe('DingTalk refused the file size');
		expect(run.error?.description).toMatch(/code 40006/);
	});

	it('an expired token on the upload (errcode 42001): the upload host\'s own token, once, re-reading the file', async () => {
		const { appKey, credentials } = app();
		await send(credentials, { text: 'first' }, [robotMessage(appKey)]);
		const storedBefore = credentials.get('dingTalkApi').accessToken;
		expect(typeof storedBefore).toBe('string');
		standIn.dingTalk.expireTokens();
		const calls = standIn.dingTalk.send.uploadCalls;
		const tokens = standIn.stats.dingTalkTokenCalls;
		const legacyTokens = standIn.dingTalk.legacyTokenCalls;
		const png = readFixture('image.png');
		const run = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), png, { mimeType: 'image/png' })]);
		const sent = sentMessage(run);
		expect(standIn.dingTalk.send.uploadCalls - calls).toBe(2);
		// The upload went again with the upload host's own token; the robot send renewed the v1.0 one.
		expect(standIn.dingTalk.legacyTokenCalls - legacyTokens).toBe(1);
		expect(standIn.stats.dingTalkTokenCalls - tokens).toBe(1);
		expect(standIn.dingTalk.send.upload(sent.mediaId as string)?.sha256).toBe(sha256(png));
	});

	it('shows no secret (app secret, token) in outputs or errors', async () => {
		const { appKey, appSecret, credentials } = app();
		const ok = await send(credentials, { content: 'file', text: 'caption' }, [await withFile(robotMessage(appKey), readFixture('image.jpg'), { mimeType: 'image/jpeg' })]);
		standIn.dingTalk.send.failUploads(40005, '不合法的文件类型');
		const failed = await send(credentials, { content: 'file' }, [await withFile(robotMessage(appKey), readFixture('image.jpg'), { mimeType: 'image/jpeg' })]);
		expect(failed.error).toBeDefined();
		const token = credentials.get('dingTalkApi').accessToken as string;
		expect(token.length).toBeGreaterThan(8);
		for (const run of [ok, failed]) {
			const text = visible(run);
			expect(text).not.toContain(appSecret);
			expect(text).not.toContain(token);
			expect(text).not.toMatch(/access_token=/);
		}
	});
});
