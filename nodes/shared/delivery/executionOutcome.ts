import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';
import { OperationalError } from 'n8n-workflow';

import { abortablePause } from './pause';

/*
 * For triggers that acknowledge a message only once its execution finished. The wait for
 * that execution ends as:
 * - finished: it ran (successfully or not), or a person cancelled it — acknowledge;
 * - lost: it never ran to an end because the process running it died (in queue mode a
 *   killed worker: n8n reports a stalled job and does not run it again, `maxStalledCount: 0`);
 * - notStarted: n8n rejected the donePromise (n8n 2.41: the queue refused the job, or
 *   Engine 2.0, which cannot wait for an execution) — handled like lost, its reason logged;
 * - noAnswer: no report of the end within the wait limit (n8n 2.8 never settles the
 *   donePromise of an execution it failed to enqueue) — handled like lost;
 * - stopped: the trigger was closed while waiting — the message stays unacknowledged.
 */

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

/** A rejected donePromise: a cancellation or an execution already gone ran (or was meant to stop); anything else never started. */
export function rejectionWasLoss(error: unknown): boolean {
	const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
	return !/cancel|not found|notfound/i.test(text);
}

/** How long a trigger waits for n8n to report an execution's end before delivering its message again. */
export const EXECUTION_WAIT_LIMIT_MS = 60 * 60 * 1000;

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

/** Why a message goes back to the messenger: its execution's end as the trigger saw it. */
export type LossReason = { kind: 'lost' } | { kind: 'notStarted'; detail: string } | { kind: 'noAnswer' };

function describe(reason: LossReason): string {
	if (reason.kind === 'notStarted') return `n8n could not start its execution (${reason.detail})`;
	if (reason.kind === 'noAnswer') return `n8n did not report the end of its execution within ${EXECUTION_WAIT_LIMIT_MS / 60_000} minutes`;
	return 'its execution was lost before it finished (the n8n process running it stopped)';
}

/** The log line for a message that is delivered again, or given up on. */
export function lostExecutionMessage(what: string, again: boolean, reason: LossReason = { kind: 'lost' }, maxLost = MAX_LOST_EXECUTIONS): string {
	return again
		? `${what}: ${describe(reason)}; leaving it with the messenger, which delivers it again`
		: `${what}: its execution was lost ${maxLost + 1} times (the last time: ${describe(reason)}); acknowledged so it is not delivered again — check the workers' memory and logs, and re-run it by hand`;
}

export type WaitResult = { action: 'acknowledge' } | { action: 'stopped' } | { action: 'deliverAgain'; error: OperationalError };

/**
 * Emits a message's items and waits for the execution they start, for a trigger that
 * acknowledges after the execution. One per trigger activation; `close()` ends every wait.
 */
export class ExecutionWaiter {
	private readonly lost = new LostExecutions();
	private readonly closed = new AbortController();

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly limitMs = EXECUTION_WAIT_LIMIT_MS,
	) {}

	/**
	 * What to do with the message once its execution ended: `acknowledge` (finished, or lost
	 * too often — logged as an error), `deliverAgain` (with the reason to log), or `stopped`
	 * when the trigger closed meanwhile (leave it unacknowledged).
	 */
	async emit(data: INodeExecutionData[][], id: string, what: string): Promise<WaitResult> {
		const outcome = await this.awaitExecution(data);
		if (outcome === 'stopped') return { action: 'stopped' };
		if (outcome === 'finished') {
			this.lost.settled(id);
			return { action: 'acknowledge' };
		}
		if (!this.lost.recordLoss(id)) {
			this.context.logger.error(lostExecutionMessage(what, false, outcome));
			return { action: 'acknowledge' };
		}
		return { action: 'deliverAgain', error: new OperationalError(lostExecutionMessage(what, true, outcome), { level: 'warning' }) };
	}

	close(): void {
		this.closed.abort();
	}

	private async awaitExecution(data: INodeExecutionData[][]): Promise<'finished' | 'stopped' | LossReason> {
		const done = this.context.helpers.createDeferredPromise<IRun>();
		this.context.emit(data, undefined, done);
		const settledWait = new AbortController();
		const settled = done.promise.then(
			(run): 'finished' | LossReason => (executionWasLost(run) ? { kind: 'lost' } : 'finished'),
			(error: unknown): 'finished' | LossReason =>
				rejectionWasLoss(error) ? { kind: 'notStarted', detail: error instanceof Error ? error.message : String(error) } : 'finished',
		);
		const waited = abortablePause(this.limitMs, AbortSignal.any([this.closed.signal, settledWait.signal])).then(
			(elapsed): 'stopped' | LossReason => (elapsed ? { kind: 'noAnswer' } : 'stopped'),
		);
		try {
			return await Promise.race([settled, waited]);
		} finally {
			settledWait.abort(); // ends the pause (and its listeners) once the execution is settled
		}
	}
}
