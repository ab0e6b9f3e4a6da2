// Runs the BUILT Green-API Trigger (dist/) the way n8n does, with n8n-core's real
// contexts: TriggerContext for activation (polling; emit collected here), HookContext
// for webhook registration, WebhookContext behind a real HTTP server for webhook calls.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, TriggerContext, WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IDeferredPromise,
	IRun,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CredentialStore } from '../helpers/credentialsHelper';
import { binaryDataService, testAdditionalData } from '../helpers/engine';
import { settleExecution } from '../helpers/executionRuns';
import type { LogLine } from '../helpers/loggerCapture';
import { captureLogs } from '../helpers/loggerCapture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GreenApiTrigger } = require('../../dist/nodes/GreenApiTrigger/GreenApiTrigger.node.js') as { GreenApiTrigger: new () => INodeType };

export const TRIGGER_TYPE = 'n8n-nodes-message-files.greenApiTrigger';
export const triggerNodeType = new GreenApiTrigger();

const nodeTypes = {
	getByName: () => triggerNodeType,
	getByNameAndVersion: () => triggerNodeType,
	getKnownTypes: () => ({}),
};

export interface Emitted {
	items: INodeExecutionData[];
	at: number;
}

export interface TriggerSetup {
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	binaryMode?: 'memory' | 'filesystem';
	/** Static data of the workflow, kept across activations like n8n's database does. */
	staticData?: IDataObject;
	/** activateTrigger: how long each "execution" takes before its donePromise settles. */
	executionMs?: number;
	/** activateTrigger: how the n-th execution (0-based) ended, as n8n reports it (default: succeeded). */
	executionRun?: (index: number) => IRun;
	/** activateTrigger: the n-th execution's donePromise is rejected with this error, or never settles ('never'); undefined: executionRun decides. */
	executionFailure?: (index: number) => Error | 'never' | undefined;
	/** serveWebhook: listen on this port (default: any free one). */
	port?: number;
	/** Fixed workflow and node ids (default: fresh ones per call), e.g. to pair a test webhook with the manual run after it. */
	ids?: { workflow: string; node: string };
	/** serveWebhook: n8n's execution mode for the call ('manual' for the editor's test URL). */
	executionMode?: 'webhook' | 'manual';
}

let workflowCounter = 0;

function build(setup: TriggerSetup) {
	++workflowCounter;
	const node: INode = {
		id: setup.ids?.node ?? `trigger-${workflowCounter}`,
		name: 'Green-API Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: setup.parameters,
		credentials: { greenApi: { id: 'cred-greenapi', name: 'Green-API' } },
		webhookId: `hook-${workflowCounter}`,
	};
	const workflow = new Workflow({
		id: setup.ids?.workflow ?? `wf-${workflowCounter}`,
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		staticData: setup.staticData ?? {},
	});
	const store = new CredentialStore({ greenApi: setup.credentials });
	const additionalData = testAdditionalData(store);
	return { node, workflow, additionalData };
}

async function useBinaryMode(mode: 'memory' | 'filesystem' = 'memory'): Promise<void> {
	const service = await binaryDataService();
	(service as unknown as { mode: string }).mode = mode === 'memory' ? 'default' : 'filesystem-v2';
}

export interface ActiveTrigger {
	emitted: Emitted[];
	errors: Error[];
	/** What the trigger logged. */
	logs: LogLine[];
	/** Items of every emission, flattened. */
	items(): INodeExecutionData[];
	/** Runs the response's manualTriggerFunction, as n8n does for a manual run. */
	runManual(): Promise<void>;
	/** Waits until `count` items were emitted (bounded). */
	waitForItems(count: number, timeoutMs?: number): Promise<INodeExecutionData[]>;
	close(): Promise<void>;
}

/** Activates the trigger (n8n's `trigger()` with activation mode `activate`). Rejects as n8n's activation would. */
export async function activateTrigger(setup: TriggerSetup, activation: WorkflowActivateMode = 'activate'): Promise<ActiveTrigger> {
	await useBinaryMode(setup.binaryMode);
	const { node, workflow, additionalData } = build(setup);
	const emitted: Emitted[] = [];
	const errors: Error[] = [];
	// Like n8n: the execution runs after emit and settles the donePromise when it finished (here after executionMs).
	const emit = (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => {
		const index = emitted.push({ items: data[0] ?? [], at: Date.now() }) - 1;
		if (done) settleExecution(done, index, setup);
	};
	const context = new TriggerContext(workflow, node, additionalData, 'trigger', activation, emit, (error: Error) => void errors.push(error));
	const logs = captureLogs(context.logger as unknown as Parameters<typeof captureLogs>[0]);
	let response: Awaited<ReturnType<NonNullable<INodeType['trigger']>>>;
	try {
		response = await triggerNodeType.trigger!.call(context);
	} catch (error) {
		logs.restore();
		throw error;
	}
	const items = () => emitted.flatMap((emission) => emission.items);
	return {
		emitted,
		errors,
		logs: logs.lines,
		items,
		async waitForItems(count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			while (items().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
			return items();
		},
		async runManual() {
			await response?.manualTriggerFunction?.();
		},
		async close() {
			try {
				await response?.closeFunction?.();
			} finally {
				logs.restore();
			}
		},
	};
}

/** Runs a webhookMethods hook (checkExists / create / delete) as n8n does on (de)activation. */
export async function runWebhookHook(setup: TriggerSetup, hook: 'checkExists' | 'create' | 'delete'): Promise<boolean> {
	const { node, workflow, additionalData } = build(setup);
	const webhookData = { httpMethod: 'POST', node: node.name, path: `${node.webhookId}/webhook`, webhookDescription: triggerNodeType.description.webhooks![0], workflowId: workflow.id, workflowExecuteAdditionalData: additionalData, webhookId: node.webhookId } as unknown as IWebhookData;
	const context = new HookContext(workflow, node, additionalData, 'trigger', 'activate', webhookData);
	const methods = (triggerNodeType.webhookMethods as unknown as Record<string, Record<string, (this: HookContext) => Promise<boolean>>>).default;
	return await methods[hook].call(context);
}

export interface WebhookServer {
	url: string;
	/** Executions the webhook started, in order. */
	executions: INodeExecutionData[][];
	/** Response status of each call, in order. */
	statuses: number[];
	/** Time from request to answer, and from request to workflowData, per started execution. */
	timings: Array<{ answeredMs: number; dataMs: number }>;
	close(): Promise<void>;
}

/**
 * A real HTTP endpoint in front of the node's webhook(), doing what n8n's webhook server
 * does: JSON body parsing, express's `status()/json()` on the response, a WebhookContext
 * per call, and an execution started with the returned workflowData.
 */
export async function serveWebhook(setup: TriggerSetup): Promise<WebhookServer> {
	await useBinaryMode(setup.binaryMode);
	const { node, workflow, additionalData } = build(setup);
	const executions: INodeExecutionData[][] = [];
	const statuses: number[] = [];
	const timings: WebhookServer['timings'] = [];
	const server = http.createServer((req, res) => {
		const started = Date.now();
		let answeredAt = 0;
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void (async () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = {};
				try {
					body = text ? JSON.parse(text) : {};
				} catch {
					res.statusCode = 400;
					res.end('bad json');
					return;
				}
				(req as unknown as { body: unknown }).body = body;
				const response = res as unknown as { status(code: number): unknown; json(value: unknown): unknown };
				response.status = (code: number) => {
					res.statusCode = code;
					return response;
				};
				response.json = (value: unknown) => {
					res.setHeader('Content-Type', 'application/json');
					res.end(JSON.stringify(value));
					return response;
				};
				res.on('finish', () => {
					answeredAt = Date.now();
					statuses.push(res.statusCode);
				});
				const data = {
					...additionalData,
					httpRequest: req,
					httpResponse: res,
				} as unknown as IWorkflowExecuteAdditionalData;
				const webhookData = { httpMethod: 'POST', node: node.name, path: 'webhook', webhookDescription: triggerNodeType.description.webhooks![0], workflowId: workflow.id, workflowExecuteAdditionalData: data } as unknown as IWebhookData;
				const context = new WebhookContext(workflow, node, data, setup.executionMode ?? 'webhook', webhookData, [], null);
				try {
					const result = await triggerNodeType.webhook!.call(context);
					if (!res.writableEnded && result.noWebhookResponse !== true) {
						res.statusCode = 200;
						res.end(JSON.stringify(result.webhookResponse ?? { message: 'Workflow was started' }));
					}
					if (result.workflowData) {
						executions.push(result.workflowData[0]);
						timings.push({ answeredMs: (answeredAt || Date.now()) - started, dataMs: Date.now() - started });
					}
				} catch (error) {
					if (!res.writableEnded) {
						res.statusCode = 500;
						res.end(String((error as Error).message));
					}
				}
			})();
		});
	});
	await new Promise<void>((resolve) => server.listen(setup.port ?? 0, '127.0.0.1', () => resolve()));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
	return {
		url,
		executions,
		statuses,
		timings,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
