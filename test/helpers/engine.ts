import type { Readable } from 'stream';
import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	IBinaryData,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	ExecutionError,
} from 'n8n-workflow';
import { Workflow, createRunExecutionData } from 'n8n-workflow';

import { CredentialStore, TestCredentialsHelper } from './credentialsHelper';
import { NODE_TYPE, SEND_NODE_TYPE, nodeTypes } from './nodeTypes';

/** `memory` is n8n's `default` mode (bytes inline as base64); `filesystem` writes them under the storage path. */
/** 'database': a test registers the manager (n8n's own lives in the n8n app, not n8n-core). */
export type BinaryMode = 'memory' | 'filesystem' | 'database';

export interface RunNodeOptions {
	/** The node's parameters, as a saved workflow holds them. */
	parameters: INodeParameters;
	/** Input items (plain objects become `{ json }` items). Default: one empty item. */
	input?: Array<INodeExecutionData | IDataObject>;
	/** Saved credentials; reuse one store across runs to see tokens persist like in n8n's database. */
	credentials: CredentialStore;
	binaryMode?: BinaryMode;
	continueOnFail?: boolean;
	/** Another copy of the node (e.g. loaded in isolation, to play a second n8n process). Default: the dist build. */
	nodeType?: INodeType;
	/** Which of the package's nodes runs. Default: Download Message File. */
	node?: 'downloadMessageFile' | 'sendMessage';
	/** Run the node's AI-tool variant (type name + `Tool`), as an AI Agent 3.x has the engine run it. */
	asTool?: boolean;
	/** The node's settings in the workflow (Retry On Fail and its tries). */
	nodeSettings?: { retryOnFail?: boolean; maxTries?: number; waitBetweenTries?: number };
}

export interface NodeRun {
	/** The node's output items (first output). */
	items: INodeExecutionData[];
	/** The node's error, when it failed. */
	error?: ExecutionError;
	credentialsHelper: TestCredentialsHelper;
	run: IRun;
}

const NODE_NAMES = { downloadMessageFile: 'Download Message File', sendMessage: 'Send Message' } as const;
let initialised: Promise<BinaryDataService> | undefined;
let executionCounter = 0;

export async function binaryDataService(): Promise<BinaryDataService> {
	initialised ??= (async () => {
		const service = Container.get(BinaryDataService);
		await service.init();
		return service;
	})();
	return await initialised;
}

function toItem(value: INodeExecutionData | IDataObject): INodeExecutionData {
	return 'json' in value && typeof value.json === 'object' ? (value as INodeExecutionData) : { json: value as IDataObject };
}

/** Runs the node once through n8n-core's real execution engine (WorkflowExecute), as n8n would. */
/**
 * What n8n hands a node's context about the instance (URLs, credentials, hooks), as the
 * node, trigger and webhook harnesses all need it; `extra` adds hooks, an execution id or
 * a request. URLs are n8n's defaults on 127.0.0.1:5678.
 */
export function testAdditionalData(credentials: CredentialStore, extra: Record<string, unknown> = {}): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		currentNodeParameters: undefined,
		variables: {},
		executionTimeoutTimestamp: undefined,
		userId: 'user-1',
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export async function runNode(options: RunNodeOptions): Promise<NodeRun> {
	const service = await binaryDataService();
	// n8n decides the mode per instance; the tests switch it per run.
	(service as unknown as { mode: string }).mode =
		options.binaryMode === 'memory' ? 'default' : options.binaryMode === 'database' ? 'database' : 'filesystem-v2';

	const executionId = String(++executionCounter);
	const nodeName = NODE_NAMES[options.node ?? 'downloadMessageFile'];
	const node = {
		id: 'node-1',
		name: nodeName,
		type: `${options.node === 'sendMessage' ? SEND_NODE_TYPE : NODE_TYPE}${options.asTool ? 'Tool' : ''}`,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: options.parameters,
		continueOnFail: options.continueOnFail,
		...options.nodeSettings,
		credentials: {
			dingTalkApi: { id: 'cred-dingtalk', name: 'DingTalk' },
			greenApi: { id: 'cred-greenapi', name: 'Green-API' },
			feishuApi: { id: 'cred-feishu', name: 'Feishu' },
		},
	};
	const workflowData = { id: 'workflow-1', name: 'test', nodes: [node], connections: {}, active: false } as unknown as IWorkflowBase;
	const types: INodeTypes = options.nodeType
		? { getByName: () => options.nodeType!, getByNameAndVersion: () => options.nodeType!, getKnownTypes: () => ({}) }
		: nodeTypes;
	const workflow = new Workflow({ id: 'workflow-1', nodes: [node], connections: {}, active: false, nodeTypes: types });

	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	// A plain promise: n8n-workflow 2.41 no longer exports createDeferredPromise.
	let finish!: (run: IRun) => void;
	const finished = new Promise<IRun>((resolve) => (finish = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finish(run));

	const additionalData = testAdditionalData(options.credentials, { hooks, executionId });
	const credentialsHelper = additionalData.credentialsHelper as TestCredentialsHelper;

	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: [(options.input ?? [{}]).map(toItem)] }, source: null }] },
	});

	const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	await execute.processRunExecutionData(workflow);
	const run = await finished;
	const task = run.data.resultData.runData[nodeName]?.[0];
	return {
		items: task?.data?.main?.[0] ?? [],
		error: task?.error ?? run.data.resultData.error,
		credentialsHelper,
		run,
	};
}

/**
 * An input item's binary as another node would have stored it in the given mode (the
 * name and MIME type are the label that node gave it, which may well be wrong).
 */
export async function storedBinary(bytes: Buffer | Readable, label: { fileName?: string; mimeType: string }, binaryMode: BinaryMode = 'filesystem'): Promise<IBinaryData> {
	const service = await binaryDataService();
	(service as unknown as { mode: string }).mode = binaryMode === 'memory' ? 'default' : binaryMode === 'database' ? 'database' : 'filesystem-v2';
	const binary = { data: '', mimeType: label.mimeType, fileName: label.fileName } as IBinaryData;
	return await service.store({ type: 'execution', workflowId: 'workflow-1', executionId: `input-${++executionCounter}` }, bytes, binary);
}

/** The bytes of an output binary, wherever the binary mode put them. */
export async function binaryBuffer(binary: IBinaryData): Promise<Buffer> {
	const service = await binaryDataService();
	if (binary.id) return await service.getAsBuffer(binary);
	return Buffer.from(binary.data, 'base64');
}

export { CredentialStore };
