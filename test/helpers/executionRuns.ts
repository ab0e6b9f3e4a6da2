/**
 * What n8n hands a trigger's donePromise when the execution it started ends, in the shapes
 * n8n 2.8.4's WorkflowRunner builds them (packages/cli/src/workflow-runner.ts). In queue
 * mode the main has no runData of the worker's execution, only the job's result.
 */
import type { IDeferredPromise, IRun } from 'n8n-workflow';

function run(fields: Partial<IRun> & { resultData: Record<string, unknown> }): IRun {
	const { resultData, ...rest } = fields;
	return {
		mode: 'trigger',
		startedAt: new Date(),
		stoppedAt: new Date(),
		storedAt: 'db',
		finished: false,
		status: 'error',
		data: { resultData: { runData: {}, ...resultData } },
		...rest,
	} as unknown as IRun;
}

/** A queue-mode job that finished successfully (`jobResult` branch: no runData, lastNodeExecuted set). */
export const succeededRun = (lastNode = 'Crypto'): IRun => run({ finished: true, status: 'success', resultData: { lastNodeExecuted: lastNode } });

/** A workflow that failed in a node: the execution ran, the failure is the workflow's own. */
export const nodeFailedRun = (node = 'Crypto'): IRun =>
	run({ resultData: { lastNodeExecuted: node, error: { message: 'Crypto failed', node: { name: node } } } });

/** The worker running the job died: Bull fails the stalled job and the main's processError reports it so. */
export const stalledJobRun = (): IRun =>
	run({
		resultData: {
			error: {
				message:
					'This execution failed to be processed too many times and will no longer retry. To allow this execution to complete, please break down your workflow or scale up your workers or adjust your worker settings.',
				level: 'warning',
			},
		},
	});

/** n8n's crash recovery marked the execution `crashed` (its process stopped). */
export const crashedRun = (): IRun => run({ status: 'crashed', resultData: {} });

/** A workflow that never reached a node (e.g. a credential it may not use): no node named. */
export const notStartedRun = (): IRun => run({ resultData: { error: { message: 'Node has no access to credential' } } });

/** n8n 2.41: a stalled job that had in fact succeeded, whose stored result could not be read. */
export const unreadableSuccessRun = (): IRun => run({ resultData: { error: { message: 'Execution 12 succeeded, but its result could not be read' } } });

export interface ExecutionEnd {
	/** How the n-th execution (0-based) ended, as n8n reports it (default: succeeded). */
	executionRun?: (index: number) => IRun;
	/** The n-th execution's donePromise is rejected with this error, or never settles ('never'). */
	executionFailure?: (index: number) => Error | 'never' | undefined;
	/** How long each execution takes before its donePromise settles. */
	executionMs?: number;
}

/** Settles an emit's donePromise as n8n would once the execution ended (the trigger harnesses' stand-in for n8n's execution). */
export function settleExecution(done: IDeferredPromise<IRun>, index: number, end: ExecutionEnd): void {
	const failure = end.executionFailure?.(index);
	if (failure === 'never') return;
	setTimeout(() => (failure ? done.reject(failure) : done.resolve(end.executionRun?.(index) ?? succeededRun())), end.executionMs ?? 0);
}
