/** A simulation's configuration: defaults, and validation that names the wrong field (config file and CLI alike). */
import { availableParallelism } from 'node:os';
import { ShoalError } from '@shoal/protocol';

export const DATASETS = ['mnist', 'fashion-mnist', 'dir'] as const;
export const PARTITIONS = ['iid', 'pathological', 'dirichlet', 'quantity-skew'] as const;
export const MODELS = ['mnist-2nn', 'mnist-cnn'] as const;
export const TRANSPORTS = ['memory', 'socket'] as const;
export const ATTACKS = ['sign-flip', 'scale', 'random', 'inflate', 'alie'] as const;
/** ALIE's default z: the attackers' update sits one standard deviation below their mean, in every value. */
export const DEFAULT_ALIE_Z = 1;

export interface StragglerConfig {
  /** Median extra latency of a client's round (network and slow device), in simulated ms. */
  medianMs: number;
  /** Spread of the lognormal: latency = medianMs · exp(sigma · N(0, 1)). */
  sigma: number;
}

export interface MaliciousConfig {
  /** Share of all clients that attack, chosen once per run from the seed. */
  fraction: number;
  attack: (typeof ATTACKS)[number];
  /** Factor of the `scale` attack. */
  scale: number;
  /** Of the `alie` attack: the attackers send μ − z·σ of their own honest updates (absent: DEFAULT_ALIE_Z). */
  z?: number;
}

export interface FaultConfig {
  /** Per selected client and round: goes silent (no result, no disconnect), so the round waits for its deadline. */
  dropout: number;
  /** Per selected client and round: disconnects while training, then reconnects. */
  crashMidTraining: number;
  /** Per selected client and round: trains, then disconnects while uploading (the update is lost), then reconnects. */
  crashMidUpload: number;
  stragglers: StragglerConfig | undefined;
  malicious: MaliciousConfig | undefined;
}

export interface SimulationConfig {
  /** Registered virtual clients. */
  clients: number;
  /** Clients sampled per round. */
  perRound: number;
  /** Accepted updates a round needs to produce a model (the coordinator's minFitClients). */
  quorum: number;
  rounds: number;
  dataset: (typeof DATASETS)[number];
  /** For dataset 'dir': a dataset directory (docs/dataset-format.md) of training data. */
  dataDir: string | undefined;
  /** For dataset 'dir': held-out data; without it, `testFraction` of dataDir is held out. */
  testDir: string | undefined;
  testFraction: number;
  /** Use only the first N training examples (0: all), for quick runs. */
  trainLimit: number;
  partition: (typeof PARTITIONS)[number];
  /** Dirichlet concentration for 'dirichlet' (labels) and 'quantity-skew' (sizes). */
  alpha: number;
  shardsPerClient: number;
  model: (typeof MODELS)[number];
  localEpochs: number;
  /** Local batch size; 0 means the client's whole data set in one batch (B = ∞, FedSGD with one epoch). */
  batchSize: number;
  learningRate: number;
  codec: string;
  workers: number;
  transport: (typeof TRANSPORTS)[number];
  seed: number;
  out: string;
  roundDeadlineMs: number;
  /** Test examples for the central evaluation after each round; 0 evaluates on all of them. */
  evalLimit: number;
  /** Stop the job once the central accuracy reaches this (0: never). */
  targetAccuracy: number;
  faults: FaultConfig;
  /**
   * The job's strategy object as the coordinator takes it (name, serverLearningRate, normBound, …; see
   * protocols/v1/rest.md): the simulator checks only its shape, the coordinator refuses a bad field by name.
   */
  strategy: { name: string; [field: string]: unknown };
  /** Job-level update bounds, passed through to the job when set (defaults: the coordinator's). */
  maxExamplesPerClient: number | undefined;
  maxUpdateNorm: number | undefined;
  logLevel: string;
  progress: boolean;
}

export const DEFAULT_CONFIG: SimulationConfig = {
  clients: 100,
  perRound: 10,
  quorum: 1,
  rounds: 10,
  dataset: 'mnist',
  dataDir: undefined,
  testDir: undefined,
  testFraction: 0.1,
  trainLimit: 0,
  partition: 'iid',
  alpha: 0.5,
  shardsPerClient: 2,
  model: 'mnist-2nn',
  localEpochs: 1,
  batchSize: 10,
  learningRate: 0.1,
  codec: 'int8',
  workers: availableParallelism(),
  transport: 'memory',
  seed: 1,
  out: 'runs/simulation',
  roundDeadlineMs: 600_000,
  evalLimit: 0,
  targetAccuracy: 0,
  faults: { dropout: 0, crashMidTraining: 0, crashMidUpload: 0, stragglers: undefined, malicious: undefined },
  strategy: { name: 'fedavg' },
  maxExamplesPerClient: undefined,
  maxUpdateNorm: undefined,
  logLevel: 'warn',
  progress: true,
};

/** The most a schema allows for a batch; a batch this large holds every client's whole data set. */
export const WHOLE_DATA_BATCH = 4096;

type Json = Record<string, unknown>;

function invalid(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { field } });
}

function integer(source: Json, field: string, fallback: number, min: number, max: number, path = field): number {
  const value = source[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(path, `must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function number(source: Json, field: string, fallback: number, min: number, max: number, path = field, openMin = false): number {
  const value = source[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (openMin && value === min) || value > max) {
    throw invalid(path, `must be a number in ${openMin ? '(' : '['}${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function choice<T extends string>(source: Json, field: string, options: readonly T[], fallback: T, path = field): T {
  const value = source[field] ?? fallback;
  if (typeof value !== 'string' || !options.includes(value as T)) {
    throw invalid(path, `must be one of ${options.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function text(source: Json, field: string, fallback: string | undefined, path = field): string | undefined {
  const value = source[field] ?? fallback;
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw invalid(path, `must be a non-empty string, got ${JSON.stringify(value)}`);
  return value as string | undefined;
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, `must be an object, got ${JSON.stringify(value)}`);
  return value as Json;
}

function rejectUnknown(source: Json, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(source)) {
    if (!known.includes(key)) throw invalid(`${prefix}${key}`, `is not a simulation setting (known: ${known.join(', ')})`);
  }
}

function parseFaults(raw: unknown): FaultConfig {
  const source = object(raw ?? {}, 'faults');
  rejectUnknown(source, ['dropout', 'crashMidTraining', 'crashMidUpload', 'stragglers', 'malicious'], 'faults.');
  const probability = (field: string) => number(source, field, 0, 0, 1, `faults.${field}`);
  let stragglers: StragglerConfig | undefined;
  if (source['stragglers'] !== undefined) {
    const s = object(source['stragglers'], 'faults.stragglers');
    rejectUnknown(s, ['medianMs', 'sigma'], 'faults.stragglers.');
    stragglers = { medianMs: number(s, 'medianMs', 0, 0, 86_400_000, 'faults.stragglers.medianMs', true), sigma: number(s, 'sigma', 0.5, 0, 10, 'faults.stragglers.sigma') };
  }
  let malicious: MaliciousConfig | undefined;
  if (source['malicious'] !== undefined) {
    const m = object(source['malicious'], 'faults.malicious');
    rejectUnknown(m, ['fraction', 'attack', 'scale', 'z'], 'faults.malicious.');
    malicious = {
      fraction: number(m, 'fraction', 0, 0, 1, 'faults.malicious.fraction'),
      attack: choice(m, 'attack', ATTACKS, 'sign-flip', 'faults.malicious.attack'),
      scale: number(m, 'scale', 10, -1e6, 1e6, 'faults.malicious.scale'),
      z: number(m, 'z', DEFAULT_ALIE_Z, 0, 100, 'faults.malicious.z'),
    };
  }
  return { dropout: probability('dropout'), crashMidTraining: probability('crashMidTraining'), crashMidUpload: probability('crashMidUpload'), stragglers, malicious };
}

function parseStrategy(raw: unknown): SimulationConfig['strategy'] {
  const source = object(raw ?? {}, 'strategy');
  const name = text(source, 'name', 'fedavg', 'strategy.name')!;
  return { ...source, name };
}

/** Validates a partial configuration (parsed JSON or CLI values) and fills in the defaults. */
export function resolveConfig(raw: unknown): SimulationConfig {
  const source = object(raw, 'config');
  rejectUnknown(source, Object.keys(DEFAULT_CONFIG), '');
  const d = DEFAULT_CONFIG;
  const clients = integer(source, 'clients', d.clients, 1, 100_000);
  const perRound = integer(source, 'perRound', Math.min(d.perRound, clients), 1, clients);
  const config: SimulationConfig = {
    clients,
    perRound,
    quorum: integer(source, 'quorum', Math.min(d.quorum, perRound), 1, perRound),
    rounds: integer(source, 'rounds', d.rounds, 1, 100_000),
    dataset: choice(source, 'dataset', DATASETS, d.dataset),
    dataDir: text(source, 'dataDir', d.dataDir),
    testDir: text(source, 'testDir', d.testDir),
    testFraction: number(source, 'testFraction', d.testFraction, 0, 0.9, 'testFraction', true),
    trainLimit: integer(source, 'trainLimit', d.trainLimit, 0, 100_000_000),
    partition: choice(source, 'partition', PARTITIONS, d.partition),
    alpha: number(source, 'alpha', d.alpha, 0, 1e6, 'alpha', true),
    shardsPerClient: integer(source, 'shardsPerClient', d.shardsPerClient, 1, 1000),
    model: choice(source, 'model', MODELS, d.model),
    localEpochs: integer(source, 'localEpochs', d.localEpochs, 1, 100),
    batchSize: integer(source, 'batchSize', d.batchSize, 0, WHOLE_DATA_BATCH),
    learningRate: number(source, 'learningRate', d.learningRate, 0, 10, 'learningRate', true),
    codec: text(source, 'codec', d.codec)!,
    workers: integer(source, 'workers', d.workers, 1, 64),
    transport: choice(source, 'transport', TRANSPORTS, d.transport),
    seed: integer(source, 'seed', d.seed, 0, 4294967295),
    out: text(source, 'out', d.out)!,
    roundDeadlineMs: integer(source, 'roundDeadlineMs', d.roundDeadlineMs, 100, 86_400_000),
    evalLimit: integer(source, 'evalLimit', d.evalLimit, 0, 10_000_000),
    targetAccuracy: number(source, 'targetAccuracy', d.targetAccuracy, 0, 1),
    faults: parseFaults(source['faults']),
    strategy: parseStrategy(source['strategy']),
    maxExamplesPerClient: source['maxExamplesPerClient'] === undefined ? undefined : integer(source, 'maxExamplesPerClient', 1, 1, 1_000_000_000),
    maxUpdateNorm: source['maxUpdateNorm'] === undefined ? undefined : number(source, 'maxUpdateNorm', 1, 0, 1e12, 'maxUpdateNorm', true),
    logLevel: choice(source, 'logLevel', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], d.logLevel),
    progress: source['progress'] === undefined ? d.progress : Boolean(source['progress']),
  };
  if (config.dataset === 'dir' && config.dataDir === undefined) throw invalid('dataDir', "is required when dataset is 'dir'");
  if (config.dataset !== 'dir' && (config.dataDir !== undefined || config.testDir !== undefined)) {
    throw invalid(config.dataDir !== undefined ? 'dataDir' : 'testDir', "only applies to dataset 'dir'");
  }
  return config;
}
