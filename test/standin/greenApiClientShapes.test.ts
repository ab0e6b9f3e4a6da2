// The Green-API sending stand-in driven with the request shapes Green-API's official clients
// send, and with every field Green-API documents for SendMessage: it must take what the real
// API takes and refuse what it refuses, or a correct change to the node could fail the tests.
// Shapes, from the clients' sources:
//   @green-api/whatsapp-api-client 0.4 (src/utils/MessageAPI.js): sendMessage(chatId, phoneNumber, message)
//     posts {"message", "chatId"} (a phone number becomes "<phone>@c.us"); file uploads take the caller's form.
//   @green-api/whatsapp-api-client-js-v2 1.0 (src/client/green-api-client.ts): sendMessage posts
//     {chatId, message, quotedMessageId, linkPreview} (undefined left out by JSON); sendFileByUpload
//     appends "file" (a Blob without a name), then chatId, fileName, caption?, quotedMessageId?.
// SendMessage's documented fields (green-api.com/en/docs/api/sending/SendMessage/): chatId, message
// (≤ 20,000 characters), quotedMessageId, linkPreview, typePreview (large | small), customPreview
// {title (required), description, link (each ≤ 300), urlFile, jpegThumbnail}, typingTime (1000–20000 ms).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startStandIn, type StandIn } from './server';

const ID = 1101000077;
const TOKEN = 'd75b3a66374942c5b3c019c698abc2067e151558acbd412345';
let s: StandIn;

beforeEach(async () => {
	s = await startStandIn();
	s.greenApi.addInstance({ idInstance: ID, apiTokenInstance: TOKEN, messenger: 'whatsapp' });
});
afterEach(async () => await s.close());

async function sendMessage(body: Record<string, unknown>) {
	// Both clients post JSON with axios (Content-Type: application/json).
	const res = await fetch(`${s.greenApiUrl}/waInstance${ID}/sendMessage/${TOKEN}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('sendMessage: the official clients\' shapes are taken', () => {
	it('v1 client: {"message", "chatId"}, the chat id from a phone number as "<phone>@c.us"', async () => {
		const byChat = await sendMessage({ message: 'Hello from the v1 client', chatId: '79001234567@c.us' });
		expect(byChat.status).toBe(200);
		expect(byChat.json().idMessage).toMatch(/^3EB0[0-9A-F]{16}$/);
		const byPhone = await sendMessage({ message: 'By phone number', chatId: `${79001234567}@c.us` });
		expect(byPhone.status).toBe(200);
		expect(s.greenApi.sent.map((sent) => [sent.chatId, sent.message])).toEqual([
			['79001234567@c.us', 'Hello from the v1 client'],
			['79001234567@c.us', 'By phone number'],
		]);
	});

	it('v2 client: {chatId, message, quotedMessageId, linkPreview}, with and without the optional ones; group chats too', async () => {
		expect((await sendMessage({ chatId: '79001234567@c.us', message: 'plain', quotedMessageId: undefined, linkPreview: undefined })).status).toBe(200);
		expect((await sendMessage({ chatId: '120363043968066561@g.us', message: 'a reply', quotedMessageId: 'BAE5F4886F6F2D05', linkPreview: false })).status).toBe(200);
		expect(s.greenApi.sent[1]).toMatchObject({ chatId: '120363043968066561@g.us', quotedMessageId: 'BAE5F4886F6F2D05', linkPreview: false });
	});

	it('every documented field at once: linkPreview, typePreview, customPreview, typingTime', async () => {
		const customPreview = {
			title: 'Invoice 42',
			description: 'Quarterly report',
			link: 'https://example.com/invoice/42',
			urlFile: 'https://example.com/invoice/42.jpg',
			jpegThumbnail: '/9j/4AAQSkZJRgABAQ',
		};
		const result = await sendMessage({
			chatId: '79001234567@c.us',
			message: 'https://example.com/invoice/42\n\nYour invoice',
			quotedMessageId: 'BAE5F4886F6F2D05',
			linkPreview: true,
			typePreview: 'large',
			customPreview,
			typingTime: 5000,
		});
		expect(result.status).toBe(200);
		expect(s.greenApi.sent[0]).toMatchObject({ linkPreview: true, typePreview: 'large', customPreview, typingTime: 5000 });
		// The other size, and the bounds of typingTime.
		for (const extra of [{ typePreview: 'small' }, { typingTime: 1000 }, { typingTime: 20_000 }]) {
			expect((await sendMessage({ chatId: '79001234567@c.us', message: 'x', ...extra })).status).toBe(200);
		}
	});

	it('a text of exactly 20,000 characters is taken', async () => {
		expect((await sendMessage({ chatId: '79001234567@c.us', message: 'я'.repeat(20_000) })).status).toBe(200);
	});
});

describe('sendMessage: what Green-API refuses is refused, in its words', () => {
	it.each([
		['a WhatsApp chat id without @c.us / @g.us', { chatId: '79001234567', message: 'x' }, "'chatId' must be one of the next formats: 'phone_number@c.us' or 'group_id@g.us'"],
		['a text over 20,000 characters', { chatId: '79001234567@c.us', message: 'x'.repeat(20_001) }, "'message' length must be less than or equal to 20000 characters long"],
		['typePreview other than large / small', { chatId: '79001234567@c.us', message: 'x', typePreview: 'medium' }, "'typePreview' must be one of [large, small]"],
		['customPreview without its title', { chatId: '79001234567@c.us', message: 'x', customPreview: { description: 'd' } }, "'customPreview.title' is required"],
		['customPreview with a title over 300 characters', { chatId: '79001234567@c.us', message: 'x', customPreview: { title: 't'.repeat(301) } }, "'customPreview.title' length must be less than or equal to 300 characters long"],
		['typingTime under a second', { chatId: '79001234567@c.us', message: 'x', typingTime: 999 }, "'typingTime' must be greater than or equal to 1000"],
		['typingTime over 20 seconds', { chatId: '79001234567@c.us', message: 'x', typingTime: 20_001 }, "'typingTime' must be less than or equal to 20000"],
		['a field SendMessage does not have', { chatId: '79001234567@c.us', message: 'x', urlFile: 'https://example.com/a.pdf' }, "'urlFile' is not allowed"],
	])('%s', async (_label, body, detail) => {
		const result = await sendMessage(body);
		expect([result.status, result.text]).toEqual([400, `Validation failed. Details: ${detail}`]);
		expect(s.greenApi.sent).toHaveLength(0);
	});
});

describe('sendFileByUpload: the v2 client\'s form is taken', () => {
	it('"file" first as an unnamed Blob, then chatId, fileName, caption, quotedMessageId', async () => {
		const bytes = Buffer.from('%PDF-1.4 invoice 42\n');
		const form = new FormData();
		form.append('file', new Blob([bytes]));
		form.append('chatId', '79001234567@c.us');
		form.append('fileName', 'Invoice 42.pdf');
		form.append('caption', 'Your invoice');
		form.append('quotedMessageId', 'BAE5F4886F6F2D05');
		const res = await fetch(`${s.greenMediaUrl}/waInstance${ID}/sendFileByUpload/${TOKEN}`, { method: 'POST', body: form });
		expect(res.status).toBe(200);
		const answer = (await res.json()) as { idMessage: string; urlFile: string };
		expect(answer.urlFile).toMatch(/\.pdf$/);
		expect(s.greenApi.sent[0]).toMatchObject({ fileName: 'Invoice 42.pdf', caption: 'Your invoice', quotedMessageId: 'BAE5F4886F6F2D05', partFileName: 'blob', fileSize: bytes.length });
	});
});
