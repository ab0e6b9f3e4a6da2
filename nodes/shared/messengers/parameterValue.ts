import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';

/** `={{ $json.name }}` or `={{ $json["name"] }}`: an item's own field, as mapping it by drag and drop writes it. */
const ITEM_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]*)\2\s*\])\s*\}\}$/;

interface ExecutionView {
	parameters: INodeParameters;
	items: Array<{ json: IDataObject }>;
}

/** The node's parameters and input, taken once per execution: getNode() deep-copies the node on every call. */
const perExecution = new WeakMap<IExecuteFunctions, ExecutionView>();

function viewOf(context: IExecuteFunctions): ExecutionView {
	let view = perExecution.get(context);
	if (!view) {
		view = { parameters: context.getNode().parameters, items: context.getInputData() };
		perExecution.set(context, view);
	}
	return view;
}

/**
 * A top-level parameter's value for one item, as getNodeParameter gives it, without n8n's
 * per-item expression evaluation where none is needed: a value without an expression is
 * returned as it is, and `{{ $json.field }}` as the item's field (n8n's evaluation of it,
 * a fresh sandbox each time, is most of a short send's cost). Anything else, and a field
 * the item lacks, goes through getNodeParameter.
 */
export function parameterValue(context: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
	const { parameters, items } = viewOf(context);
	const raw = parameters[name];
	if (typeof raw === 'string') {
		if (!raw.startsWith('=')) return raw;
		const field = ITEM_FIELD.exec(raw);
		const json = items[itemIndex]?.json;
		if (field && json) {
			const key = field[1] ?? field[3];
			const value = Object.prototype.hasOwnProperty.call(json, key) ? json[key] : undefined;
			// Strings and numbers come out of n8n's evaluation unchanged; other values take its path.
			if (typeof value === 'string' || typeof value === 'number') return value;
		}
	}
	return context.getNodeParameter(name, itemIndex, fallback as never) as unknown;
}
