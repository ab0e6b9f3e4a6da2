// The triggers' "Webhook URLs" panel, decided as n8n's editor decides it (NodeWebhooks.vue,
// the same in 2.8.4 and 2.41.1): every webhook without restartWebhook whose ndvHideUrl
// expression, resolved against the node's parameters, is falsy shows a URL; with none, no
// panel. And as n8n's server decides what to register (WebhookService.getNodeWebhooks in
// packages/cli, 2.8.4): the methods the httpMethod expression resolves to, empty ones dropped.
import type { INode, INodeType, INodeTypes, IWebhookDescription } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DingTalkTrigger } = require('../../dist/nodes/DingTalkTrigger/DingTalkTrigger.node.js') as { DingTalkTrigger: new () => INodeType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GreenApiTrigger } = require('../../dist/nodes/GreenApiTrigger/GreenApiTrigger.node.js') as { GreenApiTrigger: new () => INodeType };

const TYPES: Record<string, INodeType> = {
	'n8n-nodes-message-files.dingTalkTrigger': new DingTalkTrigger(),
	'n8n-nodes-message-files.greenApiTrigger': new GreenApiTrigger(),
};
const nodeTypes: INodeTypes = {
	getByName: (type) => TYPES[type],
	getByNameAndVersion: (type) => TYPES[type],
	getKnownTypes: () => ({}),
};

function workflowWith(type: string, mode: string): { workflow: Workflow; node: INode } {
	const node: INode = { id: 'trigger', name: 'Trigger', type, typeVersion: 1, position: [0, 0], parameters: { mode }, webhookId: 'f6a0c1d2-0000-4000-8000-000000000001' };
	return { workflow: new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes }), node };
}

/** The URLs the editor's panel lists: resolved as the editor resolves ndvHideUrl (a boolean, or an expression on $parameter). */
function visibleWebhookUrls(type: string, mode: string): IWebhookDescription[] {
	const { workflow, node } = workflowWith(type, mode);
	const webhooks = (TYPES[type].description.webhooks ?? []).filter((webhook) => webhook.restartWebhook !== true);
	return webhooks.filter((webhook) => {
		const hide = typeof webhook.ndvHideUrl === 'string' ? workflow.expression.getSimpleParameterValue(node, webhook.ndvHideUrl, 'internal', {}) : webhook.ndvHideUrl;
		return !hide;
	});
}

function registeredWebhooks(type: string, mode: string): Array<{ httpMethod: string; path: string }> {
	const { workflow, node } = workflowWith(type, mode);
	return (TYPES[type].description.webhooks ?? []).flatMap((webhook) => {
		const methods = workflow.expression.getSimpleParameterValue(node, webhook.httpMethod, 'internal', {}, undefined, 'GET');
		const path = String(workflow.expression.getSimpleParameterValue(node, webhook.path, 'internal', {}));
		return String(methods)
			.split(',')
			.filter((method) => method !== '')
			.map((method) => ({ httpMethod: method.trim(), path }));
	});
}

describe.each([
	{ label: 'DingTalk Trigger', type: 'n8n-nodes-message-files.dingTalkTrigger', without: 'stream', with: 'httpCallback', path: 'dingtalk' },
	{ label: 'Green-API Trigger', type: 'n8n-nodes-message-files.greenApiTrigger', without: 'polling', with: 'webhook', path: 'webhook' },
])('$label: Webhook URLs only where there is a webhook', ({ type, without, with: withWebhook, path }) => {
	test(`${without} mode: no URL in the panel (so no panel), and none registered`, () => {
		expect(visibleWebhookUrls(type, without)).toEqual([]);
		expect(registeredWebhooks(type, without)).toEqual([]);
	});

	test(`${withWebhook} mode: the panel shows the POST URL that n8n registers`, () => {
		expect(visibleWebhookUrls(type, withWebhook)).toHaveLength(1);
		const registered = registeredWebhooks(type, withWebhook);
		expect(registered).toHaveLength(1);
		expect(registered[0].httpMethod).toBe('POST');
		expect(registered[0].path).toContain(path);
	});
});
