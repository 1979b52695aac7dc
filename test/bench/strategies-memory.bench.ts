/**
 * What each strategy costs per update at the CNN's size (1,663,370 parameters in its 8 tensors): the bytes its
 * aggregation holds per update (as the strategy declares it, and as measured on the heap after GC), and the time per
 * update (the median `add` plus `finish` amortised over the round's 20 updates), with FedAvg as the baseline. Updates
 * are copied into one reused set of arrays before each `add`, as the coordinator's decoder reuses its arrays, and
 * the round gets the coordinator's SIMD sum kernels.
 *
 *   node --import tsx test/bench/strategies-memory.bench.ts [--updates 20] [--runs 3]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { MNIST_CNN } from '@shoal/codec/testing';
import { SIMD_SUM_KERNELS, createAccumulators, sumOfSquares } from '@shoal/codec';
import { totalElements, type StrategyChoice } from '@shoal/protocol';
import { createStrategyFromChoice, type ComposedStrategy } from '@shoal/strategy';
import { deltaLike, fixed, median, table } from './bench-support.js';

const { values: args } = parseArgs({ options: { updates: { type: 'string', default: '20' }, runs: { type: 'string', default: '3' } } });
const UPDATES = Number(args.updates);
const RUNS = Number(args.runs);
const PARAMETERS = totalElements(MNIST_CNN);

// Heap measurements need gc(); expose it without asking for a flag on the command line.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** Two full collections: the second frees the ArrayBuffer backing stores the first one found unreachable. */
const gc = () => {
  collect();
  collect();
};
const heapBytes = () => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

const CHOICES: { label: string; choice: StrategyChoice }[] = [
  { label: 'fedavg', choice: { name: 'fedavg' } },
  { label: 'fedavgm', choice: { name: 'fedavgm' } },
  { label: 'fedprox', choice: { name: 'fedprox' } },
  { label: 'fedadam', choice: { name: 'fedadam' } },
  { label: 'fedyogi', choice: { name: 'fedyogi' } },
  { label: 'fedadagrad', choice: { name: 'fedadagrad' } },
  { label: 'fedavg + normBound (adaptive, centred)', choice: { name: 'fedavg', normBound: { adaptive: { targetQuantile: 0.5 }, centred: true } } },
  { label: 'fedmedian', choice: { name: 'fedmedian' } },
  { label: 'fedtrimmedavg (β = 0.2)', choice: { name: 'fedtrimmedavg' } },
  { label: 'krum (f default)', choice: { name: 'krum' } },
  { label: 'multikrum (f, m default)', choice: { name: 'multikrum' } },
];

const common = { fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit: { localEpochs: 1, batchSize: 10, learningRate: 0.1 } };
const globalWeights = MNIST_CNN.map((spec) => new Float32Array(spec.shape.reduce((a, b) => a * b, 1)));
const sources = Array.from({ length: UPDATES }, (_, k) => deltaLike(MNIST_CNN, k + 1).map((tensor) => tensor.values));
const decoded = createAccumulators(globalWeights.map((tensor) => tensor.length)); // as the coordinator's UpdateIntake

interface Run {
  addMs: number;
  finishMs: number;
  heldBytes: number;
}

function round(strategy: ComposedStrategy): Run {
  gc();
  const aggregation = strategy.beginAggregation({ round: 1, globalWeights, random: Math.random, kernels: SIMD_SUM_KERNELS });
  const before = heapBytes();
  const adds: number[] = [];
  sources.forEach((source, k) => {
    source.forEach((tensor, t) => decoded[t]!.set(tensor));
    const envelope = { clientId: `c${k}`, numExamples: 100 + (k % 7), metrics: { loss: 1 }, values: decoded, l2Norm: Math.sqrt(sumOfSquares(decoded)) };
    const started = performance.now();
    aggregation.add(envelope);
    adds.push(performance.now() - started);
  });
  gc();
  const heldBytes = (heapBytes() - before) / UPDATES;
  const started = performance.now();
  const outcome = aggregation.finish([]);
  const finishMs = performance.now() - started;
  if (outcome.weights === undefined) throw new Error(`${strategy.name} released no model`);
  return { addMs: median(adds), finishMs, heldBytes };
}

const kib = (bytes: number) => `${fixed(bytes / 1024, 0)} KiB`;
console.log(`strategies-memory bench: ${UPDATES} updates of ${PARAMETERS.toLocaleString('en-US')} parameters (the CNN, ${MNIST_CNN.length} tensors), medians of ${RUNS} rounds`);
console.log(`load average before: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
let baseline: number | undefined;
const rows = CHOICES.map(({ label, choice }) => {
  const strategy = createStrategyFromChoice(choice, common);
  round(strategy); // warm-up
  const runs = Array.from({ length: RUNS }, () => round(createStrategyFromChoice(choice, common)));
  const perUpdate = median(runs.map((run) => run.addMs + run.finishMs / UPDATES));
  baseline ??= perUpdate;
  return [
    label,
    strategy.holdsEveryUpdate ? 'yes' : 'no',
    kib(strategy.heldBytesPerUpdate(PARAMETERS)),
    kib(median(runs.map((run) => run.heldBytes))),
    fixed(median(runs.map((run) => run.addMs)), 2),
    fixed(median(runs.map((run) => run.finishMs)), 1),
    fixed(perUpdate, 2),
    fixed(perUpdate / baseline, 2),
  ];
});
console.log(table(['strategy', 'holds every update', 'declared bytes / update', 'measured heap / update', 'median add ms', 'finish ms', 'ms / update (add + finish/n)', 'ratio to fedavg'], rows));
console.log('Declared bytes are what the coordinator budgets per update; a centred normBound also keeps one model-sized sum per round, which the measured column spreads over the updates.');
console.log(`load average after: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
