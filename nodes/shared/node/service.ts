import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { messengers } from '../messengers';
import type { MessengerEditor } from '../messengers/types';

/**
 * The editor of the nodes that take a Service, made from the list of messengers
 * (nodes/shared/messengers/index.ts): the Service option, the credential it picks, the
 * subtitle and each messenger's own fields, shown for that Service only.
 */

type NodeRole = 'download' | 'send';

/** Each messenger's credential, shown for its Service: the same in every node that takes a Service. */
export const serviceCredentials: INodeCredentialDescription[] = messengers.map((messenger) => ({
	name: messenger.credentialType,
	required: true,
	displayOptions: { show: { service: [messenger.service] } },
}));

/** The Service parameter (it picks the credential), with what each messenger means in this node. */
export function serviceProperty(role: NodeRole): INodeProperties {
	const firstMessenger = messengers[0].service;
	return {
		displayName: 'Service',
		name: 'service',
		type: 'options',
		noDataExpression: true,
		options: messengers.map((messenger) => ({ name: messenger.editor.name, value: messenger.service, description: messenger.editor[role].description })),
		default: firstMessenger,
	};
}

/** "DingTalk, Green-API or Feishu / Lark": the messengers as an error or a hint names them. */
export function messengerNames(pick: (editor: MessengerEditor) => string = (editor) => editor.label, conjunction = 'or'): string {
	const names = messengers.map((messenger) => pick(messenger.editor));
	return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/** An n8n expression naming the chosen messenger, for a node's subtitle. */
export function serviceLabelExpression(): string {
	// Chained conditions, not an object literal: braces inside {{ }} confuse some expression parsers.
	const [first, ...others] = messengers;
	const chosen = others.map((messenger) => `$parameter["service"] === ${JSON.stringify(messenger.service)} ? ${JSON.stringify(messenger.editor.label)} : `).join('');
	return `(${chosen}${JSON.stringify(first.editor.label)})`;
}

/** Adds conditions to a property's `show`, keeping its own. */
function shownWhen(property: INodeProperties, show: Record<string, Array<string | boolean>>): INodeProperties {
	const own = property.displayOptions ?? {};
	return { ...property, displayOptions: { ...own, show: { ...(own.show ?? {}), ...show } } };
}

/** Each messenger's fields for this node, shown for its Service (and `when`, e.g. Source = Fields). */
export function messengerFields(pick: (editor: MessengerEditor) => INodeProperties[], when: Record<string, string[]>): INodeProperties[] {
	return messengers.flatMap((messenger) => pick(messenger.editor).map((field) => shownWhen(field, { service: [messenger.service], ...when })));
}

/**
 * The node's Options: its own and each messenger's (shown for that Service), in
 * alphabetical order as n8n lists a collection's entries.
 */
export function withMessengerOptions(common: INodeProperties[], pick: (editor: MessengerEditor) => INodeProperties[] | undefined): INodeProperties[] {
	const own = messengers.flatMap((messenger) => (pick(messenger.editor) ?? []).map((option) => shownWhen(option, { '/service': [messenger.service] })));
	return [...common, ...own].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
