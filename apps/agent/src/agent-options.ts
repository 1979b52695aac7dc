/** Parses and validates the agent's command line into the options of the client SDK. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ShoalError } from '@shoal/protocol';
import { exitCodesHelp } from './exit-codes.js';
import { loadDatasetDir, loadMnistShard, parseShardSpec, splitExamples, type LabeledExamples, type PartitionScheme } from '@shoal/data';

export interface AgentOptions {
  coordinatorUrl: string;
  name: string;
  stateDir: string;
  /** PEM CA to trust for an https coordinator (pinning); the system store otherwise. */
  ca: string | undefined;
  train: LabeledExamples;
  evaluation: LabeledExamples | undefined;
  seed: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  labels: string[];
  /** Admin-issued join token: enrol as a device on first start (the state directory remembers it). */
  joinToken: string | undefined;
  /** Port of the local inference endpoint on 127.0.0.1 (0: any free port); no endpoint when undefined. */
  servePort: number | undefined;
  /** Micro-batching of predictions; undefined when off (--micro-batch 1). */
  microBatch: { maxBatch: number; maxWaitMs: number } | undefined;
  onlineLearning: { capacity: number; eviction: 'fifo' | 'reservoir' };
}

function integer(name: string, min: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return parsed;
  };
}

function fraction(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed < 1)) throw new InvalidArgumentError('must be a number in [0, 1)');
  return parsed;
}

export function agentCommand(): Command {
  // Options read from the environment declare it with .env(), so --help lists every variable the agent reads.
  return new Command('shoal-agent')
    .description('Shoal edge agent: trains on local data for a coordinator; raw data never leaves this process')
    .addOption(new Option('-c, --coordinator <url>', 'coordinator URL, e.g. http://127.0.0.1:7070').env('SHOAL_COORDINATOR').makeOptionMandatory())
    .addOption(new Option('--name <name>', 'display name of this device').env('SHOAL_AGENT_NAME'))
    .option('--dataset <kind>', "'mnist' (built-in, partitioned) or 'dir' (a dataset directory, see docs/dataset-format.md)", 'mnist')
    .option('--data-dir <path>', "dataset directory when --dataset dir")
    .option('--partition <scheme>', "MNIST partition: 'iid' or 'pathological' (2 label shards per client)", 'iid')
    .option('--shard <i/n>', 'which MNIST partition this agent holds, 0-based: 3/10 is the 4th of 10', '0/1')
    .option('--seed <n>', 'partition and shuffling seed (the same on every agent of a fleet)', integer('seed', 0), 42)
    .option('--eval-fraction <f>', 'fraction of local data held out for federated evaluation', fraction, 0.1)
    .option('--max-examples <n>', 'use at most this many local examples', integer('max-examples', 1))
    .option('--state-dir <path>', 'where the agent keeps its identity (owner-only permissions)')
    .option('--label <label...>', 'cohort labels of this device', [])
    .addOption(new Option('--join-token <token>', 'enrol this device with an admin-issued join token on first start; updates are then signed').env('SHOAL_JOIN_TOKEN'))
    .option('--serve-port <port>', 'serve the promoted model on http://127.0.0.1:<port> (0: any free port); see docs/edge-serving.md', integer('serve-port', 0))
    .option('--micro-batch <n>', 'batch up to n concurrent predictions (1: no batching)', integer('micro-batch', 1), 1)
    .option('--micro-batch-wait-ms <ms>', 'longest a prediction waits for its batch to fill', integer('micro-batch-wait-ms', 0), 2)
    .option('--sample-capacity <n>', 'labelled samples kept on the device for online learning', integer('sample-capacity', 1), 5000)
    .option('--sample-eviction <policy>', "what a full sample store drops: 'fifo' (the oldest) or 'reservoir' (keeps a uniform sample)", 'fifo')
    .addOption(new Option('--ca <file>', 'PEM CA certificate to trust for an https:// coordinator (pins its CA)').env('SHOAL_CA'))
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .addHelpText('after', `\n${exitCodesHelp()}`);
}

export function resolveAgentOptions(raw: Record<string, unknown>): AgentOptions {
  const coordinator = coordinatorUrl(String(raw['coordinator']));
  const shardText = String(raw['shard']);
  const shard = parseShardSpec(shardText);
  const seed = Number(raw['seed']);
  let examples: LabeledExamples;
  if (raw['dataset'] === 'mnist') {
    const scheme = String(raw['partition']);
    if (scheme !== 'iid' && scheme !== 'pathological') throw new ShoalError('VALIDATION_FAILED', `--partition must be iid or pathological, got '${scheme}'`);
    examples = loadMnistShard({ partition: scheme as PartitionScheme, shard, seed });
  } else if (raw['dataset'] === 'dir') {
    if (typeof raw['dataDir'] !== 'string') throw new ShoalError('VALIDATION_FAILED', '--data-dir is required with --dataset dir');
    examples = loadDatasetDir(raw['dataDir']);
  } else {
    throw new ShoalError('VALIDATION_FAILED', `--dataset must be mnist or dir, got '${String(raw['dataset'])}'`);
  }
  const maxExamples = raw['maxExamples'] === undefined ? undefined : Number(raw['maxExamples']);
  if (maxExamples !== undefined && maxExamples < examples.count) {
    examples = splitExamples(examples, 1 - maxExamples / examples.count, seed).train;
  }
  const evalFraction = Number(raw['evalFraction']);
  const split = evalFraction > 0 ? splitExamples(examples, evalFraction, seed + shard.index) : { train: examples, eval: undefined };
  const name = typeof raw['name'] === 'string' ? raw['name'] : `agent-${shard.index}`;
  const level = String(raw['logLevel']);
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ShoalError('VALIDATION_FAILED', `--log-level must be debug, info, warn or error`);
  return {
    coordinatorUrl: coordinator,
    name,
    stateDir: typeof raw['stateDir'] === 'string' ? raw['stateDir'] : `.shoal/agents/${name}`,
    ca: typeof raw['ca'] === 'string' ? readCa(raw['ca']) : undefined,
    train: split.train,
    evaluation: split.eval,
    seed,
    logLevel: level as AgentOptions['logLevel'],
    labels: (raw['label'] as string[] | undefined) ?? [],
    joinToken: typeof raw['joinToken'] === 'string' ? raw['joinToken'] : undefined,
    ...servingOptions(raw),
  };
}

function servingOptions(raw: Record<string, unknown>): Pick<AgentOptions, 'servePort' | 'microBatch' | 'onlineLearning'> {
  const servePort = raw['servePort'] === undefined ? undefined : Number(raw['servePort']);
  if (servePort !== undefined && servePort > 65_535) throw new ShoalError('VALIDATION_FAILED', `--serve-port must be at most 65535, got ${servePort}`);
  const eviction = String(raw['sampleEviction']);
  if (eviction !== 'fifo' && eviction !== 'reservoir') throw new ShoalError('VALIDATION_FAILED', `--sample-eviction must be fifo or reservoir, got '${eviction}'`);
  const maxBatch = Number(raw['microBatch']);
  return {
    servePort,
    microBatch: maxBatch > 1 ? { maxBatch, maxWaitMs: Number(raw['microBatchWaitMs']) } : undefined,
    onlineLearning: { capacity: Number(raw['sampleCapacity']), eviction },
  };
}

function coordinatorUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ShoalError('VALIDATION_FAILED', `--coordinator must be an http:// or https:// URL, got '${text}'`);
  }
  return text;
}

function readCa(file: string): string {
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (error) {
    throw new ShoalError('VALIDATION_FAILED', `--ca ${file}: ${(error as Error).message}`, { cause: error });
  }
}
