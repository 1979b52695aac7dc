import { afterEach, describe, expect, it } from 'vitest';
import { ShoalError, type MessageOf, type SecureAggregationTask } from '@shoal/protocol';
import {
  SecAggClient,
  advertiseToWire,
  deliveriesFromWire,
  encodeWeightedInput,
  ringToBytes,
  rosterFromWire,
  shareKeysToWire,
  unmaskToWire,
} from '@shoal/secagg';
import { FedAvg } from '@shoal/strategy';
import { SecureFitRound } from './secure-fit-round.js';
import { VirtualClock } from '../../time/virtual-clock.js';
import type { SecurePhase } from './secure-round-inbound.js';
import { classifyInbound } from '../inbound-classification.js';
import { noClosedRound } from '../round-state.js';

const ids = ['a', 'b', 'c', 'd'];
const specs = [{ name: 'w', shape: [3] }];
const global = [Float32Array.of(1, 2, 3)];
const deltas: Record<string, Float32Array> = { a: Float32Array.of(0.1, 0, 0), b: Float32Array.of(0, 0.2, 0), c: Float32Array.of(0, 0, 0.3), d: Float32Array.of(0.4, 0.4, 0.4) };
const task: SecureAggregationTask = { context: 'job-1/1/x', threshold: 3, ringBits: 32, clipRange: 0.5, maxClients: 4, length: 4, phaseTimeoutMs: 200 };
const fedAvg = new FedAvg({ fractionFit: 1, minFitClients: 3, fractionEvaluate: 0, minEvaluateClients: 0, fit: { localEpochs: 1, batchSize: 1, learningRate: 1 } });
const rounds: SecureFitRound[] = [];

afterEach(() => rounds.splice(0).forEach((round) => round.close('stopped')));

/** Lets every client answer what it has been sent (they answer in microtasks). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A round whose clients answer every request at once, except those told to stay silent from a phase on. Phase
 * timeouts run on a virtual clock that `closed()` advances only once every answer is in, as a silent client's would.
 */
function secureRound(options: { silentFrom?: Partial<Record<string, SecurePhase>>; refusal?: string } = {}) {
  const clock = new VirtualClock(0);
  const sent: { clientId: string; event: string; payload: unknown }[] = [];
  const records: { clientId: string; patch: object }[] = [];
  const clients = new Map(ids.map((id) => [id, new SecAggClient(id, task)]));
  const base = (id: string) => ({ jobId: 'job-1', round: 1, taskId: `t-${id}` });
  const silent = (id: string, phase: SecurePhase) => {
    const from = options.silentFrom?.[id];
    return from !== undefined && ['advertise', 'share', 'mask', 'unmask'].indexOf(phase) >= ['advertise', 'share', 'mask', 'unmask'].indexOf(from);
  };
  const round: SecureFitRound = new SecureFitRound(
    { jobId: 'job-1', round: 1, baseVersion: 0, tasks: new Map(ids.map((id) => [id, `t-${id}`])), tensorSpecs: specs, task },
    fedAvg.beginAggregation({ round: 1, globalWeights: global, random: Math.random }),
    {
      send: (clientId, event, payload) => {
        sent.push({ clientId, event, payload });
        queueMicrotask(() => answer(clientId, event, payload));
      },
      record: (clientId, patch) => records.push({ clientId, patch }),
      addBytesDown: () => undefined,
      progress: () => undefined,
      clock,
    },
    options.refusal,
  );
  rounds.push(round);
  const answer = (id: string, event: string, payload: unknown) => {
    const client = clients.get(id)!;
    if (!round.open) return;
    if (event === 'secagg:roster' && !silent(id, 'share')) {
      const roster = rosterFromWire((payload as MessageOf<'secagg-roster'>).clients);
      round.receive(id, { event: 'secagg:share-keys', message: { ...base(id), shares: shareKeysToWire(client.shareKeys(roster)) } });
    } else if (event === 'secagg:masked-input-request' && !silent(id, 'mask')) {
      const request = payload as MessageOf<'secagg-masked-input-request'>;
      const input = encodeWeightedInput(deltas[id]!, 1, task);
      const masked = ringToBytes(client.maskedInput(deliveriesFromWire(id, request.shares), request.survivors, input).masked, 32);
      const report = { ...base(id), modelVersion: 0, numExamples: 10, durationMs: 1, metrics: { loss: 1 } };
      round.receive(id, { event: 'secagg:masked-input', message: report, masked });
    } else if (event === 'secagg:unmask-request' && !silent(id, 'unmask')) {
      const { included } = payload as MessageOf<'secagg-unmask-request'>;
      round.receive(id, { event: 'secagg:unmask', message: { ...base(id), ...unmaskToWire(client.unmask(included)) } });
    }
  };
  const advertise = (id: string) => round.receive(id, { event: 'secagg:advertise', message: { ...base(id), ...advertiseToWire(clients.get(id)!.advertise()) } });
  const advertiseAll = () => ids.filter((id) => !silent(id, 'advertise')).forEach(advertise);
  const closed = async () => {
    for (;;) {
      await settled();
      if (!round.open || !clock.advance()) return round.whenClosed;
    }
  };
  return { round, sent, records, advertise, advertiseAll, base, closed };
}

const codeOf = (work: () => void) => {
  try {
    work();
  } catch (error) {
    return (error as ShoalError).code;
  }
  return 'accepted';
};

describe('SecureFitRound', () => {
  it('runs the four phases and hands the strategy the mean of the included deltas', async () => {
    const { round, records } = secureRound();
    round.close('deadline'); // Training deadline before anyone advertised: below the threshold.
    expect(round.abortReason).toBe('secure aggregation aborted: 0 clients advertised keys, threshold 3');

    const second = secureRound();
    second.advertiseAll();
    expect(await second.closed()).toBe('complete');
    expect(second.round.accepted.map((a) => a.clientId).sort()).toEqual(ids);
    const outcome = second.round.finish();
    const expected = [1 + 0.5 / 4, 2 + 0.6 / 4, 3 + 0.7 / 4];
    outcome.weights![0]!.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
    expect(outcome.metrics.examples).toBe(40);
    expect(second.round.roundMetrics().secureAggregation).toEqual({ threshold: 3, ringBits: 32, selected: 4, advertised: 4, sharedKeys: 4, maskedInputs: 4, unmasked: 4 });
    expect(second.records.filter((r) => 'status' in r.patch).map((r) => r.patch)).toEqual(ids.map(() => ({ status: 'accepted' })));
    // In the first round nobody advertised by the deadline: each timed out, and then the round could not go on.
    expect(records.filter((r) => 'status' in r.patch).map((r) => r.patch)).toEqual(ids.map(() => ({ status: 'dropped', errorCode: 'LATE_UPDATE' })));
  });

  it('refuses fit:result, strangers, other tasks, other phases and duplicates, changing nothing', () => {
    const { round, advertise, base } = secureRound();
    advertise('a');
    const fitResult = { ...base('a'), modelVersion: 0, numExamples: 1, durationMs: 1, metrics: { loss: 1 } };
    const classified = classifyInbound({ event: 'fit:result', clientId: 'a', jobId: 'job-1', round: 1, taskId: fitResult.taskId, modelVersion: 0 }, { status: 'running', open: round.state, lastClosed: noClosedRound(0) });
    expect(classified.verdict === 'refused' && classified.code).toBe('CONFLICT');
    expect(codeOf(() => advertise('a'))).toBe('DUPLICATE_UPDATE');
    expect(codeOf(() => round.receive('zed', { event: 'secagg:unmask', message: { ...base('a'), selfSeedShares: [], maskingKeyShares: [] } }))).toBe('NOT_SELECTED');
    expect(codeOf(() => round.receive('b', { event: 'secagg:share-keys', message: { ...base('b'), shares: [] } }))).toBe('WRONG_PHASE');
    expect(codeOf(() => round.receive('b', { event: 'secagg:share-keys', message: { ...base('a'), shares: [] } }))).toBe('VALIDATION_FAILED');
    expect(round.roundMetrics().secureAggregation?.advertised).toBe(1);
  });

  it('drops a client that stays silent past the phase timeout and completes without its input', async () => {
    const { round, sent, records, advertiseAll, closed } = secureRound({ silentFrom: { d: 'mask' } });
    advertiseAll();
    expect(await closed()).toBe('complete');
    expect(round.accepted.map((a) => a.clientId).sort()).toEqual(['a', 'b', 'c']);
    expect(round.failures).toEqual([{ clientId: 'd', code: 'LATE_UPDATE', message: "no answer in phase 'mask'" }]);
    expect(records).toContainEqual({ clientId: 'd', patch: { status: 'dropped', errorCode: 'LATE_UPDATE' } });
    expect(sent.filter((s) => s.event === 'task:cancel').map((s) => s.clientId)).toEqual(['d']);
    const expected = [1 + 0.1 / 3, 2 + 0.2 / 3, 3 + 0.3 / 3];
    round.finish().weights![0]!.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
  });

  it('keeps a client whose input arrived when it leaves before unmasking', async () => {
    const { round, advertiseAll, closed } = secureRound({ silentFrom: { d: 'unmask' } });
    advertiseAll();
    await settled();
    expect(round.fail('d', 'DROPPED', 'client disconnected')).toBe(false);
    expect(await closed()).toBe('complete');
    expect(round.accepted).toHaveLength(4);
    expect(round.failures).toEqual([]);
  });

  it('aborts below the threshold, tells everyone still waiting, and releases nothing', async () => {
    const { round, sent, advertiseAll, closed } = secureRound({ silentFrom: { c: 'unmask', d: 'unmask' } });
    advertiseAll();
    await settled();
    expect(round.fail('c', 'DROPPED', 'gone')).toBe(false);
    expect(await closed()).toBe('complete');
    expect(round.abortReason).toBe('secure aggregation aborted: 2 clients helped unmask, threshold 3');
    expect(round.accepted).toEqual([]);
    expect(round.failures.map((f) => [f.clientId, f.code])).toEqual(ids.map((id) => [id, 'SECURE_AGGREGATION_ABORTED']));
    // d timed out and was cancelled then; a and b are told the round aborted; c had left.
    expect(sent.filter((s) => s.event === 'task:cancel').map((s) => s.clientId).sort()).toEqual(['a', 'b', 'd']);
  });

  it('fails at once, before any task, when the round cannot run securely', () => {
    const { round, sent } = secureRound({ refusal: 'secure aggregation aborted: 2 clients selected, threshold 3' });
    expect(round.open).toBe(false);
    expect(round.abortReason).toMatch(/2 clients selected/);
    expect(sent).toEqual([]);
  });
});
