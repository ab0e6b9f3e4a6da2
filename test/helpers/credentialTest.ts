import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRunExecutionData,
} from 'n8n-workflow';
import * as workflowLibrary from 'n8n-workflow';
import { ExecuteContext, RoutingNode } from 'n8n-core';

import { CredentialStore, testAdditionalData } from './engine';
import { credentialTypes } from './nodeTypes';

/**
 * Whether this n8n keeps the HTTP error under a node's API error (`error.cause`). n8n's
 * CredentialsTester reads the status from there for the `responseCode` rules. n8n-workflow
 * 2.8 redeclares `cause` as a class field, which resets it after the constructor, so there
 * those rules are never reached and n8n shows its own message for the status
 * ("Authorization failed - please check your credentials" for 401, ...). 2.41 keeps it.
 */
export const n8nKeepsHttpErrorCause = (() => {
	const node = { id: 'n', name: 'n', type: 't', typeVersion: 1, position: [0, 0] } as INode;
	return new workflowLibrary.NodeApiError(node, new Error('probe') as unknown as workflowLibrary.JsonObject).cause !== undefined;
})();

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

interface ErrorWithCause {
	message: string;
	cause?: { response?: { status: number; statusText?: string }; code?: string };
}

/** n8n's stand-in node for a credential Test: its only property routes the test request. */
function testNodeType(credentialType: string, test: ICredentialTestRequest): INodeType {
	return {
		description: {
			displayName: 'Temp',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credentialType, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' }],
		},
	} as INodeType;
}

/**
 * A credential's declarative Test, run as n8n's CredentialsTester runs it (packages/cli
 * credentials-tester.service.ts, the same code in 2.8.4 and 2.41.1): the test request
 * through n8n-core's RoutingNode with the entered values, then on an HTTP error the first
 * `responseCode` rule naming its status, else n8n's generic message; on success the first
 * `responseSuccessBody` rule whose key holds its value. The messages are n8n's own.
 */
export async function runCredentialTest(credentialType: string, data: ICredentialDataDecryptedObject): Promise<CredentialTestResult> {
	const test = credentialTypes[credentialType].test as ICredentialTestRequest;
	const store = new CredentialStore({ [credentialType]: data });
	const credentialsDecrypted = { id: 'credential-under-test', name: 'Under test', type: credentialType, data: store.get(credentialType) };
	const nodeType = testNodeType(credentialType, test);
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [credentialType]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const workflow = new workflowLibrary.Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	// n8n-workflow 2.8 builds the empty run data with a helper; older shapes are the literal.
	const { createEmptyRunExecutionData } = workflowLibrary as unknown as { createEmptyRunExecutionData?: () => IRunExecutionData };
	const runExecutionData = createEmptyRunExecutionData?.() ?? ({ resultData: { runData: {} } } as IRunExecutionData);
	const additionalData = testAdditionalData(store);
	const context = new ExecuteContext(workflow, node, additionalData, 'internal', runExecutionData, 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
	const routingNode = new RoutingNode(context, nodeType, credentialsDecrypted);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as ErrorWithCause;
		const status = error.cause?.response?.status;
		if (status !== undefined) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) return { status: 'Error', message: rule.properties.message };
			}
			if (status < 199 || status > 299) return { status: 'Error', message: error.cause?.response?.statusText || `Received HTTP status code: ${status}` };
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	}
	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const json = response?.[0]?.[0]?.json as unknown;
		const value = json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[rule.properties.key] : undefined;
		if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
