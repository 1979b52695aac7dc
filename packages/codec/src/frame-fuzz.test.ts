import { describe, expect, it } from 'vitest';
import { DECODERS, runDecoders } from './testing/decoder-properties.js';
import { fuzzInput, seedFrames } from './testing/fuzz-inputs.js';
import { createRandom } from './testing/random.js';
import { SMALL_TENSOR_CODECS } from './testing/sample-codecs.js';

/** Per codec; test/bench/fuzz.bench.ts runs 100,000 per codec. */
const INPUTS = 1_200;
const SEED = 20_240_601;

describe('frame decoders under fuzzing', () => {
  const tally = new Map<string, number>();

  for (const sample of SMALL_TENSOR_CODECS) {
    it(`answer ${INPUTS} hostile inputs seeded from ${sample.selection.id} frames with a value or a frame ShoalError, consistently and promptly`, () => {
      const random = createRandom(SEED);
      const seeds = seedFrames([sample]);
      const violations: string[] = [];
      let accepted = 0;
      let slowest = 0;

      for (let index = 0; index < INPUTS; index++) {
        const input = fuzzInput(random, seeds);
        const run = runDecoders(input.bytes);
        for (const decoder of DECODERS) {
          const key = `${decoder} ${run.outcomes[decoder]}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          slowest = Math.max(slowest, run.cpuMilliseconds[decoder]);
        }
        if (run.outcomes.decodeFrame === 'accepted') accepted++;
        for (const violation of run.violations) violations.push(`input ${index} (seed ${SEED}, ${input.mutations.join('+')}): ${violation}`);
      }

      expect(violations.slice(0, 10)).toEqual([]);
      // Promptly: no input costs a decoder a second of CPU (typical: well under a millisecond). CPU time, not wall
      // time, so a busy machine cannot fail this; only a decoder doing work out of proportion to its input can.
      expect(slowest).toBeLessThan(1_000);
      // The corpus must reach both sides of the decoder, not only the magic check (sparse layouts break most easily: ~5%).
      expect(accepted).toBeGreaterThan(INPUTS / 40);
    });
  }

  it('reached every kind of refusal across the codecs', () => {
    expect(tally.get('accumulateFrame NON_FINITE_VALUES') ?? 0).toBeGreaterThan(0);
    expect(tally.get('accumulateFrame FRAME_MALFORMED') ?? 0).toBeGreaterThan(0);
    expect(tally.get('readFrameHeader PAYLOAD_TOO_LARGE') ?? 0).toBeGreaterThan(0);
    expect(tally.get('readFrameHeader UNKNOWN_CODEC') ?? 0).toBeGreaterThan(0);
  });
});
