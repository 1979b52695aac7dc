/**
 * Fuzz bench for the frame decoders: runs readFrameHeader, decodeFrame and accumulateFrame on the
 * same hostile inputs and reports throughput, outcomes by code, the slowest input and peak RSS.
 *
 *   node --import tsx test/bench/fuzz.bench.ts [--count 100000] [--seed 1]
 *
 * Exits 1 if any decoder threw something other than a frame ShoalError or broke a property
 * checked by runDecoders (see packages/codec/src/testing/decoder-properties.ts).
 */
import { parseArgs } from 'node:util';
import { DECODERS, createRandom, fuzzInput, runDecoders, seedFrames, type DecoderName } from '@shoal/codec/testing';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } });
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${values.count}`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

/** Inputs after which the code is assumed JIT-compiled; the slowest time is reported with and without them. */
const WARM_UP = 1_000;

interface DecoderStats {
  milliseconds: number;
  slowest: number;
  slowestWarm: number;
  outcomes: Map<string, number>;
}

const stats = new Map<DecoderName, DecoderStats>(DECODERS.map((decoder) => [decoder, { milliseconds: 0, slowest: 0, slowestWarm: 0, outcomes: new Map() }]));
const mutationCounts = new Map<string, number>();
const violations: string[] = [];
const random = createRandom(seed);
const seeds = seedFrames();
let inputBytes = 0;
let largestInput = 0;

const started = performance.now();
for (let index = 0; index < count; index++) {
  const input = fuzzInput(random, seeds);
  inputBytes += input.bytes.length;
  largestInput = Math.max(largestInput, input.bytes.length);
  for (const mutation of input.mutations) mutationCounts.set(mutation, (mutationCounts.get(mutation) ?? 0) + 1);
  const run = runDecoders(input.bytes);
  for (const decoder of DECODERS) {
    const entry = stats.get(decoder)!;
    const milliseconds = run.milliseconds[decoder];
    entry.milliseconds += milliseconds;
    entry.slowest = Math.max(entry.slowest, milliseconds);
    if (index >= WARM_UP) entry.slowestWarm = Math.max(entry.slowestWarm, milliseconds);
    entry.outcomes.set(run.outcomes[decoder], (entry.outcomes.get(run.outcomes[decoder]) ?? 0) + 1);
  }
  for (const violation of run.violations) if (violations.length < 20) violations.push(`input ${index} (${input.mutations.join('+')}): ${violation}`);
}
const wallSeconds = (performance.now() - started) / 1000;

const format = (value: number): string => Math.round(value).toLocaleString('en-US');
console.log(`fuzz bench: ${format(count)} inputs per decoder, seed ${seed}, ${seeds.length} seed frames, mean input ${format(inputBytes / count)} B, largest ${format(largestInput)} B`);
console.log(`wall time ${wallSeconds.toFixed(2)} s for all three decoders (${format(count / wallSeconds)} inputs/s incl. generation)`);
for (const decoder of DECODERS) {
  const entry = stats.get(decoder)!;
  const accepted = entry.outcomes.get('accepted') ?? 0;
  const rejected = [...entry.outcomes].filter(([outcome]) => outcome !== 'accepted').sort((a, b) => b[1] - a[1]);
  console.log(`\n${decoder}: ${format(count / (entry.milliseconds / 1000))} inputs/s, max ${entry.slowest.toFixed(3)} ms per input (${entry.slowestWarm.toFixed(3)} ms after the first ${format(WARM_UP)})`);
  console.log(`  accepted ${format(accepted)}, rejected ${format(count - accepted)}`);
  for (const [outcome, times] of rejected) console.log(`    ${outcome.padEnd(20)} ${format(times)}`);
}
console.log(`\nmutations applied: ${[...mutationCounts].sort((a, b) => b[1] - a[1]).map(([name, times]) => `${name} ${format(times)}`).join(', ')}`);
console.log(`max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
console.log(violations.length === 0 ? 'property violations: none' : `property violations (first ${violations.length}):\n  ${violations.join('\n  ')}`);
process.exitCode = violations.length === 0 ? 0 : 1;
