// Feishu's documented error codes (nodes/shared/messengers/feishu/errors.ts) each have their
// own plain-words explanation, and the file name a download's Content-Disposition carries
// is read in both of its forms (nodes/shared/messengers/feishu/provider.ts).
import { explainFeishuCode, feishuError, missingScopes } from '../../nodes/shared/messengers/feishu/errors';
import { contentDispositionFileName } from '../../nodes/shared/messengers/feishu/provider';
import { contentDisposition } from '../standin/feishu';

/** The codes of /work/shared/facts/feishu.md sections 1, 5, 6 and 10, by where they occur. */
const DOCUMENTED = {
	token: [10003, 99991543, 99991661, 99991663, 99991664, 99991665, 99991668, 99991671, 99991672, 99991677, 99991400],
	download: [230110, 234001, 234002, 234003, 234004, 234009, 234019, 234037, 234038, 234040, 234041, 234042, 234043, 14005, 234005, 234008],
	upload: [234006, 234007, 234010, 234011, 234039, 232096],
	send: [
		230001, 230002, 230006, 230011, 230013, 230015, 230017, 230018, 230019, 230020, 230022, 230025, 230027, 230028, 230029, 230034, 230035, 230038,
		230049, 230050, 230053, 230054, 230055, 230071, 230075, 230111, 232009, 99992354, 99992402, 11232, 11247,
	],
};

/** Codes that document the same situation and so share an explanation. */
const SAME_AS: Record<number, number> = { 230072: 230071, 11233: 11232 };

test('every documented code has its own explanation, with what to do', () => {
	const all = Object.values(DOCUMENTED).flat();
	const messages = new Map<string, number>();
	for (const code of all) {
		const explanation = explainFeishuCode(code, '');
		expect({ code, explained: explanation !== undefined }).toEqual({ code, explained: true });
		expect(explanation!.message.length).toBeGreaterThan(10);
		expect(explanation!.description.length).toBeGreaterThan(10);
		// Different situations, different words (the two "bot ability is off" codes are one situation in two APIs).
		const seen = messages.get(explanation!.message);
		if (seen !== undefined && !(seen === 234007 && code === 230006) && !(seen === 230006 && code === 234007)) {
			throw new Error(`${code} explains itself like ${seen}: ${explanation!.message}`);
		}
		messages.set(explanation!.message, code);
	}
	for (const [code, same] of Object.entries(SAME_AS)) expect(explainFeishuCode(Number(code))?.message).toBe(explainFeishuCode(same)?.message);
});

test("the token endpoint's two 10014s are told apart by Feishu's message", () => {
	expect(explainFeishuCode(10014, 'app secret invalid')?.message).toBe('Feishu rejected the App Secret: it does not belong to this App ID');
	expect(explainFeishuCode(10014, 'app id not exists')?.message).toBe('Feishu does not know this App ID');
	expect(explainFeishuCode(10014, 'app is disabled')?.message).toMatch(/disabled/);
});

test('only throttling and passing states are retried; 234037 (over 100 MB) never', () => {
	const retryable = Object.values(DOCUMENTED)
		.flat()
		.filter((code) => explainFeishuCode(code)?.retryable === true)
		.sort((a, b) => a - b);
	expect(retryable).toEqual([11232, 230020, 230049, 232096, 99991400]);
	const tooLarge = feishuError({ statusCode: 400, body: { code: 234037, msg: 'Downloaded file size exceeds limit.' }, headers: {} }, 'download the file');
	expect(tooLarge.retryable).toBe(false);
	expect(tooLarge.message).toContain('100 MB');
});

test('a rate limit waits as long as x-ogw-ratelimit-reset says', () => {
	const limited = feishuError(
		{ statusCode: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '3' } },
		'download the file',
	);
	expect(limited.retryable).toBe(true);
	expect(limited.details.retryAfterMs).toBe(3000);
	const chat = feishuError({ statusCode: 400, body: { code: 230020, msg: 'frequency limit' }, headers: { 'X-Ogw-Ratelimit-Reset': '2' } }, 'send the message');
	expect(chat.details.retryAfterMs).toBe(2000);
});

test('missing scopes: from permission_violations, else from the message text', () => {
	expect(missingScopes({ error: { permission_violations: [{ subject: 'im:message' }, { subject: 'im:message:readonly' }] } })).toEqual(['im:message', 'im:message:readonly']);
	expect(missingScopes({ msg: 'Access denied. One of the following scopes is required: [im:resource, im:resource:upload].应用尚未开通' })).toEqual(['im:resource', 'im:resource:upload']);
	expect(missingScopes({ msg: 'Access denied.' })).toEqual([]);
	expect(explainFeishuCode(99991672, '', { msg: 'required: [im:message]' })?.description).toContain('add the scope im:message');
});

test('an undocumented code keeps Feishu’s code, message and log id', () => {
	const error = feishuError({ statusCode: 400, body: { code: 1234567, msg: 'something new', error: { log_id: 'L1' } }, headers: {} }, 'download the file');
	expect(error.message).toBe('Feishu could not download the file (HTTP 400)');
	expect(error.details.description).toBe('Feishu said: code 1234567, “something new”, log id L1.');
	expect(error.details.apiCode).toBe('1234567');
});

describe('Content-Disposition file names', () => {
	test.each(['季度报告 (final).pdf', 'résumé.docx', 'plain-name.txt', 'a;b "quoted".zip'])('%s in raw, RFC 5987 and both forms', (name) => {
		// Header values reach Node as latin1 characters, as the stand-in writes them.
		for (const form of ['raw', 'rfc5987', 'both'] as const) {
			const expected = form === 'raw' ? name.replace(/["\\]/g, '_') : name;
			expect(contentDispositionFileName(contentDisposition(name, form))).toBe(expected);
		}
	});

	test('a true latin1 name, paths and control characters', () => {
		expect(contentDispositionFileName('attachment; filename="caf\u00e9.txt"')).toBe('café.txt');
		expect(contentDispositionFileName('attachment; filename="../../etc/passwd"')).toBe('passwd');
		expect(contentDispositionFileName('attachment; filename*=UTF-8\'\'a%0Ab.txt')).toBe('ab.txt');
		expect(contentDispositionFileName('attachment; filename=bare.pdf')).toBe('bare.pdf');
		expect(contentDispositionFileName('attachment')).toBeUndefined();
		expect(contentDispositionFileName(undefined)).toBeUndefined();
	});
});
