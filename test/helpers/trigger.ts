/**
 * Runs the BUILT DingTalk Trigger through n8n-core's own trigger machinery: a real
 * TriggerContext (real credentials, HTTP and binary helpers) for an active workflow, and
 * TriggersAndPollers.runTrigger for "Listen for test event" (manual mode), as n8n does.
 * `emit` is the only seam: it records what n8n would have started an execution with.
 */
import { ExecutionLifecycleHooks, TriggerContext, WebhookContext } from 'n8n-core';
// Not re-exported by n8n-core's index: the class n8n's ActiveWorkflows and WorkflowExecute use.
import { TriggersAndPollers } from 'n8n-core/dist/execution-engine/triggers-and-pollers';
import type {
	IDeferredPromise,
	INode,
	INodeExecutionData,
	IRun,
	INodeParameters,
	INodeType,
	INodeTypes,
	ITriggerResponse,
	IVersionedNodeType,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CredentialStore } from './credentialsHelper';
import { binaryDataService, testAdditionalData } from './engine';
import { settleExecution } from './executionRuns';
import type { LogLine } from './loggerCapture';
import { captureLogs } from './loggerCapture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DingTalkTrigger } = require('../../dist/nodes/DingTalkTrigger/DingTalkTrigger.node.js') as { DingTalkTrigger: new () => INodeType };

export const TRIGGER_TYPE = 'n8n-nodes-message-files.dingTalkTrigger';
const triggerType = new DingTalkTrigger();

/**
 * Node 22+ has a global WebSocket (what the trigger uses); Node 20 only with
 * --experimental-websocket. Without it, the `ws` library (same WHATWG interface) stands in.
 */
export function ensureWebSocket(): 'node' | 'ws' {
	if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') return 'node';
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	(globalThis as { WebSocket?: unknown }).WebSocket = (require('ws') as { WebSocket: unknown }).WebSocket;
	return 'ws';
}

const nodeTypes: INodeTypes = {
	getByName(): INodeType | IVersionedNodeType {
		return triggerType;
	},
	getByNameAndVersion(type: string): INodeType {
		if (type !== TRIGGER_TYPE) throw new Error(`Unknown node type ${type}`);
		return triggerType;
	},
	getKnownTypes() {
		return {};
	},
};

function workflowOf(parameters: INodeParameters): { workflow: Workflow; node: INode; workflowData: IWorkflowBase } {
	const node: INode = {
		id: 'trigger-1',
		name: 'DingTalk Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { dingTalkApi: { id: 'cred-dingtalk', name: 'DingTalk' } },
	};
	const workflowData = { id: 'workflow-trigger', name: 'trigger test', nodes: [node], connections: {}, active: true } as unknown as IWorkflowBase;
	const workflow = new Workflow({ id: 'workflow-trigger', nodes: [node], connections: {}, active: true, nodeTypes });
	return { workflow, node, workflowData };
}

export interface Emitted {
	items: INodeExecutionData[];
	at: number;
}

export interface ActiveTrigger {
	response: ITriggerResponse;
	/** Every emit, in order: what n8n would have started executions with. */
	emitted: Emitted[];
	errors: Error[];
	/** What the trigger logged. */
	logs: LogLine[];
	/** Resolves once at least `count` emits happened (rejects after `timeoutMs`). */
	waitForEmits(count: number, timeoutMs?: number): Promise<Emitted[]>;
	close(): Promise<void>;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export { until };

export interface ExecutionSettings {
	/** How the n-th execution (0-based) ended, as n8n reports it on the emit's donePromise (default: succeeded). */
	executionRun?: (index: number) => IRun;
	/** How long each execution takes before its donePromise settles. */
	executionMs?: number;
	/** The n-th execution's donePromise is rejected with this error, or never settles ('never'); undefined: executionRun decides. */
	executionFailure?: (index: number) => Error | 'never' | undefined;
}

/** Activates the trigger as n8n does for an active workflow; throws what activation throws. */
export async function activateTrigger(parameters: INodeParameters, credentials: CredentialStore, execution: ExecutionSettings = {}): Promise<ActiveTrigger> {
	await binaryDataService();
	const { workflow, node } = workflowOf(parameters);
	const emitted: Emitted[] = [];
	const errors: Error[] = [];
	// Like n8n: the execution runs after emit and settles the donePromise when it finished.
	const emit = (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => {
		const index = emitted.push({ items: data[0], at: Date.now() }) - 1;
		if (done) settleExecution(done, index, execution);
	};
	const context = new TriggerContext(
		workflow,
		node,
		testAdditionalData(credentials),
		'trigger',
		'activate',
		emit,
		(error) => void errors.push(error),
		(error) => void errors.push(error as unknown as Error),
	);
	const logs = captureLogs(context.logger as unknown as Parameters<typeof captureLogs>[0]);
	let response: ITriggerResponse;
	try {
		response = (await triggerType.trigger!.call(context)) as ITriggerResponse;
	} catch (error) {
		logs.restore();
		throw error;
	}
	return {
		response,
		emitted,
		errors,
		logs: logs.lines,
		async waitForEmits(count, timeoutMs = 15_000) {
			await until(() => emitted.length >= count, timeoutMs, `${count} emits (have ${emitted.length})`);
			return emitted;
		},
		async close() {
			try {
				await response.closeFunction?.();
			} finally {
				logs.restore();
			}
		},
	};
}

/** "Listen for test event": n8n-core's runTrigger in manual mode, then the manual trigger function. */
export async function listenForTestEvent(
	parameters: INodeParameters,
	credentials: CredentialStore,
): Promise<{ started: Promise<void>; result: Promise<INodeExecutionData[][]>; close: () => Promise<void> }> {
	await binaryDataService();
	const { workflow, node, workflowData } = workflowOf(parameters);
	const hooks = new ExecutionLifecycleHooks('manual', 'manual-1', workflowData);
	const additionalData = testAdditionalData(credentials, { hooks, executionId: 'manual-1' });
	// n8n-core 2.8 calls it runTrigger; newer versions runTriggerFunction (same arguments).
	const engine = new TriggersAndPollers() as TriggersAndPollers & { runTriggerFunction?: TriggersAndPollers['runTrigger'] };
	const runTrigger = (engine.runTrigger ?? engine.runTriggerFunction!).bind(engine);
	const response = await runTrigger(
		workflow,
		node,
		(wf: Workflow, n: INode, data: IWorkflowExecuteAdditionalData, mode: WorkflowExecuteMode, activation: WorkflowActivateMode) =>
			new TriggerContext(wf, n, data, mode, activation),
		additionalData,
		'manual',
		'manual',
	);
	const started = response!.manualTriggerFunction ? response!.manualTriggerFunction() : Promise.resolve();
	return { started, result: response!.manualTriggerResponse!, close: async () => await response!.closeFunction?.() };
}

/** A minimal express-style request/response pair, as n8n hands a webhook. */
export interface WebhookCall {
	headers: Record<string, string>;
	body: unknown;
}

export interface WebhookOutcome {
	result: IWebhookResponseData;
	status?: number;
	sent?: unknown;
}

/** Runs the trigger's webhook() in a real WebhookContext for one request. */
export async function callWebhook(parameters: INodeParameters, credentials: CredentialStore, call: WebhookCall): Promise<WebhookOutcome> {
	await binaryDataService();
	const { workflow, node } = workflowOf(parameters);
	const outcome: { status?: number; sent?: unknown } = {};
	const httpResponse = {
		status(code: number) {
			outcome.status = code;
			return httpResponse;
		},
		json(value: unknown) {
			outcome.sent = value;
			outcome.status ??= 200;
			return httpResponse;
		},
	};
	const httpRequest = { headers: call.headers, body: call.body, query: {}, params: {} };
	const additionalData = testAdditionalData(credentials, { httpRequest, httpResponse });
	const webhookData = { httpMethod: 'POST', node: node.name, path: 'dingtalk', webhookDescription: triggerType.description.webhooks![0], workflowId: workflow.id } as unknown as IWebhookData;
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
	const result = await triggerType.webhook!.call(context);
	return { result, ...outcome };
}

export { CredentialStore };
