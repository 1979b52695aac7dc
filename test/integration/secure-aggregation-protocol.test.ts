/**
 * The secagg:* events spoken by hand: a raw socket.io client takes part in a secure round next to five SDK clients,
 * sending malformed, misplaced and mis-sized messages at every phase. Each gets its code and changes nothing: the round
 * completes with the exact sum of all six inputs.
 */
import { describe, expect, it } from 'vitest';
import type { FitTask, MessageOf } from '@shoal/protocol';
import * as secAgg from '@shoal/secagg';
import { call, connectRaw, helloRaw, nextTask, type RawSocket } from '../support/raw-client.js';
import { TINY_TOPOLOGY, expectedMean, maxDeviation, ringSum } from '../support/secure-fleet.js';
import { N, useSecureHarness } from '../support/secure-harness.js';
import { ROUND_DEADLINE_MS, PHASE_TIMEOUT_MS } from '../support/patience.js';

const harness = useSecureHarness();
const { sums, createJob, roundDone, weightsOf, inputsOf } = harness;

describe('a raw protocol client', () => {
  const next = <T>(socket: RawSocket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve));
  const refusal = async (socket: RawSocket, event: string, ...args: unknown[]) => {
    const reply = await call(socket, event, ...args);
    expect(reply.ok).toBe(false);
    return reply.error!.code;
  };

  it('gets a code for every malformed, misplaced or mis-sized message, and the round is unharmed', async () => {
    await harness.fleet.stopOne();
    const raw = await connectRaw(harness.url);
    const rawId = await helloRaw(raw, 'raw-secagg', 100);
    const task = nextTask(raw);
    const roster = next<MessageOf<'secagg-roster'>>(raw, 'secagg:roster');
    const maskRequest = next<MessageOf<'secagg-masked-input-request'>>(raw, 'secagg:masked-input-request');
    const unmaskRequest = next<MessageOf<'secagg-unmask-request'>>(raw, 'secagg:unmask-request');
    const job = await createJob({ name: 'raw', model: { topology: TINY_TOPOLOGY }, rounds: 1, roundDeadlineMs: ROUND_DEADLINE_MS, secureAggregation: { phaseTimeoutMs: PHASE_TIMEOUT_MS } });
    const { jobId, round, taskId, modelVersion, secureAggregation: block } = (await task) as FitTask;
    const base = { jobId, round, taskId };
    const secagg = new secAgg.SecAggClient(rawId, { context: block!.context, threshold: block!.threshold, ringBits: block!.ringBits, length: block!.length });
    const delta = Float32Array.from({ length: block!.length - 1 }, (_, i) => 0.01 * Math.sin(i));
    const weight = secAgg.inputWeight(100, block!.weightCap);
    const ring = secAgg.encodeWeightedInput(delta, weight, { ringBits: block!.ringBits, clipRange: block!.clipRange, maxClients: block!.maxClients });
    const report = { ...base, modelVersion, numExamples: 100, durationMs: 1, metrics: { loss: 1 } };
    const keys = secAgg.advertiseToWire(secagg.advertise());

    // Training phase: only a well-formed advertise of this task, once.
    expect(await refusal(raw, 'secagg:share-keys', { ...base, shares: [] })).toBe('WRONG_PHASE');
    expect(await refusal(raw, 'secagg:advertise', { ...base, ...keys, maskingPublicKey: keys.maskingPublicKey.slice(4) })).toBe('VALIDATION_FAILED');
    expect(await refusal(raw, 'secagg:advertise', { ...base, ...keys, taskId: 'another-task' })).toBe('VALIDATION_FAILED');
    expect(await refusal(raw, 'secagg:advertise', { ...base, ...keys, round: round + 1 })).toBe('WRONG_ROUND');
    expect(await refusal(raw, 'secagg:advertise', { ...base, ...keys, jobId: 'job-none' })).toBe('UNKNOWN_JOB');
    expect(await refusal(raw, 'secagg:masked-input', report)).toBe('VALIDATION_FAILED');
    const fitResult = { ...base, modelVersion, numExamples: 100, durationMs: 1, metrics: { loss: 1 } };
    expect(await refusal(raw, 'fit:result', fitResult, new Uint8Array(64))).toBe('CONFLICT');
    const outsider = await connectRaw(harness.url);
    await helloRaw(outsider, 'outsider', 100);
    expect(await refusal(outsider, 'secagg:advertise', { ...base, ...keys })).toBe('NOT_SELECTED');
    outsider.disconnect();
    expect((await call(raw, 'secagg:advertise', { ...base, ...keys })).ok).toBe(true);
    // This client advertised last, so the round has moved on to sharing keys.
    expect(await refusal(raw, 'secagg:advertise', { ...base, ...keys })).toBe('WRONG_PHASE');

    // Share keys: exactly one share for every other member of the roster.
    const members = secAgg.rosterFromWire((await roster).clients);
    expect(members).toHaveLength(N);
    const shares = secAgg.shareKeysToWire(secagg.shareKeys(members));
    expect(await refusal(raw, 'secagg:share-keys', { ...base, shares: shares.slice(1) })).toBe('VALIDATION_FAILED');
    expect(await refusal(raw, 'secagg:share-keys', { ...base, shares: [...shares.slice(1), { ...shares[0]!, to: rawId }] })).toBe('VALIDATION_FAILED');
    expect(await refusal(raw, 'secagg:unmask', { ...base, selfSeedShares: [], maskingKeyShares: [] })).toBe('WRONG_PHASE');
    expect((await call(raw, 'secagg:share-keys', { ...base, shares })).ok).toBe(true);

    // Masked input: exactly length × 4 bytes, trained from the round's version.
    const request = await maskRequest;
    const masked = secAgg.ringToBytes(secagg.maskedInput(secAgg.deliveriesFromWire(rawId, request.shares), request.survivors, ring).masked, 32);
    expect(await refusal(raw, 'secagg:masked-input', report, masked.subarray(4))).toBe('SHAPE_MISMATCH');
    expect(await refusal(raw, 'secagg:masked-input', report, new Uint8Array(masked.byteLength + 2))).toBe('SHAPE_MISMATCH');
    expect(await refusal(raw, 'secagg:masked-input', { ...report, modelVersion: modelVersion + 1 }, masked)).toBe('WRONG_ROUND');
    expect((await call(raw, 'secagg:masked-input', report, masked)).ok).toBe(true);

    // Unmask: the shares this client holds, each at its own roster position, for exactly the right clients.
    const unmask = secAgg.unmaskToWire(secagg.unmask((await unmaskRequest).included));
    const [first, ...rest] = unmask.selfSeedShares;
    expect(await refusal(raw, 'secagg:unmask', { ...base, ...unmask, selfSeedShares: rest })).toBe('VALIDATION_FAILED');
    expect(await refusal(raw, 'secagg:unmask', { ...base, ...unmask, selfSeedShares: [{ ...first!, x: (first!.x % N) + 1 }, ...rest] })).toBe('VALIDATION_FAILED');
    expect(await refusal(raw, 'secagg:unmask', { ...base, ...unmask, selfSeedShares: [{ ...first!, share: first!.share.slice(4) }, ...rest] })).toBe('VALIDATION_FAILED');
    expect((await call(raw, 'secagg:unmask', { ...base, ...unmask })).ok).toBe(true);

    expect(await roundDone(job.id, 1)).toMatchObject({ status: 'completed', modelVersion: 1 });
    const { included, sum } = sums.get(`${job.id}/1`)!;
    expect(included).toHaveLength(N);
    const sdkInputs = inputsOf(job.id, 1, included.filter((id) => id !== rawId));
    const rawInput = { delta, weight, ring };
    expect(Array.from(sum)).toEqual(Array.from(ringSum([...sdkInputs.map((i) => i.ring), ring], 32)));
    expect(maxDeviation(weightsOf(job.id, 0), weightsOf(job.id, 1), expectedMean([...sdkInputs, rawInput], 0.5))).toBeLessThan(1e-6);
    expect(await refusal(raw, 'secagg:unmask', { ...base, ...unmask })).toBe('LATE_UPDATE');
    raw.disconnect();
  });
});
