import { describe, expect, it } from 'vitest';
import { RoundState, abandonedRound, INTERRUPTED_REASON, resumePoint, type AcceptedUpdate, type RoundKind } from './round-state.js';

const tasks = new Map([['a', 't-a'], ['b', 't-b'], ['c', 't-c']]);
const state = (kind: RoundKind = 'plain', maxUpdateAttempts = 2, selected = tasks) => new RoundState({ kind, round: 4, baseVersion: 3, tasks: selected, maxUpdateAttempts });
const update = (clientId: string): AcceptedUpdate => ({ clientId, numExamples: 10, weight: 10, updateNorm: 1, bytes: 100, loss: 0.5, accuracy: undefined, durationMs: 5, payloadSha256: undefined });

describe('RoundState (plain)', () => {
  it('starts with every selected client pending, open', () => {
    const round = state();
    expect([...round.pending]).toEqual(['a', 'b', 'c']);
    expect(round.open).toBe(true);
    expect(round.closeReason).toBeUndefined();
  });

  it('closes at once, complete, when nobody was selected', async () => {
    const round = state('plain', 2, new Map());
    expect(round.open).toBe(false);
    expect(await round.whenClosed).toBe('complete');
  });

  it('accepts an update: delivered, no longer pending, recorded as accepted', () => {
    const round = state();
    expect(round.accept(update('a'))).toEqual({ change: { clientId: 'a', status: 'accepted' }, closed: undefined });
    expect(round.delivered.has('a')).toBe(true);
    expect(round.pending.has('a')).toBe(false);
    expect(round.accepted.map((u) => u.clientId)).toEqual(['a']);
  });

  it('closes complete when the last pending client reports (accepted, failed or dropped)', async () => {
    const round = state();
    round.accept(update('a'));
    expect(round.fail('b', 'OUT_OF_MEMORY', 'oom')).toEqual({ change: { clientId: 'b', status: 'failed', errorCode: 'OUT_OF_MEMORY' }, closed: undefined });
    expect(round.drop('c', 'client disconnected')).toEqual({ change: { clientId: 'c', status: 'dropped' }, closed: 'complete' });
    expect(await round.whenClosed).toBe('complete');
    expect(round.failures).toEqual([
      { clientId: 'b', code: 'OUT_OF_MEMORY', message: 'oom' },
      { clientId: 'c', code: 'DROPPED', message: 'client disconnected' },
    ]);
  });

  it('rejects a refused upload until the attempts are used up, then fails the task', () => {
    const round = state('plain', 2);
    expect(round.refuse('a', 'FRAME_MALFORMED', 'bad')).toEqual({ change: { clientId: 'a', status: 'rejected', errorCode: 'FRAME_MALFORMED' }, closed: undefined });
    expect(round.pending.has('a')).toBe(true);
    expect(round.refuse('a', 'NON_FINITE_VALUES', 'nan')).toEqual({ change: { clientId: 'a', status: 'failed', errorCode: 'NON_FINITE_VALUES' }, closed: undefined });
    expect(round.closedTasks.has('a')).toBe(true);
    expect(round.attemptsOf('a')).toBe(2);
  });

  it('a retry accepted after a refusal is accepted', () => {
    const round = state('plain', 3);
    round.refuse('a', 'FRAME_MALFORMED', 'bad');
    expect(round.accept(update('a')).change).toEqual({ clientId: 'a', status: 'accepted' });
  });

  it('ignores fit:failure and drops for clients that are not pending', () => {
    const round = state();
    round.accept(update('a'));
    expect(round.fail('a', 'X', 'late failure')).toBeUndefined();
    expect(round.drop('a', 'gone')).toBeUndefined();
    expect(round.fail('zed', 'X', 'stranger')).toBeUndefined();
    expect(round.failures).toEqual([]);
  });

  it('closes once, on the first reason (deadline, then stop changes nothing)', async () => {
    const round = state();
    expect(round.close('deadline')).toBe('deadline');
    expect(round.close('stopped')).toBeUndefined();
    expect(round.closeReason).toBe('deadline');
    expect(await round.whenClosed).toBe('deadline');
  });

  it('releases a closed round: the pending are dropped with LATE_UPDATE, and what later messages meet', () => {
    const round = state();
    round.accept(update('a'));
    round.fail('b', 'OUT_OF_MEMORY', 'oom');
    round.close('deadline');
    const { changes, closed } = round.release();
    expect(changes).toEqual([{ clientId: 'c', status: 'dropped', errorCode: 'LATE_UPDATE' }]);
    expect(closed).toEqual({ round: 4, delivered: new Set(['a']), closedTasks: new Set(['b']), dropped: new Set(['c']) });
  });

  it('a stopped round releases the same way', () => {
    const round = state();
    round.close('stopped');
    expect(round.release().changes.map((change) => change.clientId)).toEqual(['a', 'b', 'c']);
  });
});

describe('RoundState (secure)', () => {
  it('does not close when every input arrived: the unmasking phases follow', () => {
    const round = state('secure');
    for (const id of ['a', 'b', 'c']) expect(round.accept(update(id))).toEqual({ change: undefined, closed: undefined });
    expect(round.open).toBe(true);
    expect(round.close('complete')).toBe('complete');
  });

  it('drops a client that missed a phase with LATE_UPDATE', () => {
    const round = state('secure');
    expect(round.timeOut('a', "no answer in phase 'share'")).toEqual({ change: { clientId: 'a', status: 'dropped', errorCode: 'LATE_UPDATE' }, closed: undefined });
    expect(round.failures).toEqual([{ clientId: 'a', code: 'LATE_UPDATE', message: "no answer in phase 'share'" }]);
  });

  it('aborts: every task not over fails, delivered inputs no longer count, the round closes', async () => {
    const round = state('secure');
    round.accept(update('a'));
    round.timeOut('b', 'silent');
    const outcomes = round.abort('below threshold');
    expect(outcomes.map((o) => o.change)).toEqual([
      { clientId: 'a', status: 'failed', errorCode: 'SECURE_AGGREGATION_ABORTED' },
      { clientId: 'c', status: 'failed', errorCode: 'SECURE_AGGREGATION_ABORTED' },
      undefined,
    ]);
    expect(outcomes.at(-1)!.closed).toBe('complete');
    expect(round.accepted).toEqual([]);
    expect(round.pending.size).toBe(0);
    expect(await round.whenClosed).toBe('complete');
    expect(round.release().closed).toEqual({ round: 4, delivered: new Set(), closedTasks: new Set(['a', 'b', 'c']), dropped: new Set() });
  });
});

describe('crash recovery', () => {
  it('a round open when the process died: the selected and the accepted-but-unreleased are dropped, refusals kept', () => {
    const round = state('plain', 3);
    round.accept(update('a')); // accepted into an aggregate that was never released
    round.refuse('b', 'FRAME_MALFORMED', 'bad'); // 'rejected' stays
    // 'c' is still 'selected'
    expect(round.interrupt()).toEqual([
      { clientId: 'a', status: 'dropped', errorCode: 'ROUND_INTERRUPTED' },
      { clientId: 'c', status: 'dropped', errorCode: 'ROUND_INTERRUPTED' },
    ]);
    expect(round.open).toBe(false);
    expect(round.pending.size).toBe(0);
  });

  it('a failed task keeps its status when interrupted', () => {
    const round = state();
    round.fail('a', 'OUT_OF_MEMORY', 'oom');
    expect(round.interrupt().map((change) => change.clientId)).toEqual(['b', 'c']);
  });

  it('an interrupted round fails, marked so that it does not count, and is re-run', () => {
    expect(abandonedRound({ restart: { jobResumes: true } })).toEqual({ reason: INTERRUPTED_REASON, interrupted: true, errorCode: 'ROUND_INTERRUPTED' });
    expect(abandonedRound({ restart: { jobResumes: false } })).toEqual({ reason: 'coordinator restarted during the round, after its job had ended', interrupted: true, errorCode: 'ROUND_INTERRUPTED' });
    expect(abandonedRound({ jobFailed: 'boom' })).toEqual({ reason: 'the job failed: boom', interrupted: false, errorCode: 'INTERNAL' });
  });

  it('resumes numbering on from the last round, counting only rounds that were not interrupted', () => {
    expect(resumePoint([])).toEqual({ lastRound: 0, counted: 0 });
    expect(resumePoint([{ round: 1 }, { round: 2, interrupted: true }, { round: 3 }])).toEqual({ lastRound: 3, counted: 2 });
  });
});
