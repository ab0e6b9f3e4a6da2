import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Whether the node runs as an AI Agent's tool. The AI Agent 1.x/2.x runs its tools through
 * `isToolExecution()`; AI Agent 3.x has the engine run them as ordinary nodes (that call says
 * false there), so the tool variant's type name, which n8n always ends in `Tool`, decides too.
 */
export function runsAsTool(context: IExecuteFunctions): boolean {
	if (typeof context.isToolExecution === 'function' && context.isToolExecution()) return true;
	return context.getNode().type.endsWith('Tool');
}
