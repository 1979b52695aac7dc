import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAME_LIMITS, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { ShoalError, type FitResult } from '@shoal/protocol';
import { FedAvg } from '@shoal/strategy';
import { RoundLedger, type ContributionPatch, type RoundLedgerDependencies } from './round-ledger.js';
import { RoundInbound } from './round-inbound.js';
import { FitRound } from './fit-round.js';
import { UpdateIntake } from './update-intake.js';

const specs = [{ name: 'w', shape: [2] }];
const codecs = defaultCodecRegistry();
const frame = (values: number[]) => encodeFrame('delta', [{ name: 'w', shape: [2], values: Float32Array.from(values) }], { id: 'float32' }, codecs);

/** A ledger over recording fakes: every side effect lands in `effects`, in order. */
function recordingLedger(verify: RoundLedgerDependencies['updates']['verify'] = () => ({ payloadSha256: undefined })) {
  const effects: unknown[] = [];
  const counter = (name: string) => ({ inc: (labels?: unknown) => void effects.push([name, labels]) });
  const deps = {
    jobId: 'job-1',
    store: {
      updateContribution: (_job: string, round: number, clientId: string, patch: ContributionPatch) => void effects.push(['row', round, clientId, patch]),
      addBytesDown: (_job: string, round: number, clientId: string, bytes: number) => void effects.push(['bytesDown', round, clientId, bytes]),
    },
    metrics: { updates: counter('updates'), bytesUp: counter('bytesUp'), bytesDown: counter('bytesDownMetric') },
    events: { emit: (event: string, payload: unknown) => void effects.push([event, payload]) },
    updates: { verify, accepted: (upload: object, verified: object) => void effects.push(['payload', upload, verified]) },
    requireEnrolled: false,
  } as unknown as RoundLedgerDependencies;
  return { ledger: new RoundLedger(deps), effects };
}

function plainRound(ledger: RoundLedger, maxUpdateAttempts = 2) {
  const intake = new UpdateIntake({ tensorSpecs: specs, uploadCodec: { id: 'float32', params: {} }, maxUpdateBytes: 1 << 16, frameLimits: DEFAULT_FRAME_LIMITS, codecs });
  const strategy = new FedAvg({ fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit: { localEpochs: 1, batchSize: 1, learningRate: 1 } });
  const tasks = new Map([['a', 't-a'], ['b', 't-b']]);
  const round = new FitRound(
    { round: 1, baseVersion: 0, tasks, intake, maxUpdateNorm: 10, weightOf: (_id, n) => n, maxUpdateAttempts, verifyUpload: (clientId, result, update) => ledger.verifyUpload(1, clientId, result, update) },
    strategy.beginAggregation({ round: 1, globalWeights: [new Float32Array(2)], random: Math.random }),
  );
  const inbound = new RoundInbound('job-1', ledger);
  inbound.opened(round);
  return { round, inbound };
}

const result = (clientId: string, extra: Partial<FitResult> = {}): FitResult =>
  ({ jobId: 'job-1', round: 1, taskId: `t-${clientId}`, modelVersion: 0, numExamples: 4, durationMs: 3, metrics: { loss: 0.25 }, ...extra }) as FitResult;
const codeOf = (work: () => void) => {
  try {
    work();
    return 'accepted';
  } catch (error) {
    return (error as ShoalError).code;
  }
};
const progress = (reported: number, failed: number) => ['round:progress', { jobId: 'job-1', round: 1, reported, failed, selected: 2 }];

describe('RoundLedger with the plain round', () => {
  it('records an accepted update once: row, payload, metrics, progress', () => {
    const { ledger, effects } = recordingLedger();
    const { inbound } = plainRound(ledger);
    const update = frame([0.5, 0.5]);
    inbound.fitResult('a', result('a'), update);
    expect(effects).toEqual([
      ['row', 1, 'a', { status: 'accepted', clearErrorCode: true, numExamples: 4, bytesUp: update.byteLength, loss: 0.25, durationMs: 3 }],
      ['bytesUp', update.byteLength],
      ['updates', { outcome: 'accepted' }],
      ['payload', { jobId: 'job-1', round: 1, clientId: 'a' }, { payloadSha256: undefined }],
      progress(1, 0),
    ]);
  });

  it('records a refused upload as rejected, then failed once the attempts are used up; its bytes count in the row only', () => {
    const { ledger, effects } = recordingLedger();
    const { inbound, round } = plainRound(ledger);
    const bad = frame([100, 100]);
    expect(codeOf(() => inbound.fitResult('a', result('a'), bad))).toBe('UPDATE_OUT_OF_BOUNDS');
    expect(codeOf(() => inbound.fitResult('a', result('a'), bad))).toBe('UPDATE_OUT_OF_BOUNDS');
    expect(effects).toEqual([
      ['row', 1, 'a', { status: 'rejected', errorCode: 'UPDATE_OUT_OF_BOUNDS', bytesUp: bad.byteLength }],
      ['updates', { outcome: 'UPDATE_OUT_OF_BOUNDS' }],
      progress(0, 0),
      ['row', 1, 'a', { status: 'failed', errorCode: 'UPDATE_OUT_OF_BOUNDS', bytesUp: bad.byteLength }],
      ['updates', { outcome: 'UPDATE_OUT_OF_BOUNDS' }],
      progress(0, 1),
    ]);
    effects.length = 0;
    expect(codeOf(() => inbound.fitResult('a', result('a'), bad))).toBe('TASK_CLOSED');
    expect(effects).toEqual([['updates', { outcome: 'TASK_CLOSED' }], progress(0, 1)]);
    expect(round.open).toBe(true);
  });

  it('refuses a bad signature through the one verifyUpload, before the frame is read', () => {
    const { ledger, effects } = recordingLedger(() => {
      throw new ShoalError('SIGNATURE_INVALID', 'forged');
    });
    const { inbound } = plainRound(ledger);
    expect(codeOf(() => inbound.fitResult('a', result('a'), new Uint8Array(3)))).toBe('SIGNATURE_INVALID');
    expect(effects[0]).toEqual(['row', 1, 'a', { status: 'rejected', errorCode: 'SIGNATURE_INVALID', bytesUp: 3 }]);
  });

  it('records a wrong task as rejected without using an attempt; a stranger only in the metrics', () => {
    const { ledger, effects } = recordingLedger();
    const { inbound, round } = plainRound(ledger, 1);
    expect(codeOf(() => inbound.fitResult('a', result('a', { taskId: 't-b' }), new Uint8Array(5)))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => inbound.fitResult('zed', result('zed'), new Uint8Array(5)))).toBe('NOT_SELECTED');
    expect(effects).toEqual([
      ['row', 1, 'a', { status: 'rejected', errorCode: 'VALIDATION_FAILED', bytesUp: 5 }],
      ['updates', { outcome: 'VALIDATION_FAILED' }],
      progress(0, 0),
      ['updates', { outcome: 'NOT_SELECTED' }],
      progress(0, 0),
    ]);
    expect(round.state.attemptsOf('a')).toBe(0);
  });

  it('records fit:failure and a drop, closes the round, then a late update once as late', async () => {
    const { ledger, effects } = recordingLedger();
    const { inbound, round } = plainRound(ledger);
    inbound.fitFailure('a', 1, 'OUT_OF_MEMORY', 'oom');
    expect(codeOf(() => inbound.fitFailure('a', 1, 'OUT_OF_MEMORY', 'again'))).toBe('TASK_CLOSED');
    round.close('deadline');
    expect(await round.whenClosed).toBe('deadline');
    const released = round.state.release();
    for (const change of released.changes) ledger.apply(1, change);
    inbound.closed(released.closed);
    expect(codeOf(() => inbound.fitResult('b', result('b'), new Uint8Array(7)))).toBe('LATE_UPDATE');
    expect(codeOf(() => inbound.fitResult('b', result('b'), new Uint8Array(7)))).toBe('LATE_UPDATE');
    expect(codeOf(() => inbound.fitResult('a', result('a'), new Uint8Array(7)))).toBe('TASK_CLOSED');
    expect(effects).toEqual([
      ['row', 1, 'a', { status: 'failed', errorCode: 'OUT_OF_MEMORY' }],
      progress(0, 1),
      ['row', 1, 'b', { status: 'dropped', errorCode: 'LATE_UPDATE' }],
      ['row', 1, 'b', { status: 'late', errorCode: 'LATE_UPDATE', bytesUp: 7 }],
    ]);
  });

  it('a disconnect drops a pending client (no code on the row) and closes the round when it was the last', async () => {
    const { ledger, effects } = recordingLedger();
    const { inbound, round } = plainRound(ledger);
    inbound.fitResult('a', result('a'), frame([0, 1]));
    effects.length = 0;
    inbound.drop('b', 'client disconnected');
    inbound.drop('b', 'client disconnected');
    expect(effects).toEqual([['row', 1, 'b', { status: 'dropped' }], progress(1, 1)]);
    expect(await round.whenClosed).toBe('complete');
  });

  it('accounts downloads to a task, and to the metric alone without one', () => {
    const { ledger, effects } = recordingLedger();
    ledger.bytesDown(1, 'a', 10);
    ledger.bytesDown(undefined, undefined, 4);
    expect(effects).toEqual([['bytesDownMetric', 10], ['bytesDown', 1, 'a', 10], ['bytesDownMetric', 4]]);
  });
});
