/**
 * A job's strategy choice checked against everything else the job asks for, with defaults filled in: fields that
 * do not apply to the named strategy, robust rules that need what secure aggregation or DP hides, Krum with too few
 * clients, and (once the model is known) rounds whose held updates would not fit the coordinator's memory budget.
 */
import { ShoalError, type CreateJobRequest } from '@shoal/protocol';

export type StrategyChoice = NonNullable<CreateJobRequest['strategy']>;
export type StrategyName = StrategyChoice['name'];

/** The strategy as a job stores it: the request's choice with serverLearningRate filled in. */
export type StrategyConfig = StrategyChoice & { serverLearningRate: number };

/** Rules that need every update at once, and so cannot see through secure aggregation or keep DP's bound. */
export const BUFFERED_STRATEGIES: readonly StrategyName[] = ['fedmedian', 'fedtrimmedavg', 'krum', 'multikrum'];
const ADAPTIVE_OPTIMISERS: readonly StrategyName[] = ['fedadam', 'fedyogi', 'fedadagrad'];
/** Server optimisers keep state built from each round's aggregate: under DP that state would see it before the noise. */
const STATEFUL_OPTIMISERS: readonly StrategyName[] = ['fedavgm', ...ADAPTIVE_OPTIMISERS];

/** Which optional fields each strategy takes (serverLearningRate and normBound apply to all). */
const FIELDS: Record<StrategyName, readonly (keyof StrategyChoice)[]> = {
  fedavg: [],
  fedavgm: ['serverMomentum'],
  fedprox: ['proximalMu'],
  fedadam: ['beta1', 'beta2', 'tau'],
  fedyogi: ['beta1', 'beta2', 'tau'],
  fedadagrad: ['tau'],
  fedmedian: [],
  fedtrimmedavg: ['trimFraction'],
  krum: ['byzantineClients'],
  multikrum: ['byzantineClients', 'keepClients'],
};
const COMMON_FIELDS: readonly string[] = ['name', 'serverLearningRate', 'normBound'];

export const JOB_LIMIT_DEFAULTS = {
  /** A client's update weighs at most this many examples (MNIST-sized shards are a few hundred). */
  maxExamplesPerClient: 10_000,
  outlierThreshold: 3.5,
} as const;

/**
 * η by strategy: 1 for averaging; 1 − β for server momentum, so that its effective step η/(1 − β) is FedAvg's (Hsu et
 * al. 2019); 0.01 for the adaptive optimisers (Reddi et al. 2021).
 */
function defaultServerLearningRate(name: StrategyName, momentum: number | undefined): number {
  if (name === 'fedavgm') return 1 - (momentum ?? 0.9);
  return ADAPTIVE_OPTIMISERS.includes(name) ? 0.01 : 1;
}

export function fieldError(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { problems: [{ field: `/${field}`, message }] } });
}

export interface StrategyContext {
  minFitClients: number;
  secureAggregation: boolean;
  privacy: 'central' | 'client' | undefined;
  maxFitClients: number | undefined;
  /** The clients' SGD learning rate (FedProx's step must stay stable: η·μ < 2). */
  learningRate: number;
}

/** Fills defaults and refuses combinations that cannot work, naming the field. */
export function normalizeStrategy(choice: StrategyChoice | undefined, context: StrategyContext): StrategyConfig {
  const name = choice?.name ?? 'fedavg';
  const strategy: StrategyConfig = { ...choice, name, serverLearningRate: choice?.serverLearningRate ?? defaultServerLearningRate(name, choice?.serverMomentum) };
  for (const key of Object.keys(choice ?? {})) {
    if (!COMMON_FIELDS.includes(key) && !FIELDS[name].includes(key as keyof StrategyChoice)) {
      throw fieldError(`strategy/${key}`, `does not apply to strategy '${name}' (it takes ${[...COMMON_FIELDS.slice(1), ...FIELDS[name]].join(', ')})`);
    }
  }
  const hidden = context.secureAggregation ? 'secure aggregation shows the coordinator only the sum' : context.privacy !== undefined ? "differential privacy's bound covers the mean of clipped updates" : undefined;
  if (BUFFERED_STRATEGIES.includes(name) && hidden !== undefined) {
    throw fieldError('strategy/name', `'${name}' needs every update on its own, but ${hidden}; use 'fedavg' with normBound instead`);
  }
  if (context.privacy !== undefined && STATEFUL_OPTIMISERS.includes(name)) {
    throw fieldError('strategy/name', `'${name}' keeps server state built from each round's aggregate before differential privacy adds its noise; with privacy use 'fedavg' or 'fedprox'`);
  }
  const mu = strategy.proximalMu ?? (name === 'fedprox' ? 0.01 : 0);
  if (context.learningRate * mu >= 2) {
    throw fieldError('strategy/proximalMu', `(${mu}) times the learningRate (${context.learningRate}) must stay below 2, or the proximal step diverges`);
  }
  const clientsAtLeast = Math.max(context.minFitClients, 1);
  if (name === 'krum' || name === 'multikrum') {
    if (clientsAtLeast < 3) throw fieldError('minFitClients', `must be at least 3 for '${name}' (Krum needs n ≥ 2f + 3)`);
    const f = strategy.byzantineClients;
    if (f !== undefined && clientsAtLeast < 2 * f + 3) {
      throw fieldError('strategy/byzantineClients', `(${f}) needs at least ${2 * f + 3} clients per round (n ≥ 2f + 3); minFitClients is ${clientsAtLeast}`);
    }
    if (context.maxFitClients !== undefined && f !== undefined && context.maxFitClients < 2 * f + 3) {
      throw fieldError('maxFitClients', `(${context.maxFitClients}) is below 2f + 3 = ${2 * f + 3} for byzantineClients ${f}`);
    }
    const keep = strategy.keepClients;
    if (keep !== undefined && keep > clientsAtLeast - (f ?? 0)) {
      throw fieldError('strategy/keepClients', `(${keep}) must be at most minFitClients − byzantineClients = ${clientsAtLeast - (f ?? 0)}`);
    }
  }
  const bound = strategy.normBound;
  if (bound !== undefined && context.privacy === 'central' && (bound.adaptive !== undefined || bound.centred === true)) {
    // Its clip norm and centre would follow the un-noised updates, outside what the accountant counts.
    throw fieldError(bound.adaptive !== undefined ? 'strategy/normBound/adaptive' : 'strategy/normBound/centred', 'follows the updates before the DP noise; with central DP use a fixed, uncentred clipNorm (or the DP clipping itself)');
  }
  if (bound !== undefined && (context.secureAggregation || context.privacy === 'client')) {
    // The coordinator never sees these updates: the clients clip, to a fixed C only.
    if (bound.adaptive !== undefined) throw fieldError('strategy/normBound/adaptive', 'needs the coordinator to see update norms; under secure aggregation or client-mode DP give a fixed clipNorm');
    if (bound.centred === true) throw fieldError('strategy/normBound/centred', 'needs the coordinator to see each update; under secure aggregation or client-mode DP clip uncentred');
  }
  return strategy;
}

/** True when the coordinator cannot see individual updates, so a normBound is applied by the clients. */
export function clipsOnClients(context: Pick<StrategyContext, 'secureAggregation' | 'privacy'>): boolean {
  return context.secureAggregation || context.privacy === 'client';
}

/**
 * For strategies that hold every update: the most clients a round may sample within `budgetBytes`, which becomes
 * the job's maxFitClients; refuses a job that asks for more, or whose quorum alone would not fit.
 */
export function fitToMemory(strategy: StrategyName, request: { maxFitClients: number | undefined; minFitClients: number }, parameterCount: number, budgetBytes: number): number | undefined {
  if (!BUFFERED_STRATEGIES.includes(strategy)) return request.maxFitClients;
  const perUpdate = 4 * parameterCount;
  const fits = Math.floor(budgetBytes / perUpdate);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (fits < request.minFitClients) {
    throw fieldError('minFitClients', `(${request.minFitClients}) updates of ${mib(perUpdate)} each do not fit the coordinator's aggregation memory budget of ${mib(budgetBytes)} ('${strategy}' holds every update); at most ${fits} do`);
  }
  if (request.maxFitClients !== undefined && request.maxFitClients > fits) {
    throw fieldError('maxFitClients', `(${request.maxFitClients}) updates of ${mib(perUpdate)} each exceed the coordinator's aggregation memory budget of ${mib(budgetBytes)} ('${strategy}' holds every update); at most ${fits} fit`);
  }
  return request.maxFitClients ?? fits;
}
