/**
 * Fuzz bench for the frame decoders: for each codec, runs readFrameHeader, decodeFrame and
 * accumulateFrame on the same hostile inputs (random bytes, and that codec's valid frames mutated)
 * and reports throughput, outcomes by code, the slowest input and peak RSS.
 *
 *   node --import tsx test/bench/fuzz.bench.ts [--count 100000] [--seed 1] [--codec topk]
 *
 * --count is per codec. Exits 1 if any decoder threw something other than a frame ShoalError or
 * broke a property checked by runDecoders (see packages/codec/src/testing/decoder-properties.ts).
 */
import { parseArgs } from 'node:util';
import { DECODERS, SMALL_TENSOR_CODECS, createRandom, fuzzInput, runDecoders, seedFrames, type DecoderName, type SampleCodec } from '@shoal/codec/testing';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' }, codec: { type: 'string' } } });
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${values.count}`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
const codecs = SMALL_TENSOR_CODECS.filter((sample) => values.codec === undefined || sample.selection.id === values.codec);
if (codecs.length === 0) throw new Error(`--codec ${values.codec} is not one of ${SMALL_TENSOR_CODECS.map((s) => s.selection.id).join(', ')}`);

/** Inputs after which the code is assumed JIT-compiled; the slowest time is reported with and without them. */
const WARM_UP = 1_000;

interface DecoderStats {
  milliseconds: number;
  slowest: number;
  slowestWarm: number;
  outcomes: Map<string, number>;
}

const format = (value: number): string => Math.round(value).toLocaleString('en-US');
const violations: string[] = [];

function fuzzCodec(sample: SampleCodec): void {
  const stats = new Map<DecoderName, DecoderStats>(DECODERS.map((decoder) => [decoder, { milliseconds: 0, slowest: 0, slowestWarm: 0, outcomes: new Map() }]));
  const random = createRandom(seed);
  const seeds = seedFrames([sample]);
  let inputBytes = 0;
  let largestInput = 0;
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    const input = fuzzInput(random, seeds);
    inputBytes += input.bytes.length;
    largestInput = Math.max(largestInput, input.bytes.length);
    const run = runDecoders(input.bytes);
    for (const decoder of DECODERS) {
      const entry = stats.get(decoder)!;
      const milliseconds = run.milliseconds[decoder];
      entry.milliseconds += milliseconds;
      entry.slowest = Math.max(entry.slowest, milliseconds);
      if (index >= WARM_UP) entry.slowestWarm = Math.max(entry.slowestWarm, milliseconds);
      entry.outcomes.set(run.outcomes[decoder], (entry.outcomes.get(run.outcomes[decoder]) ?? 0) + 1);
    }
    for (const violation of run.violations) if (violations.length < 20) violations.push(`${sample.selection.id} input ${index} (${input.mutations.join('+')}): ${violation}`);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(`\n## ${sample.selection.id} ${JSON.stringify(sample.selection.params)}: ${format(count)} inputs, ${seeds.length} seed frames, mean input ${format(inputBytes / count)} B, largest ${format(largestInput)} B, ${wallSeconds.toFixed(1)} s`);
  console.log('| decoder | inputs/s | accepted | rejected (by code) | max ms per input (after warm-up) |');
  console.log('|---|---:|---:|---|---:|');
  for (const decoder of DECODERS) {
    const entry = stats.get(decoder)!;
    const accepted = entry.outcomes.get('accepted') ?? 0;
    const rejected = [...entry.outcomes].filter(([outcome]) => outcome !== 'accepted').sort((a, b) => b[1] - a[1]);
    const codes = rejected.map(([outcome, times]) => `${outcome} ${format(times)}`).join(', ');
    console.log(`| ${decoder} | ${format(count / (entry.milliseconds / 1000))} | ${format(accepted)} | ${codes} | ${entry.slowest.toFixed(2)} (${entry.slowestWarm.toFixed(2)}) |`);
  }
}

console.log(`fuzz bench: ${format(count)} inputs per codec, seed ${seed}, codecs ${codecs.map((s) => s.selection.id).join(', ')}`);
for (const sample of codecs) fuzzCodec(sample);
console.log(`\nmax RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
console.log(violations.length === 0 ? 'property violations: none' : `property violations (first ${violations.length}):\n  ${violations.join('\n  ')}`);
process.exitCode = violations.length === 0 ? 0 : 1;
