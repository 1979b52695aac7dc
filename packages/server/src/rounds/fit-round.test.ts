import { describe, expect, it } from 'vitest';
import { CodecRegistry, DEFAULT_FRAME_LIMITS, encodeFrame, float32Codec, type Codec } from '@shoal/codec';
import type { FitResult } from '@shoal/protocol';
import { DifferentialPrivacyStrategy, FedAvg } from '@shoal/strategy';
import { FitRound } from './fit-round.js';
import { UpdateIntake } from './update-intake.js';
import { ModelVersions } from '../models/model-versions.js';

const specs = [{ name: 'w', shape: [3] }];

/** float32 under another id, counting header parses (validateParams, once per header read) and value decodes. */
function countingCodecs() {
  const counts = { headers: 0, decodes: 0 };
  const counted: Codec & Pick<typeof float32Codec, 'addValidated'> = {
    ...float32Codec,
    id: 'counted',
    validateParams: (params) => {
      counts.headers += 1;
      float32Codec.validateParams(params);
    },
    decodeInto: (...args) => {
      counts.decodes += 1;
      float32Codec.decodeInto(...args);
    },
    decode: (...args) => {
      counts.decodes += 1;
      return float32Codec.decode(...args);
    },
    addValidated: (...args) => {
      counts.decodes += 1;
      float32Codec.addValidated(...args);
    },
  };
  return { codecs: new CodecRegistry([float32Codec, counted]), counts };
}

describe('FitRound: one pass per concern for a delta', () => {
  it('under central DP, reads the header once and decodes once into the sum; the new version is encoded once and never decoded', () => {
    const { codecs, counts } = countingCodecs();
    const inner = new FedAvg({ fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit: { localEpochs: 1, batchSize: 1, learningRate: 1 } });
    const strategy = new DifferentialPrivacyStrategy(inner, {
      mode: 'central',
      noiseMultiplier: 0,
      clipping: { kind: 'fixed', clipNorm: 0.5 },
      samplingRate: 1,
      expectedClientsPerRound: 1,
      minParticipants: 1,
    });
    const global = [Float32Array.of(1, 1, 1)];
    const intake = new UpdateIntake({ tensorSpecs: specs, uploadCodec: { id: 'counted', params: {} }, maxUpdateBytes: 1 << 16, frameLimits: DEFAULT_FRAME_LIMITS, codecs });
    const round = new FitRound(
      { round: 1, baseVersion: 0, tasks: new Map([['a', 't-a']]), intake, maxUpdateNorm: 10, weightOf: (_id, n) => n, maxUpdateAttempts: 1, verifyUpload: () => ({ payloadSha256: undefined }) },
      strategy.beginAggregation({ round: 1, globalWeights: global, random: Math.random }),
    );
    const update = encodeFrame('delta', [{ name: 'w', shape: [3], values: Float32Array.of(0, 0, 2) }], { id: 'counted' }, codecs);
    counts.headers = 0;
    const result = { jobId: 'j', round: 1, taskId: 't-a', modelVersion: 0, numExamples: 1, durationMs: 1, metrics: { loss: 1 } } as FitResult;

    const outcome = round.receive('a', result, update);

    expect(outcome.accepted?.updateNorm).toBe(2);
    expect(counts).toEqual({ headers: 1, decodes: 1 });
    const weights = round.finish().weights!;
    Array.from(weights[0]!).forEach((value, i) => expect(value).toBeCloseTo([1, 1, 1.5][i]!, 6)); // clipped to 0.5

    const reads: number[] = [];
    const versions = new ModelVersions('j', specs, { getVersionWeights: (_job, version) => void reads.push(version) as undefined }, codecs);
    const frame = versions.encode(weights);
    versions.stored(1, weights);
    expect(frame.byteLength).toBeGreaterThan(0);
    expect(versions.weights(1)).toEqual(weights);
    expect(reads).toEqual([]);
  });
});
