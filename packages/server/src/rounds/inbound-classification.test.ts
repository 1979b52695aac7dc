import { describe, expect, it } from 'vitest';
import { classifyInbound, type InboundMessage, type JobView, type OpenRoundView } from './inbound-classification.js';
import type { ClosedRound } from './round-state.js';

const tasks = new Map([['a', 't-a'], ['b', 't-b'], ['c', 't-c'], ['d', 't-d']]);
/** Round 5 is open (a pending, b delivered, c's task over); round 4 closed (a delivered, b's task over, c dropped). */
const open = (kind: OpenRoundView['kind'] = 'plain', isOpen = true): OpenRoundView => ({
  kind,
  round: 5,
  baseVersion: 4,
  open: isOpen,
  tasks,
  pending: new Set(['a', 'd']),
  delivered: new Set(['b']),
  closedTasks: new Set(['c']),
  maxUpdateAttempts: 3,
});
const lastClosed = (): ClosedRound => ({ round: 4, delivered: new Set(['a']), closedTasks: new Set(['b']), dropped: new Set(['c']) });
const running = (round: OpenRoundView | undefined = open()): JobView => ({ status: 'running', open: round, lastClosed: lastClosed() });
const fit = (clientId: string, round: number, extra: Partial<InboundMessage> = {}): InboundMessage => ({ event: 'fit:result', clientId, jobId: 'j', round, taskId: `t-${clientId}`, modelVersion: 4, ...extra });
const outcome = (message: InboundMessage, job: JobView) => {
  const classified = classifyInbound(message, job);
  return classified.verdict === 'open' ? 'open' : [classified.code, classified.inOpenRound, classified.recordRejected, classified.recordLate].join(' ');
};

describe('classifyInbound: fit:result (protocols/v1/README.md §3 check order)', () => {
  const cases: [string, InboundMessage, JobView, string][] = [
    ['an unknown job', fit('a', 5), { status: 'unknown' }, 'UNKNOWN_JOB false false false'],
    ['a job that has ended', fit('a', 5), { status: 'ended', jobStatus: 'completed' }, 'LATE_UPDATE false false false'],
    ['a pending client of the open round', fit('a', 5), running(), 'open'],
    ['a resend for the open round', fit('b', 5), running(), 'DUPLICATE_UPDATE true false false'],
    ['an upload after the task ended', fit('c', 5), running(), 'TASK_CLOSED true false false'],
    ['a client not selected', fit('zed', 5), running(), 'NOT_SELECTED true false false'],
    ['another task id', fit('a', 5, { taskId: 't-b' }), running(), 'VALIDATION_FAILED true true false'],
    ['an update from another model version', fit('a', 5, { modelVersion: 3 }), running(), 'WRONG_ROUND true true false'],
    ['a fit:result to a secure round, selected', fit('a', 5), running(open('secure')), 'CONFLICT true true false'],
    ['a fit:result to a secure round, not selected', fit('zed', 5), running(open('secure')), 'CONFLICT true false false'],
    ['a resend for the last closed round (duplicate before late)', fit('a', 4), running(), 'DUPLICATE_UPDATE false false false'],
    ['an upload for a task that ended in the last closed round', fit('b', 4), running(), 'TASK_CLOSED false false false'],
    ['a dropped client, late for the last closed round (recorded once)', fit('c', 4), running(), 'LATE_UPDATE false false true'],
    ['a stranger, late for the last closed round', fit('zed', 4), running(), 'LATE_UPDATE false false false'],
    ['an upload for an older round', fit('a', 2), running(), 'LATE_UPDATE false false false'],
    ['an upload for a future round', fit('a', 9), running(), 'WRONG_ROUND false false false'],
    ['the open round number while the round has closed (before release)', fit('a', 5), running(open('plain', false)), 'WRONG_ROUND false false false'],
    ['no round open yet', fit('a', 5), { status: 'running', open: undefined, lastClosed: lastClosed() }, 'WRONG_ROUND false false false'],
  ];
  it.each(cases)('%s', (_name, message, job, expected) => {
    expect(outcome(message, job)).toBe(expected);
  });
});

describe('classifyInbound: fit:failure', () => {
  const failure = (clientId: string, round: number): InboundMessage => ({ event: 'fit:failure', clientId, jobId: 'j', round });
  const cases: [string, InboundMessage, JobView, string][] = [
    ['an unknown job', failure('a', 5), { status: 'unknown' }, 'UNKNOWN_JOB false false false'],
    ['a pending client', failure('a', 5), running(), 'open'],
    ['a closed round (changes nothing)', failure('c', 4), running(), 'WRONG_ROUND false false false'],
    ['a client not selected', failure('zed', 5), running(), 'NOT_SELECTED false false false'],
    ['a task already over', failure('c', 5), running(), 'TASK_CLOSED false false false'],
    ['a client that delivered', failure('b', 5), running(), 'DUPLICATE_UPDATE false false false'],
    ['a secure round decides itself', failure('b', 5), running(open('secure')), 'open'],
  ];
  it.each(cases)('%s', (_name, message, job, expected) => {
    expect(outcome(message, job)).toBe(expected);
  });
});

describe('classifyInbound: secagg:*', () => {
  const secure = (round: number): InboundMessage => ({ event: 'secagg', clientId: 'a', jobId: 'j', round });
  const cases: [string, InboundMessage, JobView, string][] = [
    ['the open secure round', secure(5), running(open('secure')), 'open'],
    ['a plain round', secure(5), running(), 'CONFLICT false false false'],
    ['a closed round', secure(4), running(open('secure')), 'LATE_UPDATE false false false'],
    ['a future round', secure(6), running(open('secure')), 'WRONG_ROUND false false false'],
    ['an ended job', secure(5), { status: 'ended', jobStatus: 'stopped' }, 'LATE_UPDATE false false false'],
  ];
  it.each(cases)('%s', (_name, message, job, expected) => {
    expect(outcome(message, job)).toBe(expected);
  });
});
