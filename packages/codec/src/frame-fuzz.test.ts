import { describe, expect, it } from 'vitest';
import { DECODERS, runDecoders } from './testing/decoder-properties.js';
import { fuzzInput, seedFrames } from './testing/fuzz-inputs.js';
import { createRandom } from './testing/random.js';

const INPUTS = 3_000;
const SEED = 20_240_601;

describe('frame decoders under fuzzing', () => {
  it(`answer ${INPUTS} hostile inputs each with a value or a frame ShoalError, consistently and promptly`, () => {
    const random = createRandom(SEED);
    const seeds = seedFrames();
    const tally = new Map<string, number>();
    const violations: string[] = [];
    let slowest = 0;

    for (let index = 0; index < INPUTS; index++) {
      const input = fuzzInput(random, seeds);
      const run = runDecoders(input.bytes);
      for (const decoder of DECODERS) {
        const key = `${decoder} ${run.outcomes[decoder]}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        slowest = Math.max(slowest, run.milliseconds[decoder]);
      }
      for (const violation of run.violations) violations.push(`input ${index} (seed ${SEED}, ${input.mutations.join('+')}): ${violation}`);
    }

    expect(violations.slice(0, 10)).toEqual([]);
    expect(slowest).toBeLessThan(1_000);
    // The corpus must reach both sides of the decoders, not only the magic check.
    expect(tally.get('decodeFrame accepted') ?? 0).toBeGreaterThan(INPUTS / 20);
    expect(tally.get('accumulateFrame NON_FINITE_VALUES') ?? 0).toBeGreaterThan(0);
    expect(tally.get('readFrameHeader PAYLOAD_TOO_LARGE') ?? 0).toBeGreaterThan(0);
    expect(tally.get('readFrameHeader UNKNOWN_CODEC') ?? 0).toBeGreaterThan(0);
  });
});
