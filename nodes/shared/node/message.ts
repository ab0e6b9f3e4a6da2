import type { IExecuteFunctions } from 'n8n-workflow';

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
