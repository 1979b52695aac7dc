/**
 * Secure aggregation end to end: a real coordinator on a random port and real SDK clients training on MNIST over
 * socket.io. The released model is the FedAvg of the included clients' deltas to within the ring's quantization (and
 * the same as a plain job's); it composes with client-side DP; dropouts at every phase are survived up to ⌊n/3⌋ and
 * abort the round cleanly beyond; what the coordinator holds of one client's input looks uniform while the sum is exact.
 */
import { describe, expect, it } from 'vitest';
import { parseMessage, type ContributionView, type JobView, type RoundView } from '@shoal/protocol';
import { eventually, postJson } from '../support/rest.js';
import { SecureFleet, TINY_TOPOLOGY, expectedMean, maxDeviation, ringSum, topByteChiSquare, type Phase } from '../support/secure-fleet.js';
import { N, SIZES, auth, useSecureHarness } from '../support/secure-harness.js';
import { ROUND_DEADLINE_MS, PHASE_TIMEOUT_MS } from '../support/patience.js';

/** χ² with 255 degrees of freedom: the 99.99% critical value (Wilson–Hilferty), so a uniform vector fails 1 run in 10,000. */
const CHI_SQUARE_9999 = 347.7;
const harness = useSecureHarness();
const { sums, held, get, createJob, roundDone, weightsOf, inputsOf, refill } = harness;

describe('a secure job end to end', () => {
  it('releases the FedAvg of the same deltas as a plain job, to within quantization, and the model improves', async () => {
    const plain = await createJob({ name: 'plain', model: { preset: 'mnist-2nn' }, rounds: 1, uploadCodec: { id: 'float32' } });
    await roundDone(plain.id, 1);
    const secure = await createJob({
      name: 'secure', model: { preset: 'mnist-2nn' }, rounds: 2, secureAggregation: { ringBits: 32, phaseTimeoutMs: PHASE_TIMEOUT_MS },
      evaluation: { dataset: 'mnist-test', limit: 1000 },
    });
    await roundDone(secure.id, 2);

    const rounds = (await get<{ items: RoundView[] }>(`/jobs/${secure.id}/rounds`)).items;
    for (const round of rounds) parseMessage('round', round);
    expect(rounds.map((r) => [r.status, r.reported])).toEqual([['completed', N], ['completed', N]]);
    expect(rounds[1]!.metrics.centralLoss!).toBeLessThan(rounds[0]!.metrics.centralLoss!);
    // 460 examples, two rounds: far above chance (10%) on the test set.
    expect(rounds[1]!.metrics.centralAccuracy!).toBeGreaterThan(0.4);
    expect(rounds[0]!.metrics.secureAggregation).toEqual({ threshold: 4, ringBits: 32, selected: N, advertised: N, sharedKeys: N, maskedInputs: N, unmasked: N });
    // A 32-bit ring costs about what float32 does, plus keys and shares.
    expect(rounds[0]!.metrics.compressionRatio!).toBeGreaterThan(0.9);
    expect(rounds[0]!.metrics.compressionRatio!).toBeLessThan(1);

    const contributions = (await get<{ items: ContributionView[] }>(`/jobs/${secure.id}/rounds/1/contributions`)).items;
    expect(contributions.map((c) => c.status)).toEqual(new Array(N).fill('accepted'));
    expect(contributions.map((c) => c.numExamples).sort((a, b) => a! - b!)).toEqual([...SIZES].sort((a, b) => a - b));
    for (const contribution of contributions) expect(contribution.bytesUp!).toBeGreaterThan(199_211 * 4);

    // Same clients, same seeds, same starting model: the secure version 1 is the plain one up to the ring's rounding.
    const start = weightsOf(secure.id, 0);
    const secureV1 = weightsOf(secure.id, 1);
    const plainDelta = weightsOf(plain.id, 1).flatMap((tensor, t) => Array.from(tensor.values, (v, i) => v - start[t]!.values[i]!));
    expect(maxDeviation(start, secureV1, Float64Array.from(plainDelta))).toBeLessThan(2e-6);
    // …and it is Σ f·Δ / Σ f of what the clients masked, with f = examples / the most examples of any of them.
    const { included } = sums.get(`${secure.id}/1`)!;
    const inputs = inputsOf(secure.id, 1, included);
    expect(inputs.map((input) => input.weight).sort()).toEqual(SIZES.map((size) => size / 120).sort());
    expect(maxDeviation(start, secureV1, expectedMean(inputs, 0.5))).toBeLessThan(1e-6);
  });

  it("holds one client's masked vector that passes a χ² uniformity test, while the unmasked sum is exact", async () => {
    const job = (await get<{ items: JobView[] }>('/jobs')).items.find((j) => j.name === 'secure')!;
    const { included, sum } = sums.get(`${job.id}/1`)!;
    const [first] = included;
    const masked = held.get(SecureFleet.key(job.id, 1, first!))!;
    const input = harness.fleet.inputs.get(SecureFleet.key(job.id, 1, first!))!.ring;
    expect(masked).toHaveLength(199_211);
    expect(topByteChiSquare(masked, 32)).toBeLessThan(CHI_SQUARE_9999);
    // The same test has power: the client's unmasked input is nowhere near uniform.
    expect(topByteChiSquare(input, 32)).toBeGreaterThan(100 * CHI_SQUARE_9999);
    expect(Array.from(sum)).toEqual(Array.from(ringSum(inputsOf(job.id, 1, included).map((i) => i.ring), 32)));
  });
});

describe('job settings and client-side DP', () => {
  it('refuses what cannot be combined with secure aggregation, naming the field', async () => {
    const dp = { mode: 'central', noiseMultiplier: 1, clipping: { clipNorm: 1 }, samplingRate: 1, accountant: { kind: 'rdp', delta: 1e-4, populationSize: N } };
    const refusals: [Record<string, unknown>, string][] = [
      [{ privacy: dp }, '/privacy/mode'],
      [{ minFitClients: 2, minAvailableClients: 2 }, '/minFitClients'],
      [{ uploadCodec: { id: 'int8' } }, '/uploadCodec'],
      [{ secureAggregation: { ringBits: 8 } }, '/secureAggregation/ringBits'],
    ];
    for (const [overrides, field] of refusals) {
      const body = { name: 'refused', model: { topology: TINY_TOPOLOGY }, rounds: 1, minFitClients: 3, secureAggregation: {}, ...overrides };
      const reply = await postJson<{ error: { code: string; details: { problems: { field: string }[] } } }>(`${harness.url}/api/v1/jobs`, body, auth);
      expect([reply.status, reply.body.error.code, reply.body.error.details.problems[0]!.field]).toEqual([400, 'VALIDATION_FAILED', field]);
    }
    expect((await get<{ items: JobView[] }>('/jobs')).items.some((job) => job.name === 'refused')).toBe(false);
  });

  it('composes with client-side DP: clients clip and add noise before encoding, the coordinator divides by m', async () => {
    const privacy = { mode: 'client', noiseMultiplier: 0.5, clipping: { clipNorm: 0.2 }, samplingRate: 1, accountant: { kind: 'rdp', delta: 1e-4, populationSize: N } };
    const job = await createJob({ name: 'secure-dp', model: { topology: TINY_TOPOLOGY }, rounds: 1, privacy, secureAggregation: { ringBits: 32, phaseTimeoutMs: PHASE_TIMEOUT_MS } });
    expect(await roundDone(job.id, 1)).toMatchObject({ status: 'completed', modelVersion: 1 });
    const [round] = (await get<{ items: RoundView[] }>(`/jobs/${job.id}/rounds`)).items;
    expect(round!.metrics).toMatchObject({ participants: N, clipNorm: 0.2 });
    expect(round!.metrics.epsilon).toBeGreaterThan(0);
    const { included } = sums.get(`${job.id}/1`)!;
    const inputs = inputsOf(job.id, 1, included);
    // Uniform weights; each delta was clipped to L2 norm C, then noised (zC/√k per value): its norm is far above C.
    expect(inputs.every((input) => input.weight === 1)).toBe(true);
    const norm = Math.sqrt(inputs[0]!.delta.reduce((total, v) => total + v * v, 0));
    expect(norm).toBeGreaterThan(10 * 0.2);
    // R = C + 6 noise deviations: nothing was clipped by the ring, so the release is Σ Δ / m with m = q·N = N.
    const clipRange = 0.2 + (6 * 0.5 * 0.2) / Math.sqrt(3);
    expect(maxDeviation(weightsOf(job.id, 0), weightsOf(job.id, 1), expectedMean(inputs, clipRange))).toBeLessThan(1e-6);
  });
});

describe('dropouts', () => {
  const phases: Phase[] = ['advertise', 'share-keys', 'masked-input', 'unmask'];
  const scenarios: { phase?: Phase; count: number }[] = [
    { count: 0 },
    ...phases.flatMap((phase) => [1, Math.floor(N / 3)].map((count) => ({ phase, count }))),
    { phase: 'share-keys', count: Math.floor(N / 3) + 1 },
    { count: 0 },
  ];

  it(`survives 0, 1 and ${Math.floor(N / 3)} dropouts at each phase, aborts cleanly at ${Math.floor(N / 3) + 1}, and goes on`, async () => {
    const plans = new Map(scenarios.flatMap((s, i) => (s.phase === undefined ? [] : [[i + 1, { round: i + 1, phase: s.phase, count: s.count }] as const])));
    harness.fleet.dropouts(plans);
    const job = await createJob({
      name: 'dropouts', model: { topology: TINY_TOPOLOGY }, rounds: scenarios.length, roundDeadlineMs: ROUND_DEADLINE_MS,
      secureAggregation: { ringBits: 16, phaseTimeoutMs: PHASE_TIMEOUT_MS },
    });
    let version = 0;
    for (const [index, scenario] of scenarios.entries()) {
      const round = index + 1;
      const outcome = await roundDone(job.id, round);
      const leavers = harness.fleet.leaversOf(round);
      expect(leavers).toHaveLength(scenario.count);
      const view = await get<RoundView>(`/jobs/${job.id}/rounds/${round}`);
      parseMessage('round', view);
      const contributions = (await get<{ items: ContributionView[] }>(`/jobs/${job.id}/rounds/${round}/contributions`)).items;
      const statusOf = (id: string) => contributions.find((c) => c.clientId === id)!;
      if (scenario.count > Math.floor(N / 3)) {
        expect(outcome).toEqual({ status: 'failed', modelVersion: undefined });
        expect(view.statusReason).toBe('secure aggregation aborted: 3 clients shared keys, threshold 4');
        expect(sums.has(`${job.id}/${round}`)).toBe(false);
        expect(contributions.filter((c) => c.status === 'failed').every((c) => c.errorCode === 'SECURE_AGGREGATION_ABORTED')).toBe(true);
      } else {
        expect(outcome.status).toBe('completed');
        version += 1;
        expect(outcome.modelVersion).toBe(version);
        const { included, sum } = sums.get(`${job.id}/${round}`)!;
        const keptInputs = scenario.phase === 'unmask' ? N : N - scenario.count;
        expect(included).toHaveLength(keptInputs);
        for (const id of leavers) {
          expect(included.includes(id)).toBe(scenario.phase === 'unmask');
          expect(statusOf(id).status).toBe(scenario.phase === 'unmask' ? 'accepted' : 'dropped');
        }
        const inputs = inputsOf(job.id, round, included);
        expect(Array.from(sum)).toEqual(Array.from(ringSum(inputs.map((i) => i.ring), 16)));
        // 16-bit ring, 6 clients: one level is 0.5 / ⌊32767 / 6⌋; the mean is off by at most one level per client over Σ f.
        const totalWeight = inputs.reduce((total, input) => total + input.weight, 0);
        const tolerance = (2 * inputs.length * (0.5 / Math.floor(32_767 / N))) / totalWeight;
        expect(maxDeviation(weightsOf(job.id, version - 1), weightsOf(job.id, version), expectedMean(inputs, 0.5))).toBeLessThan(tolerance);
      }
      if (leavers.length > 0) await refill();
    }
    harness.fleet.dropouts(new Map());
    await eventually(async () => ((await get<JobView>(`/jobs/${job.id}`)).status === 'completed' ? true : undefined), 'the job to complete');
  });
});
