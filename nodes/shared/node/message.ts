import type { IExecuteFunctions } from 'n8n-workflow';

import { parameterValue } from '../messengers/parameterValue';

/**
 * What the user mapped to the Message parameter for one item. When it is the default
 * `{{ $json }}` the item itself is read, skipping n8n's per-item expression evaluation
 * (a deep copy of the whole message).
 */
export function mappedMessage(context: IExecuteFunctions, itemIndex: number): unknown {
	const configured = context.getNode().parameters.message;
	const isItem = configured === undefined || (typeof configured === 'string' && /^=\{\{\s*\$json\s*\}\}$/.test(configured.trim()));
	return isItem ? context.getInputData()[itemIndex].json : (context.getNodeParameter('message', itemIndex, undefined) as unknown);
}

/**
 * Reads a parameter for each item, evaluating it once when the node holds it without any
 * expression (then it is the same for every item): n8n's per-call cost of a parameter
 * read is most of a short send's.
 */
export function itemParameters(context: IExecuteFunctions): <T>(name: string, itemIndex: number, fallback: T) => T {
	const invariant = new Map<string, unknown>();
	const { parameters } = context.getNode();
	return <T>(name: string, itemIndex: number, fallback: T): T => {
		if (invariant.has(name)) return invariant.get(name) as T;
		const value = parameterValue(context, name, itemIndex, fallback) as T;
		const raw = parameters[name];
		// An expression is a string starting with '='; inside a collection it shows as "=… in the JSON.
		if (!(typeof raw === 'string' ? raw.startsWith('=') : JSON.stringify(raw ?? null).includes('"='))) invariant.set(name, value);
		return value;
	};
}
