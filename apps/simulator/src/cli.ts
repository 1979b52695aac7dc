/** shoal-simulate: runs N virtual clients against the real coordinator, from flags or a JSON config file (flags win). */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ShoalError } from '@shoal/protocol';
import { Progress } from './progress.js';
import { resolveConfig, type SimulationConfig } from './sim-config.js';
import { runSimulation } from './simulation.js';

/** flag name → config field (a dotted path for fault settings). */
const FLAGS: Record<string, string> = {
  clients: 'clients',
  perRound: 'perRound',
  quorum: 'quorum',
  rounds: 'rounds',
  dataset: 'dataset',
  dataDir: 'dataDir',
  testDir: 'testDir',
  testFraction: 'testFraction',
  trainLimit: 'trainLimit',
  partition: 'partition',
  alpha: 'alpha',
  shardsPerClient: 'shardsPerClient',
  model: 'model',
  epochs: 'localEpochs',
  batchSize: 'batchSize',
  learningRate: 'learningRate',
  codec: 'codec',
  workers: 'workers',
  transport: 'transport',
  seed: 'seed',
  out: 'out',
  deadlineMs: 'roundDeadlineMs',
  evalLimit: 'evalLimit',
  target: 'targetAccuracy',
  logLevel: 'logLevel',
  progress: 'progress',
  dropout: 'faults.dropout',
  crashTraining: 'faults.crashMidTraining',
  crashUpload: 'faults.crashMidUpload',
  stragglerMedianMs: 'faults.stragglers.medianMs',
  stragglerSigma: 'faults.stragglers.sigma',
  maliciousFraction: 'faults.malicious.fraction',
  attack: 'faults.malicious.attack',
  attackScale: 'faults.malicious.scale',
  attackZ: 'faults.malicious.z',
  strategy: 'strategy.name',
  maxExamplesPerClient: 'maxExamplesPerClient',
  maxUpdateNorm: 'maxUpdateNorm',
};
const TEXT_FIELDS = new Set(['dataset', 'dataDir', 'testDir', 'partition', 'model', 'codec', 'transport', 'out', 'logLevel', 'faults.malicious.attack', 'strategy.name']);

const program = new Command('shoal-simulate')
  .description('Simulates a fleet of virtual clients training a job (FedAvg or any strategy) on the real Shoal coordinator')
  .option('--config <file>', 'JSON file with any of the settings below (camelCase names; faults under "faults"); flags override it')
  .option('--clients <n>', 'registered virtual clients (default 100)')
  .option('--per-round <n>', 'clients sampled per round (default 10)')
  .option('--quorum <n>', 'accepted updates a round needs (default 1)')
  .option('--rounds <n>', 'training rounds (default 10)')
  .option('--dataset <name>', 'mnist, fashion-mnist or dir (default mnist)')
  .option('--data-dir <path>', "dataset directory for --dataset dir (docs/dataset-format.md)")
  .option('--test-dir <path>', 'held-out dataset directory for --dataset dir (default: hold out --test-fraction)')
  .option('--test-fraction <f>', 'share of --data-dir held out for evaluation (default 0.1)')
  .option('--train-limit <n>', 'use only the first N training examples; 0 = all (default 0)')
  .option('--partition <scheme>', 'iid, pathological, dirichlet or quantity-skew (default iid)')
  .option('--alpha <a>', 'Dirichlet concentration for dirichlet and quantity-skew (default 0.5)')
  .option('--shards-per-client <n>', 'label shards per client for pathological (default 2)')
  .option('--model <preset>', 'mnist-2nn or mnist-cnn (default mnist-2nn)')
  .option('--epochs <n>', 'local epochs E (default 1)')
  .option('--batch-size <n>', 'local batch size B; 0 = the whole local data set (default 10)')
  .option('--learning-rate <lr>', 'client SGD learning rate (default 0.1)')
  .option('--codec <id>', 'upload codec (default int8)')
  .option('--workers <n>', 'trainer worker threads (default: one per core)')
  .option('--transport <kind>', 'memory or socket (default memory)')
  .option('--seed <n>', 'seed of partition, sampling, training order and faults (default 1)')
  .option('--out <dir>', 'run directory (default runs/simulation)')
  .option('--deadline-ms <ms>', 'round deadline (default 600000)')
  .option('--eval-limit <n>', 'test examples for the central evaluation; 0 = all (default 0)')
  .option('--target <accuracy>', 'stop once the test accuracy reaches this (default: run every round)')
  .option('--dropout <p>', 'probability a selected client goes silent in a round')
  .option('--crash-training <p>', 'probability a selected client disconnects while training')
  .option('--crash-upload <p>', 'probability a selected client disconnects while uploading')
  .option('--straggler-median-ms <ms>', 'median of the lognormal straggler latency')
  .option('--straggler-sigma <s>', 'sigma of the lognormal straggler latency (default 0.5)')
  .option('--malicious-fraction <f>', 'share of clients that attack')
  .option('--attack <kind>', 'sign-flip, scale, random, inflate (random noise claiming 1e9 examples) or alie (--attack-z; default sign-flip)')
  .option('--attack-scale <k>', 'factor of the scale attack (default 10)')
  .option('--attack-z <z>', 'ALIE: the attackers send their mean − z·std in every value (default 1)')
  .option('--strategy <name>', 'fedavg, fedavgm, fedprox, fedadam, fedyogi, fedadagrad, fedmedian, fedtrimmedavg, krum or multikrum (default fedavg)')
  .option('--strategy-json <json>', 'the rest of the job\'s strategy object, e.g. \'{"trimFraction":0.2,"normBound":{"clipNorm":2}}\'')
  .option('--max-examples-per-client <n>', 'the most examples one update may weigh (default: the coordinator\'s, 10000)')
  .option('--max-update-norm <c>', 'refuse updates with a larger L2 norm (default: derived from the model)')
  .option('--log-level <level>', "coordinator log level, written to coordinator.log in the run directory (default warn)")
  .option('--no-progress', 'print no progress')
  .parse();

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node = (node[key] = typeof child === 'object' && child !== null ? { ...(child as Record<string, unknown>) } : {}) as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ShoalError('NOT_FOUND', `--config: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new ShoalError('VALIDATION_FAILED', `--config: ${path} is not a valid JSON object: ${(cause as Error).message}`, { cause });
  }
}

function buildConfig(): SimulationConfig {
  const options = program.opts<Record<string, unknown>>();
  const file = typeof options['config'] === 'string' ? options['config'] : undefined;
  const raw = file === undefined ? {} : readConfigFile(file);
  const fromCli = new Map<string, string>();
  for (const [flag, field] of Object.entries(FLAGS)) {
    if (program.getOptionValueSource(flag) !== 'cli') continue;
    const value = options[flag];
    // Numbers stay strings if they do not parse, so validation can name the field and show what was given.
    const parsed = TEXT_FIELDS.has(field) || typeof value !== 'string' || value.trim() === '' || Number.isNaN(Number(value)) ? value : Number(value);
    setPath(raw, field, parsed);
    fromCli.set(field, `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  if (program.getOptionValueSource('strategyJson') === 'cli') {
    let extra: unknown;
    try {
      extra = JSON.parse(String(options['strategyJson']));
    } catch (cause) {
      throw new ShoalError('VALIDATION_FAILED', `--strategy-json: not JSON: ${(cause as Error).message}`, { cause });
    }
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new ShoalError('VALIDATION_FAILED', '--strategy-json must be a JSON object');
    const current = (raw['strategy'] ?? {}) as Record<string, unknown>;
    raw['strategy'] = { ...current, ...extra, ...(fromCli.has('strategy.name') ? { name: current['name'] } : {}) };
  }
  try {
    return resolveConfig(raw);
  } catch (error) {
    const failure = ShoalError.from(error);
    const field = (failure.details as { field?: string } | undefined)?.field;
    const flag = field === undefined ? undefined : fromCli.get(field);
    // The message names the field; say where it came from: the flag, or the config file.
    const where = flag ?? file;
    throw new ShoalError(failure.code, where === undefined ? failure.message : `${where}: ${failure.message}`, { cause: failure });
  }
}

async function main(): Promise<number> {
  const config = buildConfig();
  const progress = config.progress ? new Progress(config.rounds) : undefined;
  progress?.status(`shoal-simulate: ${config.clients} clients, ${config.perRound} per round, ${config.rounds} rounds, ${config.model} on ${config.dataset} (${config.partition}), ${config.workers} worker(s), ${config.transport} transport, seed ${config.seed}`);
  const summary = await runSimulation(config, {
    onRound: (line) => progress?.round(line),
    onStatus: (text) => progress?.status(text),
    onJobStarted: () => progress?.started(),
  });
  progress?.finish();
  const accuracy = summary.finalAccuracy === null ? 'n/a' : `${(summary.finalAccuracy * 100).toFixed(2)}%`;
  console.log(
    `${summary.rounds} rounds (${summary.jobStatus}) in ${summary.wallSeconds.toFixed(1)} s: final test accuracy ${accuracy}` +
      `${summary.targetRound === null ? '' : `, target reached at round ${summary.targetRound}`}; ${summary.secondsPerRound.toFixed(2)} s/round, ` +
      `${summary.updatesPerSecond.toFixed(1)} client updates/s, peak RSS ${summary.peakRssMiB.toFixed(0)} MiB`,
  );
  console.log(`run directory: ${config.out} (metrics.jsonl, report.html, charts/*.png)`);
  const trouble = Object.entries(summary.counters).filter(([what]) => !what.startsWith('late uploads'));
  if (trouble.length > 0) {
    console.error(`warning: ${trouble.map(([what, count]) => `${what} × ${count}`).join(', ')}; on-time clients must finish before the real deadline for a run to be reproducible (raise --deadline-ms)`);
    return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`shoal-simulate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
