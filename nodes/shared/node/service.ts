import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

/** Each messenger's credential, shown for its Service: the same pair in every node that takes a Service. */
export const serviceCredentials: INodeCredentialDescription[] = [
	{ name: 'dingTalkApi', required: true, displayOptions: { show: { service: ['dingTalk'] } } },
	{ name: 'greenApi', required: true, displayOptions: { show: { service: ['greenApi'] } } },
];

/** The Service parameter (it picks the credential), with what it means in this node. */
export function serviceProperty(meaning: { dingTalk: string; greenApi: string }): INodeProperties {
	return {
		displayName: 'Service',
		name: 'service',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'DingTalk', value: 'dingTalk', description: meaning.dingTalk },
			{ name: 'Green-API (WhatsApp / MAX / Telegram)', value: 'greenApi', description: meaning.greenApi },
		],
		default: 'dingTalk',
	};
}
