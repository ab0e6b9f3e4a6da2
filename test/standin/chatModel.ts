// A stand-in for OpenAI's chat-completions API, for n8n's AI Agent with its OpenAI Chat Model
// node: deterministic instead of clever. It follows a plan of tool calls: while the conversation
// holds fewer tool results than the plan has calls, it asks for the next one (whose arguments may
// be built from the results so far); then it answers with text built from the last tool result.
// Streamed (`stream: true`) and plain answers both work.
import type { ServerResponse } from 'node:http';

import type { Listener, RecordedRequest } from './listener';
import { listen, parseJsonObject, sendJson } from './listener';

export interface PlannedToolCall {
	/** The tool's name as n8n gives it to the model (a node "Download Message File" → `Download_Message_File`). */
	name: string;
	/** The call's arguments, or how to make them from the tool results of the conversation so far. */
	arguments: Record<string, unknown> | ((toolResults: string[]) => Record<string, unknown>);
}

export interface ChatModelStandIn {
	/** Base URL for the OpenAI credential's URL or the node's Base URL option (ends in /v1). */
	url: string;
	/** The tool calls to make, in order, in every conversation. Set it before each run. */
	plan: PlannedToolCall[];
	/** Chat-completion requests as sent (parsed bodies), oldest first. */
	completions: Array<Record<string, unknown>>;
	/** The tool results the model was sent (the `content` of `role: tool` messages), in order. */
	toolResults: string[];
	requests: RecordedRequest[];
	close(): Promise<void>;
}

interface ChatMessage {
	role?: string;
	content?: unknown;
	tool_call_id?: string;
}

const MODEL = 'standin-gpt';

/** The answer built from a tool result: what a model would say, from nothing but what it was sent. */
export function answerFromToolResult(toolName: string, content: string): string {
	let items: unknown;
	try {
		items = JSON.parse(content);
	} catch {
		return `${toolName} said: ${content}`;
	}
	const list = Array.isArray(items) ? items : [items];
	const parts = list.map((item) => {
		const record = (item ?? {}) as Record<string, unknown>;
		const file = record.messageFile as Record<string, unknown> | undefined;
		if (!file) return JSON.stringify(record);
		const said = [file.recognition, file.caption, file.text].find((value) => typeof value === 'string' && value !== '');
		const text = typeof record.fileText === 'string' ? ` Its text begins: ${JSON.stringify(record.fileText.split(/\r?\n/)[0])}${record.fileTextTruncated ? ' (cut)' : ''}.` : '';
		return `You sent "${String(file.fileName)}" (${String(file.mimeType)}, ${String(file.fileSize)} bytes).${said ? ` The message says: ${JSON.stringify(said)}.` : ''}${text}`;
	});
	return parts.join(' ');
}

function toolNames(body: Record<string, unknown>): string[] {
	const tools = Array.isArray(body.tools) ? (body.tools as Array<{ function?: { name?: string } }>) : [];
	return tools.map((tool) => tool.function?.name ?? '').filter(Boolean);
}

function completion(message: Record<string, unknown>, finishReason: string): Record<string, unknown> {
	return {
		id: `chatcmpl-standin-${Date.now()}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: MODEL,
		choices: [{ index: 0, message, finish_reason: finishReason }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The same answer as server-sent events, the way OpenAI streams it. */
function sendStream(res: ServerResponse, message: Record<string, unknown>, finishReason: string): void {
	res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
	const chunk = (delta: Record<string, unknown>, finish: string | null) => {
		const data = { id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] };
		res.write(`data: ${JSON.stringify(data)}\n\n`);
	};
	const toolCalls = message.tool_calls as Array<Record<string, unknown>> | undefined;
	if (toolCalls) chunk({ role: 'assistant', content: null, tool_calls: toolCalls.map((call, index) => ({ index, ...call })) }, null);
	else chunk({ role: 'assistant', content: message.content }, null);
	chunk({}, finishReason);
	res.write(`data: ${JSON.stringify({ id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: 0, model: MODEL, choices: [], usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } })}\n\n`);
	res.end('data: [DONE]\n\n');
}

export async function startChatModel(plan: PlannedToolCall[]): Promise<ChatModelStandIn> {
	const completions: Array<Record<string, unknown>> = [];
	const toolResults: string[] = [];
	const requests: RecordedRequest[] = [];
	let callCount = 0;
	const listener: Listener = await listen(
		'chatModel',
		({ req, res, url, body }) => {
			if (req.method === 'GET' && url.pathname.endsWith('/models')) {
				sendJson(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'standin' }] });
				return;
			}
			const request = parseJsonObject(body);
			if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions') || !request) {
				sendJson(res, 404, { error: { message: `The chat-model stand-in has no ${req.method ?? ''} ${url.pathname}`, type: 'invalid_request_error' } });
				return;
			}
			completions.push(request);
			const messages = (Array.isArray(request.messages) ? request.messages : []) as ChatMessage[];
			const contentOf = (message: ChatMessage) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content));
			const results = messages.filter((message) => message.role === 'tool').map(contentOf);
			const steps = standIn.plan;
			let message: Record<string, unknown>;
			let finishReason: string;
			if (results.length < steps.length) {
				const next = steps[results.length];
				const offered = toolNames(request);
				if (!offered.includes(next.name)) {
					sendJson(res, 400, { error: { message: `Tool ${next.name} was not offered; the tools were: ${offered.join(', ') || 'none'}`, type: 'invalid_request_error' } });
					return;
				}
				if (results.length > 0) toolResults.push(results[results.length - 1]);
				callCount++;
				const args = typeof next.arguments === 'function' ? next.arguments(results) : next.arguments;
				message = {
					role: 'assistant',
					content: null,
					tool_calls: [{ id: `call_standin_${callCount}`, type: 'function', function: { name: next.name, arguments: JSON.stringify(args) } }],
				};
				finishReason = 'tool_calls';
			} else {
				const last = results[results.length - 1] ?? '';
				if (results.length > 0) toolResults.push(last);
				message = { role: 'assistant', content: results.length > 0 ? answerFromToolResult(steps[steps.length - 1].name, last) : 'No tool was planned.' };
				finishReason = 'stop';
			}
			if (request.stream === true) sendStream(res, message, finishReason);
			else sendJson(res, 200, completion(message, finishReason));
		},
		(recorded) => requests.push({ seq: requests.length + 1, ...recorded }),
	);
	const standIn: ChatModelStandIn = { url: `${listener.url}/v1`, plan, completions, toolResults, requests, close: listener.close };
	return standIn;
}
