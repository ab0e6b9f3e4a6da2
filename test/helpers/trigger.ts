/**
 * Runs a BUILT trigger node (the DingTalk Trigger unless `triggerHarness` picks another) through
 * n8n-core's own trigger machinery: a real TriggerContext (real credentials, HTTP and binary
 * helpers) for an active workflow, and TriggersAndPollers.runTrigger for "Listen for test event"
 * (manual mode), as n8n does. `emit` is the only seam: it records what n8n would have started an
 * execution with.
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

export const TRIGGER_TYPE = 'n8n-nodes-message-files.dingTalkTrigger';

/** Which built trigger a harness runs. */
export interface TriggerNodeSpec {
	/** The compiled node under dist/, relative to the repository root, e.g. 'nodes/FeishuTrigger/FeishuTrigger.node.js'. */
	distPath: string;
	/** The exported class's name, e.g. 'FeishuTrigger'. */
	className: string;
	/** The node's full type name, e.g. 'n8n-nodes-message-files.feishuTrigger'. */
	type: string;
	/** The node's display name in the test workflow. */
	nodeName: string;
	/** The credential type it uses and its webhook path. */
	credentialType: string;
	webhookPath: string;
}

export const DINGTALK_TRIGGER: TriggerNodeSpec = {
	distPath: 'nodes/DingTalkTrigger/DingTalkTrigger.node.js',
	className: 'DingTalkTrigger',
	type: TRIGGER_TYPE,
	nodeName: 'DingTalk Trigger',
	credentialType: 'dingTalkApi',
	webhookPath: 'dingtalk',
};

export const FEISHU_TRIGGER: TriggerNodeSpec = {
	distPath: 'nodes/FeishuTrigger/FeishuTrigger.node.js',
	className: 'FeishuTrigger',
	type: 'n8n-nodes-message-files.feishuTrigger',
	nodeName: 'Feishu Trigger',
	credentialType: 'feishuApi',
	webhookPath: 'feishu',
};

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

interface LoadedTrigger {
	spec: TriggerNodeSpec;
	triggerType: INodeType;
	nodeTypes: INodeTypes;
}

const loaded = new Map<string, LoadedTrigger>();

/** The built node, loaded once per spec (dist/ must be built). */
function load(spec: TriggerNodeSpec): LoadedTrigger {
	const known = loaded.get(spec.type);
	if (known) return known;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(`../../dist/${spec.distPath}`) as Record<string, new () => INodeType>;
	const triggerType = new exported[spec.className]();
	const nodeTypes: INodeTypes = {
		getByName(): INodeType | IVersionedNodeType {
			return triggerType;
		},
		getByNameAndVersion(type: string): INodeType {
			if (type !== spec.type) throw new Error(`Unknown node type ${type}`);
			return triggerType;
		},
		getKnownTypes() {
			return {};
		},
	};
	const entry = { spec, triggerType, nodeTypes };
	loaded.set(spec.type, entry);
	return entry;
}

function workflowOf(trigger: LoadedTrigger, parameters: INodeParameters): { workflow: Workflow; node: INode; workflowData: IWorkflowBase } {
	const { spec, nodeTypes } = trigger;
	const node: INode = {
		id: 'trigger-1',
		name: spec.nodeName,
		type: spec.type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [spec.credentialType]: { id: `cred-${spec.credentialType}`, name: spec.nodeName } },
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
async function activate(trigger: LoadedTrigger, parameters: INodeParameters, credentials: CredentialStore, execution: ExecutionSettings = {}): Promise<ActiveTrigger> {
	await binaryDataService();
	const { triggerType } = trigger;
	const { workflow, node } = workflowOf(trigger, parameters);
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
async function listen(
	trigger: LoadedTrigger,
	parameters: INodeParameters,
	credentials: CredentialStore,
): Promise<{ started: Promise<void>; result: Promise<INodeExecutionData[][]>; close: () => Promise<void> }> {
	await binaryDataService();
	const { workflow, node, workflowData } = workflowOf(trigger, parameters);
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
	/** The parsed JSON body, or the exact text sent (then parsed for `body`, as n8n's JSON parser does). */
	body: unknown;
}

export interface WebhookOutcome {
	result: IWebhookResponseData;
	status?: number;
	sent?: unknown;
	/** When webhook() was called, answered (status or json first set), and returned (Date.now()). */
	calledAt: number;
	respondedAt?: number;
	returnedAt: number;
}

/**
 * Runs the trigger's webhook() in a real WebhookContext for one request. Like n8n, the request
 * carries `rawBody`: the exact bytes sent (a string body as given, an object as compact JSON).
 */
async function webhook(trigger: LoadedTrigger, parameters: INodeParameters, credentials: CredentialStore, call: WebhookCall): Promise<WebhookOutcome> {
	await binaryDataService();
	const { triggerType, spec } = trigger;
	const { workflow, node } = workflowOf(trigger, parameters);
	const outcome: { status?: number; sent?: unknown; respondedAt?: number } = {};
	const httpResponse = {
		status(code: number) {
			outcome.status = code;
			outcome.respondedAt ??= Date.now();
			return httpResponse;
		},
		json(value: unknown) {
			outcome.sent = value;
			outcome.status ??= 200;
			outcome.respondedAt ??= Date.now();
			return httpResponse;
		},
	};
	const rawText = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
	const body = typeof call.body === 'string' ? parseJsonOrText(call.body) : call.body;
	const httpRequest = { headers: call.headers, body, rawBody: Buffer.from(rawText, 'utf8'), query: {}, params: {} };
	const additionalData = testAdditionalData(credentials, { httpRequest, httpResponse });
	const webhookData = { httpMethod: 'POST', node: node.name, path: spec.webhookPath, webhookDescription: triggerType.description.webhooks![0], workflowId: workflow.id } as unknown as IWebhookData;
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
	const calledAt = Date.now();
	const result = await triggerType.webhook!.call(context);
	return { result, ...outcome, calledAt, returnedAt: Date.now() };
}

function parseJsonOrText(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export interface TriggerHarness {
	/** The node instance the harness runs (its description, for tests that read it). */
	triggerType: INodeType;
	activateTrigger(parameters: INodeParameters, credentials: CredentialStore, execution?: ExecutionSettings): Promise<ActiveTrigger>;
	listenForTestEvent(
		parameters: INodeParameters,
		credentials: CredentialStore,
	): Promise<{ started: Promise<void>; result: Promise<INodeExecutionData[][]>; close: () => Promise<void> }>;
	callWebhook(parameters: INodeParameters, credentials: CredentialStore, call: WebhookCall): Promise<WebhookOutcome>;
}

/** The harness for one built trigger, e.g. `triggerHarness(FEISHU_TRIGGER)`. */
export function triggerHarness(spec: TriggerNodeSpec): TriggerHarness {
	const trigger = load(spec);
	return {
		triggerType: trigger.triggerType,
		activateTrigger: async (parameters, credentials, execution) => await activate(trigger, parameters, credentials, execution),
		listenForTestEvent: async (parameters, credentials) => await listen(trigger, parameters, credentials),
		callWebhook: async (parameters, credentials, call) => await webhook(trigger, parameters, credentials, call),
	};
}

// The DingTalk Trigger's harness, as the DingTalk tests have always used it.
const dingTalk = (): LoadedTrigger => load(DINGTALK_TRIGGER);

/** Activates the DingTalk Trigger as n8n does for an active workflow; throws what activation throws. */
export async function activateTrigger(parameters: INodeParameters, credentials: CredentialStore, execution: ExecutionSettings = {}): Promise<ActiveTrigger> {
	return await activate(dingTalk(), parameters, credentials, execution);
}

/** "Listen for test event" on the DingTalk Trigger. */
export async function listenForTestEvent(
	parameters: INodeParameters,
	credentials: CredentialStore,
): Promise<{ started: Promise<void>; result: Promise<INodeExecutionData[][]>; close: () => Promise<void> }> {
	return await listen(dingTalk(), parameters, credentials);
}

/** Runs the DingTalk Trigger's webhook() for one request. */
export async function callWebhook(parameters: INodeParameters, credentials: CredentialStore, call: WebhookCall): Promise<WebhookOutcome> {
	return await webhook(dingTalk(), parameters, credentials, call);
}

export { CredentialStore };
