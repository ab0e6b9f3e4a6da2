'use strict';
// Download Message File as a tool of n8n's AI Agent, in a REAL n8n (`n8n execute`): the agent's
// chat model is n8n's OpenAI Chat Model node pointed (the OpenAI credential's Base URL) at a
// stand-in chat-completions server (test/standin/chatModel.ts) on 127.0.0.1. The model asks for
// the tool once, then answers from the tool result it was sent. What is checked is what n8n
// really sent the model as the tool result, and the agent's final output:
//   i  a WhatsApp CSV with a caption: type, name, size, caption and the whole text reach the model
//   i  a DingTalk voice note: type, name, size and DingTalk's speech-to-text reach the model, no text
//   i  a 50,000-character text file: the model gets the first 20,000 characters, flagged as cut
//   i  AI Agent 2.2, which runs its tools itself (n8n's isToolExecution() path): the same for the CSV
//   i  Send Message as a second tool: the agent reads a DingTalk voice note, then replies to its
//      sender through Send Message; the stand-in DingTalk records the reply
// Called from run.js: `await require('./agent').run({ lib, setup, n8n, urls, work, scenario, assert })`.

const fs = require('node:fs');
const path = require('node:path');

const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';
const OPENAI_MODEL_TYPE = '@n8n/n8n-nodes-langchain.lmChatOpenAi';
const OPENAI_CRED = { id: 'e2eStandinOpenAi', name: 'Stand-in chat model' };
const TOOL_NAME = 'Download_Message_File'; // n8n's tool name for a node called "Download Message File"
const SEND_TOOL_NAME = 'Send_Message';
const SEND_NODE_TYPE = 'n8n-nodes-message-files.sendMessageTool';
const TEXT_LIMIT = 20_000;

/** Bundle the TypeScript stand-in and load it into this process. */
async function loadChatModel(lib, work) {
	const out = path.join(work, 'chat-model-standin.js');
	const esbuild = path.join(lib.ROOT, 'node_modules', '.bin', 'esbuild');
	lib.runOrThrow(
		'esbuild (chat-model stand-in)',
		await lib.run(esbuild, [path.join(lib.ROOT, 'test', 'standin', 'chatModel.ts'), '--bundle', '--platform=node', `--outfile=${out}`, '--log-level=warning'], {
			cwd: lib.ROOT,
			timeoutMs: 60_000,
		}),
	);
	return require(out);
}

/** Start → Message (Set) → AI Agent, with the stand-in model and Download Message File (and Send Message) as its tools. */
function agentWorkflow(lib, id, message, toolParameters, toolCredentials, sendTool, agentVersion = 3.1) {
	const node = (name, type, typeVersion, parameters, position, extra = {}) => ({ id: `${id}-${name.replace(/\W/g, '')}`, name, type, typeVersion, position, parameters, ...extra });
	return {
		id,
		name: `E2E agent ${id}`,
		active: false,
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]),
			node('Message', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify(message, null, 2), options: {} }, [200, 0]),
			node('AI Agent', AGENT_TYPE, agentVersion, { promptType: 'define', text: 'The user sent a file. Say what it is.', options: {} }, [400, 0]),
			node('OpenAI Chat Model', OPENAI_MODEL_TYPE, 1.3, { model: { __rl: true, mode: 'id', value: 'standin-gpt' }, responsesApiEnabled: false, options: {} }, [300, 200], {
				credentials: { openAiApi: OPENAI_CRED },
			}),
			node('Download Message File', `${lib.NODE_TYPE}Tool`, 1, { options: {}, ...toolParameters }, [500, 200], { credentials: toolCredentials }),
			...(sendTool ? [node('Send Message', SEND_NODE_TYPE, 1, { options: {}, ...sendTool.parameters }, [700, 200], { credentials: toolCredentials })] : []),
		],
		connections: {
			Start: { main: [[{ node: 'Message', type: 'main', index: 0 }]] },
			Message: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Download Message File': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			...(sendTool ? { 'Send Message': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] } } : {}),
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

async function run({ lib, setup, n8n, urls, work, scenario, assert }) {
	const dir = path.join(work, 'agent');
	fs.mkdirSync(dir, { recursive: true });
	const chatModelModule = await loadChatModel(lib, dir);
	const downloadOnly = [{ name: TOOL_NAME, arguments: {} }];
	const chatModel = await chatModelModule.startChatModel(downloadOnly);
	try {
		await n8n.importCredentials([{ ...OPENAI_CRED, type: 'openAiApi', data: { apiKey: 'sk-standin-not-a-key', url: chatModel.url } }], path.join(dir, 'credentials.json'));

		const addGreenFile = async (idMessage, bytes, linkExtension) =>
			(await lib.standInControl(urls, 'green-add-file', { idInstance: setup.WA.idInstance, chatId: setup.WA_CHAT, idMessage, base64: bytes.toString('base64'), linkExtension })).directUrl;
		const greenTool = { service: 'greenApi', source: 'message' };
		const greenCred = { greenApi: setup.CRED.GREEN };

		const csv = fs.readFileSync(lib.fixturePath('table.csv'));
		const csvMessage = setup.greenWebhook(setup.WA, setup.WA_CHAT, 'AGENT-CSV', 'documentMessage', {
			downloadUrl: await addGreenFile('AGENT-CSV', csv, 'csv'),
			fileName: 'table.csv',
			mimeType: 'text/csv',
			caption: 'The numbers for March',
		});
		const recognition = '请把季度报告发给我';
		const voiceMessage = setup.dingTalkMessage('audio', { downloadCode: 'DT-voice.amr', duration: 3000, recognition });
		const longText = Array.from({ length: 1000 }, (_, i) => `Line ${String(i + 1).padStart(4, '0')}: ${'x'.repeat(38)}`).join('\n'); // 49,999 characters
		const longMessage = setup.greenWebhook(setup.WA, setup.WA_CHAT, 'AGENT-LONG', 'documentMessage', {
			downloadUrl: await addGreenFile('AGENT-LONG', Buffer.from(longText, 'utf8'), 'txt'),
			fileName: 'notes.txt',
			mimeType: 'text/plain',
		});
		const dingTalkTool = { service: 'dingTalk', source: 'message' };
		const dingTalkCred = { dingTalkApi: setup.CRED.DT };
		// The reply text is the model's: $fromAI is how n8n lets a model fill a tool's parameter.
		const sendTool = { parameters: { service: 'dingTalk', recipient: 'message', content: 'text', text: "={{ $fromAI('reply', 'The reply to send to the user', 'string') }}" } };
		const cases = [
			{ id: 'e2eAgentCsv', message: csvMessage, tool: greenTool, cred: greenCred },
			{ id: 'e2eAgentVoice', message: voiceMessage, tool: dingTalkTool, cred: dingTalkCred },
			{ id: 'e2eAgentLong', message: longMessage, tool: greenTool, cred: greenCred },
			{ id: 'e2eAgentReply', message: setup.dingTalkMessage('audio', { downloadCode: 'DT-voice.amr', duration: 3000, recognition }), tool: dingTalkTool, cred: dingTalkCred, send: sendTool },
		];
		// AI Agent 2.x runs tools itself and gives them only the model's arguments: the tool reads the trigger's item by name.
		cases.push({ id: 'e2eAgentV2', message: csvMessage, tool: { ...greenTool, message: "={{ $('Message').item.json }}" }, cred: greenCred, agentVersion: 2.2 });
		await n8n.importWorkflows(cases.map((c) => agentWorkflow(lib, c.id, c.message, c.tool, c.cred, c.send, c.agentVersion)), path.join(dir, 'workflows.json'));

		/** One execution of an agent workflow: what the model was sent as the tool result, and the agent's answer. */
		const runAgent = async (id, plan = downloadOnly) => {
			chatModel.plan = plan;
			const seen = chatModel.toolResults.length;
			const requestsBefore = chatModel.completions.length;
			const r = await n8n.execute(id, { binaryMode: 'filesystem' });
			assert(r.run, `n8n execute gave no result (exit ${r.code})\n${r.stdout.split('\n').slice(-15).join('\n')}\n${r.stderr.split('\n').slice(-15).join('\n')}`);
			const resultData = r.run.data.resultData;
			assert(!resultData.error, `workflow error: ${resultData.error && resultData.error.message}`);
			const toolResults = chatModel.toolResults.slice(seen);
			assert(toolResults.length === plan.length, `the model was sent ${toolResults.length} tool results, want ${plan.length} (${chatModel.completions.length - requestsBefore} chat requests)`);
			const sent = JSON.parse(toolResults[0]);
			const items = Array.isArray(sent) ? sent : [sent];
			assert(items.length === 1, `tool result has ${items.length} items: ${toolResults[0].slice(0, 300)}`);
			const agentOut = lib.nodeOutput(resultData.runData, 'AI Agent');
			const output = agentOut && agentOut[0] && agentOut[0].json.output;
			assert(typeof output === 'string', `AI Agent output: ${JSON.stringify(agentOut)}`);
			const request = chatModel.completions[chatModel.completions.length - 1];
			return { result: items[0], raw: toolResults[0], toolResults, output, ms: r.ms, request, runData: resultData.runData };
		};
		/** The agent's own input (the whole webhook message) is not echoed back to the model. */
		const assertNoEcho = (result) => {
			const extra = Object.keys(result).filter((k) => !['messageFile', 'fileText', 'fileTextTruncated'].includes(k));
			assert(extra.length === 0, `tool result carries more than the file: ${extra.join(', ')}`);
		};

		await scenario('i  AI Agent tool: a WhatsApp CSV — its type, name, size, caption and text reach the model', async () => {
			const { result, raw, output, ms, request } = await runAgent('e2eAgentCsv');
			assertNoEcho(result);
			const file = result.messageFile;
			assert(file.fileName === 'table.csv' && file.mimeType === 'text/csv', `messageFile ${JSON.stringify(file)}`);
			assert(file.fileSize === csv.length, `fileSize ${file.fileSize}, want ${csv.length}`);
			assert(file.caption === 'The numbers for March', `caption ${JSON.stringify(file.caption)}`);
			assert(result.fileText === csv.toString('utf8'), `fileText ${JSON.stringify(result.fileText)}`);
			assert(result.fileTextTruncated === false, `fileTextTruncated ${result.fileTextTruncated}`);
			const tools = (request.tools || []).map((t) => t.function.name);
			assert(tools.includes(TOOL_NAME), `tools offered: ${tools.join(', ')}`);
			const want = chatModelModule.answerFromToolResult(TOOL_NAME, raw);
			assert(output === want, `agent output ${JSON.stringify(output)}, want ${JSON.stringify(want)}`);
			assert(output.includes('id,name,city,amount'), `agent output ${output}`);
			return `tool result ${raw.length} chars; agent said: ${output.slice(0, 140)} (execute ${lib.fmtMs(ms)})`;
		});

		await scenario('i  AI Agent tool: a DingTalk voice note — type, size and the speech-to-text reach the model', async () => {
			const { result, raw, output, ms } = await runAgent('e2eAgentVoice');
			assertNoEcho(result);
			const file = result.messageFile;
			const size = fs.statSync(lib.fixturePath('voice.amr')).size;
			assert(file.mimeType === 'audio/amr' && /\.amr$/.test(file.fileName), `messageFile ${JSON.stringify(file)}`);
			assert(file.fileSize === size, `fileSize ${file.fileSize}, want ${size}`);
			assert(file.recognition === recognition, `recognition ${JSON.stringify(file.recognition)}`);
			assert(!('fileText' in result), 'a voice note was given a fileText');
			assert(output.includes(recognition) && output.includes(file.fileName), `agent output ${output}`);
			return `${file.fileName} ${file.mimeType} ${file.fileSize} B, recognition in the answer; tool result ${raw.length} chars (execute ${lib.fmtMs(ms)})`;
		});

		await scenario(`i  AI Agent tool: a ${longText.length}-character text file — the model gets the first ${TEXT_LIMIT}, flagged as cut`, async () => {
			const { result, raw, output, ms } = await runAgent('e2eAgentLong');
			assert(result.messageFile.fileSize === Buffer.byteLength(longText), `fileSize ${result.messageFile.fileSize}`);
			assert(result.fileText === longText.slice(0, TEXT_LIMIT), `fileText is ${result.fileText.length} chars, not the first ${TEXT_LIMIT}`);
			assert(result.fileTextTruncated === true, `fileTextTruncated ${result.fileTextTruncated}`);
			assert(output.includes('(cut)'), `agent output ${output}`);
			return `${result.fileText.length} of ${longText.length} characters sent, tool result ${raw.length} chars (execute ${lib.fmtMs(ms)})`;
		});

		await scenario('i  AI Agent 2.2 (runs its tools itself): the same CSV reaches the model, Message mapped to the trigger item', async () => {
			const { result, raw, output, ms } = await runAgent('e2eAgentV2');
			assertNoEcho(result);
			assert(result.messageFile.fileName === 'table.csv' && result.messageFile.fileSize === csv.length, `messageFile ${JSON.stringify(result.messageFile)}`);
			assert(result.fileText === csv.toString('utf8') && result.fileTextTruncated === false, `fileText ${JSON.stringify(result.fileText)}`);
			assert(output === chatModelModule.answerFromToolResult(TOOL_NAME, raw), `agent output ${output}`);
			return `tool result ${raw.length} chars, answer from it (execute ${lib.fmtMs(ms)})`;
		});

		await scenario('i  AI Agent tools: the agent reads a DingTalk voice note, then replies to its sender through Send Message', async () => {
			const before = (await lib.standInControl(urls, 'dingtalk-sent')).sent.length;
			let reply;
			const plan = [
				{ name: TOOL_NAME, arguments: {} },
				{ name: SEND_TOOL_NAME, arguments: (results) => ({ reply: (reply = `Got it. ${chatModelModule.answerFromToolResult(TOOL_NAME, results[0])}`) }) },
			];
			const { toolResults, output, ms, request } = await runAgent('e2eAgentReply', plan);
			const tools = (request.tools || []).map((t) => t.function.name);
			assert(tools.includes(SEND_TOOL_NAME), `tools offered: ${tools.join(', ')}`);
			const sent = (await lib.standInControl(urls, 'dingtalk-sent')).sent.slice(before);
			assert(sent.length === 1, `${sent.length} DingTalk messages sent, want 1: ${JSON.stringify(sent).slice(0, 300)}`);
			const [message] = sent;
			assert(message.api === 'oToMessages/batchSend' && JSON.stringify(message.userIds) === JSON.stringify(['e2estaff01']), `sent ${JSON.stringify(message)}`);
			assert(message.msgKey === 'sampleText' && message.msgParam.content === reply, `sent ${message.msgKey} ${JSON.stringify(message.msgParam)}, want the text ${JSON.stringify(reply)}`);
			assert(reply.includes(recognition), `reply ${reply}`);
			const sendResult = JSON.parse(toolResults[1]);
			assert(Array.isArray(sendResult) && sendResult.length === 1, `Send Message tool result ${toolResults[1]}`);
			return `reply "${reply.slice(0, 80)}…" sent to e2estaff01; Send Message told the model ${toolResults[1].slice(0, 160)}; agent said ${output.slice(0, 60)} (execute ${lib.fmtMs(ms)})`;
		});
	} finally {
		await chatModel.close();
	}
}

module.exports = { run };
