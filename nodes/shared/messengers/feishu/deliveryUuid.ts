import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

/** The messages one item may send: its text, or its file and the caption after it. */
export type MessagePart = 'text' | 'file' | 'caption';

/** Run index of the node in this execution, read once per node run (n8n exposes it through the data proxy only). */
const runIndexes = new WeakMap<IExecuteFunctions, number>();

function runIndexOf(context: IExecuteFunctions): number {
	let runIndex = runIndexes.get(context);
	if (runIndex === undefined) {
		const value = (context.getWorkflowDataProxy(0) as { $runIndex?: unknown }).$runIndex;
		runIndex = typeof value === 'number' ? value : 0;
		runIndexes.set(context, runIndex);
	}
	return runIndex;
}

/**
 * Which item of which execution a send belongs to: execution, node, the node's run (a
 * loop runs it again with new items at the same indexes) and the item. n8n's Retry On
 * Fail repeats the node within the same run, so its repeat has the same key; another
 * execution (a re-run, "Retry execution") is another key and sends again.
 */
export function deliveryKey(context: IExecuteFunctions, itemIndex: number): string {
	const identity = [context.getExecutionId() ?? '', context.getNode().id ?? context.getNode().name, runIndexOf(context), itemIndex].join('\n');
	return createHash('sha256').update(identity).digest('base64url').slice(0, 32);
}

/**
 * The `uuid` of one Feishu send or reply. Feishu keeps a uuid for an hour and answers a
 * repeat with the message already sent instead of sending it again (its send and reply
 * pages), so an item retried — by the node after a timeout or a rate limit, or by n8n's
 * Retry On Fail — never arrives twice, while each item and each part of it (a file, the
 * caption after it) is its own message. At most 50 characters: `n8n-` + 32 + `-caption`.
 */
export function deliveryUuid(key: string, part: MessagePart): string {
	return `n8n-${key}-${part}`;
}
