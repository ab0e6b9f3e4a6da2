import type { IRun } from 'n8n-workflow';

import type { IDeferredPromise, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';

import { ExecutionWaiter, LostExecutions, executionWasLost, lostExecutionMessage, rejectionWasLoss } from '../../nodes/shared/delivery/executionOutcome';
import { crashedRun, nodeFailedRun, notStartedRun, stalledJobRun, succeededRun, unreadableSuccessRun } from '../helpers/executionRuns';

describe('executionWasLost: a message is delivered again only when its execution never ran to an end', () => {
	test.each([
		['a successful execution: finished', succeededRun(), false],
		['a workflow that failed in a node: finished (running it again fails again)', nodeFailedRun(), false],
		['a stalled queue-mode job (its worker was killed): lost', stalledJobRun(), true],
		['an execution n8n marked crashed: lost', crashedRun(), true],
		['a cancelled execution: finished', { ...succeededRun(), finished: false, status: 'canceled' } as IRun, false],
		['no run at all (n8n 2.41 when a workflow could not start): finished', undefined, false],
		['a workflow that never reached a node: finished (it would not start the second time either)', notStartedRun(), false],
		['n8n 2.41: a stalled job that had in fact succeeded: finished', unreadableSuccessRun(), false],
	])('%s', (_what, run, lost) => {
		expect(executionWasLost(run)).toBe(lost);
	});

	test('an error run that names its last node is the workflow\'s own failure, even without runData', () => {
		const run = stalledJobRun();
		run.data.resultData.lastNodeExecuted = 'HTTP Request';
		expect(executionWasLost(run)).toBe(false);
	});
});

describe('LostExecutions: bounded redeliveries per message', () => {
	test('three losses are delivered again, the fourth is given up on; a finished execution resets the count', () => {
		const lost = new LostExecutions(3);
		expect([1, 2, 3, 4].map(() => lost.recordLoss('m1'))).toEqual([true, true, true, false]);
		lost.settled('m1');
		expect(lost.recordLoss('m1')).toBe(true);
	});

	test('memory stays bounded: the oldest message is forgotten first', () => {
		const lost = new LostExecutions(1, 2);
		expect(lost.recordLoss('a')).toBe(true);
		lost.recordLoss('b');
		lost.recordLoss('c'); // evicts a
		expect(lost.recordLoss('a')).toBe(true);
		expect(lost.recordLoss('c')).toBe(false);
	});

	test('the log lines say what happened and what to do', () => {
		expect(lostExecutionMessage('message X', true)).toMatch(/lost before it finished.*delivers it again/);
		expect(lostExecutionMessage('message X', false)).toMatch(/lost 4 times.*re-run it by hand/);
	});
});

describe('rejectionWasLoss: a rejected donePromise', () => {
	test.each([
		['the queue refused the job (Redis down): lost', new Error('Connection is closed.'), true],
		['cancelled by a person: finished', Object.assign(new Error('The execution was cancelled'), { name: 'ExecutionCancelledError' }), false],
		['already gone: finished', Object.assign(new Error('Execution 7 not found'), { name: 'ExecutionNotFoundError' }), false],
	])('%s', (_what, error, lost) => {
		expect(rejectionWasLoss(error)).toBe(lost);
	});
});

describe('ExecutionWaiter', () => {
	/** n8n-workflow 2.41 no longer exports createDeferredPromise (its trigger contexts still offer it as a helper). */
	function createDeferredPromise<T>(): IDeferredPromise<T> {
		const deferred: Partial<IDeferredPromise<T>> = {};
		deferred.promise = new Promise<T>((resolve, reject) => Object.assign(deferred, { resolve, reject }));
		return deferred as IDeferredPromise<T>;
	}

	/** The three members of a trigger context the waiter uses; emit hands the donePromise to the test. */
	function triggerContext() {
		const dones: Array<IDeferredPromise<IRun>> = [];
		const errors: string[] = [];
		const context = {
			emit: (_data: INodeExecutionData[][], _response: unknown, done: IDeferredPromise<IRun>) => void dones.push(done),
			helpers: { createDeferredPromise },
			logger: { error: (message: string) => void errors.push(message) },
		} as unknown as ITriggerFunctions;
		return { context, dones, errors };
	}
	const items = [[{ json: {} }]];

	test('no report of the end within the limit: delivered again, saying so', async () => {
		const { context } = triggerContext();
		const waiter = new ExecutionWaiter(context, 100);
		const result = await waiter.emit(items, 'm1', 'message m1');
		expect(result.action).toBe('deliverAgain');
		expect(result.action === 'deliverAgain' && result.error.message).toMatch(/message m1: n8n did not report the end of its execution within 60 minutes; leaving it with the messenger/);
	});

	test('closed while waiting: stopped at once, nothing logged', async () => {
		const { context, errors } = triggerContext();
		const waiter = new ExecutionWaiter(context, 60_000);
		const waiting = waiter.emit(items, 'm2', 'message m2');
		setTimeout(() => waiter.close(), 20);
		await expect(waiting).resolves.toEqual({ action: 'stopped' });
		expect(errors).toEqual([]);
	});

	test('settled: acknowledged, and the pause behind the limit is released', async () => {
		const { context, dones } = triggerContext();
		const waiter = new ExecutionWaiter(context, 60_000);
		const waiting = waiter.emit(items, 'm3', 'message m3');
		dones[0].resolve(succeededRun());
		await expect(waiting).resolves.toEqual({ action: 'acknowledge' });
	});
});

test('ExecutionWaiter: n8n refusing to start the execution is named in the log line (e.g. Engine 2.0, which cannot wait for an execution)', async () => {
	const dones: Array<IDeferredPromise<IRun>> = [];
	const context = {
		emit: (_data: INodeExecutionData[][], _response: unknown, done: IDeferredPromise<IRun>) => void dones.push(done),
		helpers: {
			createDeferredPromise: <T>() => {
				const deferred: Partial<IDeferredPromise<T>> = {};
				deferred.promise = new Promise<T>((resolve, reject) => Object.assign(deferred, { resolve, reject }));
				return deferred as IDeferredPromise<T>;
			},
		},
		logger: { error: () => {} },
	} as unknown as ITriggerFunctions;
	const waiter = new ExecutionWaiter(context, 60_000);
	const waiting = waiter.emit([[{ json: {} }]], 'm4', 'message m4');
	dones[0].reject(new Error('Engine 2.0 cannot run a trigger that waits for its execution to finish yet. Set the node to hand off without waiting.'));
	const result = await waiting;
	expect(result.action === 'deliverAgain' && result.error.message).toMatch(/message m4: n8n could not start its execution \(Engine 2\.0 cannot run a trigger that waits/);
});
