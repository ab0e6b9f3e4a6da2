// Every real fixture, through both services (DingTalk; Green-API WhatsApp, MAX and Telegram)
// and both binary modes, via n8n-core's real engine against the stand-in hosts:
// the bytes come out identical, labelled with the MIME type, extension and name
// the fixture table promises.
import { createHash } from 'crypto';

import { fixtures, readFixture, type Fixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type BinaryMode } from '../helpers/engine';
import { startStandIn, type RecordedRequest, type StandIn } from '../standin/server';

type Route = 'dingTalk' | 'whatsapp' | 'max' | 'telegram';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
const extensionOfFile = (file: string) => file.slice(file.lastIndexOf('.') + 1);

const DING_APP = { appKey: 'dingfixtures', appSecret: 'fixture-secret' };
const WHATSAPP = { idInstance: 1101000001, apiTokenInstance: 'wa-token-fixtures', messenger: 'whatsapp' as const };
const MAX = { idInstance: 3100000002, apiTokenInstance: 'max-token-fixtures', messenger: 'max' as const };
const TELEGRAM = { idInstance: 4100000003, apiTokenInstance: 'tg-token-fixtures', messenger: 'telegram' as const };
const CHAT_ID = '79001234567@c.us';

let standIn: StandIn;
let credentials: (route: Route) => CredentialStore;
let counter = 0;

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp(DING_APP);
	standIn.greenApi.addInstance(WHATSAPP);
	standIn.greenApi.addInstance(MAX);
	standIn.greenApi.addInstance(TELEGRAM);
	const stores: Record<Route, CredentialStore> = {
		dingTalk: new CredentialStore({ dingTalkApi: { appType: 'internal', ...DING_APP, baseUrl: standIn.dingTalkUrl } }),
		whatsapp: new CredentialStore({
			greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, ...WHATSAPP, idInstance: String(WHATSAPP.idInstance) },
		}),
		max: new CredentialStore({
			greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, ...MAX, idInstance: String(MAX.idInstance) },
		}),
		telegram: new CredentialStore({
			greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, ...TELEGRAM, idInstance: String(TELEGRAM.idInstance) },
		}),
	};
	credentials = (route) => stores[route];
});
afterAll(async () => await standIn.close());

interface Registered {
	parameters: Record<string, unknown>;
	/** The name the node falls back to, without extension. */
	fallbackStem: string;
	/** Role of the host serving the file. */
	fileHost: 'oss' | 'greenMedia';
}

/** Registers the fixture with the stand-in the way the real host serves it. */
function register(route: Route, fixture: Fixture, options: Record<string, unknown> = {}): Registered {
	const body = readFixture(fixture.file);
	const id = `${++counter}`;
	if (route === 'dingTalk') {
		const downloadCode = `DLCODE-${id}-${fixture.file}`;
		// OSS: a `.file` link served as application/octet-stream.
		standIn.dingTalk.addFile({ downloadCode, robotCode: DING_APP.appKey, body });
		return {
			parameters: { service: 'dingTalk', source: 'fields', downloadCode, options },
			fallbackStem: `dingtalk-${shortHash(downloadCode)}`,
			fileHost: 'oss',
		};
	}
	const idMessage = `BAE5${id.padStart(12, '0')}`;
	const instance = route === 'whatsapp' ? WHATSAPP : route === 'telegram' ? TELEGRAM : MAX;
	// WhatsApp and Telegram links carry an extension (voice notes: .oga, as WhatsApp writes them); MAX links none.
	const linkExtension = route !== 'max' ? (fixture.file === 'voice.ogg' ? 'oga' : extensionOfFile(fixture.file)) : undefined;
	standIn.greenApi.addFile({ idInstance: instance.idInstance, chatId: CHAT_ID, idMessage, body, linkExtension });
	return {
		parameters: { service: 'greenApi', source: 'fields', chatId: CHAT_ID, idMessage, options },
		fallbackStem: `${route}-${idMessage}`,
		fileHost: 'greenMedia',
	};
}

function fileGets(host: Registered['fileHost']): RecordedRequest[] {
	return standIn.requests.filter((request) => request.role === host && request.method === 'GET');
}

const routes: Route[] = ['dingTalk', 'whatsapp', 'max', 'telegram'];
const modes: BinaryMode[] = ['memory', 'filesystem'];
const table = fixtures.flatMap((fixture) =>
	routes.flatMap((route) => modes.map((mode) => ({ file: fixture.file, route, mode, fixture }))),
);

describe('every fixture through every service and binary mode', () => {
	test.each(table)('$file via $route ($mode)', async ({ route, mode, fixture }) => {
		standIn.resetStats();
		const registered = register(route, fixture);
		const input = { ticket: 'T-42', sender: 'someone' };
		const run = await runNode({ parameters: registered.parameters as never, input: [input], credentials: credentials(route), binaryMode: mode });

		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		const [item] = run.items;
		const binary = item.binary?.data;
		expect(binary).toBeDefined();

		// Bytes, byte for byte.
		expect(sha256(await binaryBuffer(binary!))).toBe(sha256(readFixture(fixture.file)));
		if (mode === 'filesystem') expect(binary!.id).toBeDefined();
		else expect(binary!.id).toBeUndefined();

		// Labels.
		const expectedName = `${registered.fallbackStem}.${fixture.extension}`;
		expect(binary!.mimeType).toBe(fixture.mimeType);
		expect(binary!.fileExtension).toBe(fixture.extension);
		expect(binary!.fileName).toBe(expectedName);
		expect(binary!.fileName).not.toMatch(/\.file$/);
		expect(binary!.directory).toBeUndefined();
		expect(item.json).toMatchObject({
			...input,
			messageFile: {
				service: registered.parameters.service,
				fileName: expectedName,
				mimeType: fixture.mimeType,
				fileExtension: fixture.extension,
				fileSize: readFixture(fixture.file).length,
			},
		});
		// Magic numbers decide binary kinds; for text kinds the WhatsApp link's extension comes before the text check.
		const typeSource = fixture.binaryKind ? 'bytes' : route === 'whatsapp' || route === 'telegram' ? 'link' : 'text';
		expect((item.json.messageFile as { typeSource: string }).typeSource).toBe(typeSource);
		expect(item.pairedItem).toEqual({ item: 0 });

		// The signed link's GET: one, bare (no token, no Content-Type, no auth).
		const gets = fileGets(registered.fileHost);
		expect(gets).toHaveLength(1);
		expect(gets[0].headers['x-acs-dingtalk-access-token']).toBeUndefined();
		expect(gets[0].headers['content-type']).toBeUndefined();
		expect(gets[0].headers.authorization).toBeUndefined();
		if (route === 'dingTalk') expect(gets[0].path).toMatch(/\.file\?/);
		if (route === 'max') expect(gets[0].path).toMatch(/^\/i\?r=/);
		if (route === 'whatsapp') expect(gets[0].path).toMatch(/\.[a-z0-9]+$/);
		if (route === 'telegram') expect(gets[0].path).toMatch(new RegExp(`^/download/${TELEGRAM.idInstance}/[0-9a-f-]+\\.[a-z0-9]+$`));
	});
});

describe('options', () => {
	const pdf = fixtures.find((fixture) => fixture.file === 'document.pdf')!;
	const voice = fixtures.find((fixture) => fixture.file === 'voice.ogg')!;

	test.each([
		{ route: 'dingTalk' as Route, fileName: 'Invoice 42', fixture: pdf, expected: 'Invoice 42.pdf' },
		{ route: 'dingTalk' as Route, fileName: 'invoice-42.pdf', fixture: pdf, expected: 'invoice-42.pdf' },
		{ route: 'whatsapp' as Route, fileName: '季度报告', fixture: voice, expected: '季度报告.ogg' },
		{ route: 'max' as Route, fileName: 'voice note.ogg', fixture: voice, expected: 'voice note.ogg' },
	])('$route: fileName option $fileName → $expected', async ({ route, fileName, fixture, expected }) => {
		for (const mode of modes) {
			const registered = register(route, fixture, { fileName });
			const run = await runNode({ parameters: registered.parameters as never, credentials: credentials(route), binaryMode: mode });
			expect(run.error).toBeUndefined();
			const binary = run.items[0].binary!.data;
			expect(binary.fileName).toBe(expected);
			expect(binary.mimeType).toBe(fixture.mimeType);
			expect(binary.fileExtension).toBe(fixture.extension);
			expect((run.items[0].json.messageFile as { fileName: string }).fileName).toBe(expected);
			expect(sha256(await binaryBuffer(binary))).toBe(sha256(readFixture(fixture.file)));
		}
	});

	test.each(routes)('%s: binaryPropertyName puts the file under that property only', async (route) => {
		const fixture = fixtures.find((candidate) => candidate.file === 'image.jpg')!;
		for (const mode of modes) {
			const registered = register(route, fixture, { binaryPropertyName: 'attachment' });
			const run = await runNode({ parameters: registered.parameters as never, credentials: credentials(route), binaryMode: mode });
			expect(run.error).toBeUndefined();
			const binaries = run.items[0].binary!;
			expect(Object.keys(binaries)).toEqual(['attachment']);
			expect(binaries.attachment.mimeType).toBe('image/jpeg');
			expect(binaries.attachment.fileName).toBe(`${registered.fallbackStem}.jpg`);
			expect(sha256(await binaryBuffer(binaries.attachment))).toBe(sha256(readFixture(fixture.file)));
		}
	});
});
