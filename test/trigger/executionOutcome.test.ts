import type { IRun } from 'n8n-workflow';

import { LostExecutions, executionWasLost, lostExecutionMessage } from '../../nodes/shared/executionOutcome';
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
