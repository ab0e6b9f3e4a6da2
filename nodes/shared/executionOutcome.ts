import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';

/**
 * How an execution a trigger started ended, for triggers that acknowledge a message only
 * once its execution finished:
 * - `finished`: it ran (successfully or not, or a person stopped it) — acknowledge;
 * - `lost`: it never ran its workflow to an end because the process running it died — in
 *   queue mode a killed worker, which n8n reports as a stalled job and does not run again
 *   (`maxStalledCount: 0`). Leave the message with the messenger, which delivers it again.
 */
export type ExecutionOutcome = 'finished' | 'lost';

/**
 * n8n's MaxStalledCountError, the same text from n8n 1.x to 2.41: "This execution failed to
 * be processed too many times and will no longer retry…". Its class is not exported to nodes.
 */
const STALLED_JOB = /processed too many times|job stalled/i;

/**
 * Whether n8n's report of a finished execution means it was lost: marked `crashed` (its
 * process died), or — queue mode — the main's report of a stalled job: an `error` run no
 * node produced, with n8n's stalled-job error. Anything else (a node's failure, a workflow
 * that could not start, n8n 2.41's "succeeded, but its result could not be read") ran or
 * will not run better a second time.
 */
export function executionWasLost(run: IRun | undefined): boolean {
	if (!run || run.finished) return false;
	if (run.status === 'crashed') return true;
	if (run.status !== 'error') return false;
	const result = run.data?.resultData;
	if (result?.lastNodeExecuted || Object.keys(result?.runData ?? {}).length > 0) return false;
	return STALLED_JOB.test(String(result?.error?.message ?? ''));
}

/**
 * Emits the items and waits until n8n finished the execution they started (its donePromise).
 * A rejected donePromise (a person cancelled the execution, or it was already gone) counts
 * as finished: acknowledging then cannot start it twice.
 */
export async function emitAndAwaitExecution(context: ITriggerFunctions, data: INodeExecutionData[][]): Promise<ExecutionOutcome> {
	const done = context.helpers.createDeferredPromise<IRun>();
	context.emit(data, undefined, done);
	try {
		return executionWasLost(await done.promise) ? 'lost' : 'finished';
	} catch {
		return 'finished';
	}
}

/** How many times one message is delivered again after its execution was lost, before it is acknowledged with an error logged. */
export const MAX_LOST_EXECUTIONS = 3;

/**
 * Counts lost executions per message, so a message whose execution keeps killing its worker
 * (a file too big for its memory, say) is not redelivered forever. Bounded like the
 * de-duplication windows: the oldest entry goes first.
 */
export class LostExecutions {
	private readonly counts = new Map<string, number>();

	constructor(
		private readonly maxLost = MAX_LOST_EXECUTIONS,
		private readonly capacity = 1_000,
	) {}

	/** Records one more lost execution of `id`; true while the message may be delivered again. */
	recordLoss(id: string): boolean {
		const count = (this.counts.get(id) ?? 0) + 1;
		this.counts.delete(id);
		this.counts.set(id, count);
		if (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value as string);
		return count <= this.maxLost;
	}

	/** The message's execution finished: forget it. */
	settled(id: string): void {
		this.counts.delete(id);
	}
}

/** The log line for a message that is delivered again, or given up on. */
export function lostExecutionMessage(what: string, again: boolean, maxLost = MAX_LOST_EXECUTIONS): string {
	return again
		? `${what}: its execution was lost before it finished (the n8n process running it stopped); leaving it with the messenger, which delivers it again`
		: `${what}: its execution was lost ${maxLost + 1} times (the n8n process running it stopped each time); acknowledged so it is not delivered again — check the workers' memory and logs, and re-run it by hand`;
}
