import type { ICredentialType, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';

/**
 * The package exactly as n8n loads it: the built (bundled) files from dist/, named
 * the way n8n names a community package's types.
 */
const PACKAGE = 'n8n-nodes-message-files';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DownloadMessageFile } = require('../../dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js') as { DownloadMessageFile: new () => INodeType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SendMessage } = require('../../dist/nodes/SendMessage/SendMessage.node.js') as { SendMessage: new () => INodeType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DingTalkApi } = require('../../dist/credentials/DingTalkApi.credentials.js') as { DingTalkApi: new () => ICredentialType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GreenApi } = require('../../dist/credentials/GreenApi.credentials.js') as { GreenApi: new () => ICredentialType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FeishuApi } = require('../../dist/credentials/FeishuApi.credentials.js') as { FeishuApi: new () => ICredentialType };

export const NODE_TYPE = `${PACKAGE}.downloadMessageFile`;

export const SEND_NODE_TYPE = `${PACKAGE}.sendMessage`;

const nodes: Record<string, INodeType> = { [NODE_TYPE]: new DownloadMessageFile(), [SEND_NODE_TYPE]: new SendMessage() };

export const credentialTypes: Record<string, ICredentialType> = {
	dingTalkApi: new DingTalkApi(),
	greenApi: new GreenApi(),
	feishuApi: new FeishuApi(),
};

export const nodeTypes: INodeTypes = {
	getByName(type: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(type);
	},
	getByNameAndVersion(type: string): INodeType {
		// n8n serves a node's AI-tool variant (`<type>Tool`) from the same class.
		const node = nodes[type] ?? nodes[type.replace(/Tool$/, '')];
		if (!node) throw new Error(`Unknown node type ${type}`);
		return node;
	},
	getKnownTypes() {
		return {};
	},
};
