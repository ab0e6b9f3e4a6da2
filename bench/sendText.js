'use strict';
// bench/send.js, part 2: N text replies in the real n8n 2.8.4 (`n8n execute`), the Send Message
// node against n8n's HTTP Request node making the same Green-API sendMessage calls (the way
// users reply without this package: the token in the URL). Compared by each node's own
// execution time in n8n's run data, so n8n's start-up is not counted.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../test/e2e/lib');
const n8nLib = require('./n8n');
const { med, fmt } = require('./stats');

const CREDENTIAL = { id: 'benchSendGreen01', name: 'Green-API (bench send)' };

/** `chats`: 'one' (every reply to the same chat, sent one after the other) or 'many' (each reply to its own chat). */
function workflows(urls, instance, chat, replies, chats, options = {}) {
	const chatOf = (i) => (chats === 'one' ? chat : `7900${String(1000000 + i)}@c.us`);
	const input = Array.from({ length: replies }, (_, i) => ({ chatId: chatOf(i), text: `Reply number ${i + 1}: your file was read.` }));
	const ours = n8nLib.workflow(`sendOurs${chats}`, {
		input: { replies: input },
		split: 'replies',
		steps: [
			{
				...n8nLib.ours('Send', {}, { greenApi: CREDENTIAL }),
				type: 'n8n-nodes-message-files.sendMessage',
				parameters: { service: 'greenApi', recipient: 'chat', chatId: '={{ $json.chatId }}', content: 'text', text: '={{ $json.text }}', options },
			},
		],
	});
	const url = `${urls.greenApiUrl}/waInstance${instance.idInstance}/sendMessage/${instance.apiTokenInstance}`;
	const http = n8nLib.workflow(`sendHttp${chats}`, {
		input: { replies: input },
		split: 'replies',
		steps: [{ ...n8nLib.httpPostJson('Send', url, '={{ JSON.stringify({ chatId: $json.chatId, message: $json.text }) }}'), name: 'Send' }],
	});
	return { ours, http };
}

async function run({ ctx, n8n: install, INSTANCE, CHAT, replies, reps, credential, log, concurrency }) {
	const options = concurrency ? { concurrency } : {};
	const userFolder = path.join(ctx.work, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	await lib.installPackageInto(userFolder, ctx.work);
	const n8n = await new lib.N8n(install.bin, userFolder).init();
	await n8n.importCredentials([{ ...CREDENTIAL, type: 'greenApi', data: credential }], path.join(ctx.work, 'credentials.json'));
	const sets = { one: workflows(ctx.urls, INSTANCE, CHAT, replies, 'one', options), many: workflows(ctx.urls, INSTANCE, CHAT, replies, 'many', options) };
	await n8n.importWorkflows(Object.values(sets).flatMap((wf) => [wf.ours, wf.http]), path.join(ctx.work, 'workflows.json'));
	const figures = {};
	for (const [chats, wf] of Object.entries(sets)) {
		const times = { ours: [], http: [] };
		for (let rep = 0; rep < reps; rep++) {
			for (const key of rep % 2 === 0 ? ['ours', 'http'] : ['http', 'ours']) {
				const result = await n8nLib.execute(n8n, ctx.work, wf[key].id);
				if (!result.ok) throw new Error(`${key}: ${result.error}`);
				const task = n8nLib.task(result, 'Send');
				if (!task || task.error) throw new Error(`${key}: the Send node failed: ${task?.error?.message}`);
				if (task.items.length !== replies) throw new Error(`${key}: ${task.items.length} items, want ${replies}`);
				if (key === 'ours' && !task.items.every((item) => item.json.sentMessage?.id)) throw new Error('ours: an item without sentMessage.id');
				times[key].push(task.ms);
				log(`  ${chats} chat(s), ${key} run ${rep + 1}: ${fmt(task.ms)} ms for ${replies} replies`);
			}
		}
		figures[chats] = { oursMs: med(times.ours), httpMs: med(times.http), speedup: med(times.http) / med(times.ours), times };
	}
	const { one, many } = figures;
	return {
		...many,
		one,
		many,
		notes: [
			`- **Text replies.** A workflow Manual Trigger → Set (${replies} replies as JSON) → Split Out → the node, run with \`n8n execute\`; the figure is the node's own \`executionTime\` in n8n's run data. Send Message: Service Green-API, Send To A Chat, Content Text, ${concurrency ? `Concurrency ${concurrency}` : 'default Concurrency (0: 20 chats at once for Green-API)'}, Chat ID and Text mapped as \`{{ $json.chatId }}\` and \`{{ $json.text }}\` (the token stays in the credential). HTTP Request 4.2: \`POST …/waInstance{id}/sendMessage/{token}\` with a JSON body (the token in the URL, as in the old example), which sends all items at once. Both get \`{idMessage}\` from the stand-in for every item.`,
			`- **Each reply to its own chat** (the goal's figure: replies to ${replies} messages): Send Message ${fmt(many.oursMs)} ms, HTTP Request ${fmt(many.httpMs)} ms, ${many.speedup.toFixed(2)}×. Runs (ms): Send Message ${many.times.ours.map((ms) => fmt(ms)).join(', ')}; HTTP Request ${many.times.http.map((ms) => fmt(ms)).join(', ')}. Before Send Message read \`{{ $json.field }}\` from the item and sent to 20 Green-API chats at once (2026-12-04: Concurrency 4, both fields evaluated by n8n for each item): 645 ms against 549 ms, 0.85×.`,
			`- **All ${replies} replies to one chat**: Send Message ${fmt(one.oursMs)} ms, HTTP Request ${fmt(one.httpMs)} ms, ${one.speedup.toFixed(2)}×. Send Message sends a chat's messages one after the other so they arrive in the order of the items; the HTTP Request node sends them all at once, and Green-API queues them in whatever order they arrive. Runs (ms): Send Message ${one.times.ours.map((ms) => fmt(ms)).join(', ')}; HTTP Request ${one.times.http.map((ms) => fmt(ms)).join(', ')}.`,
		],
	};
}

module.exports = { run };
