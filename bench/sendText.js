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

function workflows(urls, instance, chat, replies) {
	const input = Array.from({ length: replies }, (_, i) => ({ chatId: chat, text: `Reply number ${i + 1}: your file was read.` }));
	const ours = n8nLib.workflow('sendTextOurs', {
		input: { replies: input },
		split: 'replies',
		steps: [
			{
				...n8nLib.ours('Send', {}, { greenApi: CREDENTIAL }),
				type: 'n8n-nodes-message-files.sendMessage',
				parameters: { service: 'greenApi', recipient: 'chat', chatId: '={{ $json.chatId }}', content: 'text', text: '={{ $json.text }}', options: {} },
			},
		],
	});
	const url = `${urls.greenApiUrl}/waInstance${instance.idInstance}/sendMessage/${instance.apiTokenInstance}`;
	const http = n8nLib.workflow('sendTextHttp', {
		input: { replies: input },
		split: 'replies',
		steps: [{ ...n8nLib.httpPostJson('Send', url, '={{ JSON.stringify({ chatId: $json.chatId, message: $json.text }) }}'), name: 'Send' }],
	});
	return { ours, http };
}

async function run({ ctx, n8n: install, INSTANCE, CHAT, replies, reps, credential, log }) {
	const userFolder = path.join(ctx.work, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	await lib.installPackageInto(userFolder, ctx.work);
	const n8n = await new lib.N8n(install.bin, userFolder).init();
	await n8n.importCredentials([{ ...CREDENTIAL, type: 'greenApi', data: credential }], path.join(ctx.work, 'credentials.json'));
	const wf = workflows(ctx.urls, INSTANCE, CHAT, replies);
	await n8n.importWorkflows([wf.ours, wf.http], path.join(ctx.work, 'workflows.json'));
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
			log(`  ${key} run ${rep + 1}: ${fmt(task.ms)} ms for ${replies} replies`);
		}
	}
	const oursMs = med(times.ours);
	const httpMs = med(times.http);
	return {
		oursMs,
		httpMs,
		speedup: httpMs / oursMs,
		times,
		notes: [
			`- **Text replies.** A workflow Manual Trigger → Set (${replies} replies as JSON) → Split Out → the node, run with \`n8n execute\`; the figure is the node's own \`executionTime\` in n8n's run data. Send Message: Service Green-API, Send To A Chat, Content Text (the token stays in the credential). HTTP Request 4.2: \`POST …/waInstance{id}/sendMessage/{token}\` with a JSON body (the token in the URL, as in the old example). Both get \`{idMessage}\` from the stand-in for every item.`,
			`- Runs (ms): Send Message ${times.ours.map(fmt).join(', ')}; HTTP Request ${times.http.map(fmt).join(', ')}.`,
		],
	};
}

module.exports = { run };
