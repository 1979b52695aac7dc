/** Turns a validated CreateJobRequest into a JobConfig with every default filled in, and checks what a schema cannot. */
import { ShoalError, type CentralEvaluation, type CodecChoice, type CreateJobRequest, type ModelSource, type PrivacySettings } from '@shoal/protocol';
import { defaultCodecRegistry, type CodecRegistry } from '@shoal/codec';
import { planPrivacy } from './privacy-config.js';
import { normalizeSecureAggregation, type SecureAggregationConfig } from './secure-aggregation-config.js';
import { JOB_LIMIT_DEFAULTS, fieldError, normalizeStrategy, type StrategyConfig } from './strategy-config.js';

/** Which model versions keep their weights (store/version-retention.ts lists everything else that is kept). */
export interface RetentionPolicy {
  /** The latest version and the ones before it, this many in all. */
  keepLast: number;
  /** Every version whose number is a multiple of this. */
  keepEvery: number;
}

export interface JobConfig {
  name: string;
  model: ModelSource;
  seed: number;
  strategy: StrategyConfig;
  /** A client's update weighs at most this many examples, and at most what it declared at hello. */
  maxExamplesPerClient: number;
  /** Updates with a larger L2 norm are refused; undefined: derived each round from the global weights. */
  maxUpdateNorm: number | undefined;
  /** The most clients sampled per round (set from the memory budget for strategies that hold every update). */
  maxFitClients: number | undefined;
  /** Robust z-score above which an update's norm or distance to the aggregate flags it as an outlier. */
  outlierThreshold: number;
  rounds: number;
  fractionFit: number;
  minFitClients: number;
  minAvailableClients: number;
  fractionEvaluate: number;
  minEvaluateClients: number;
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  roundDeadlineMs: number;
  uploadCodec: { id: string; params: Record<string, unknown> };
  /** How a full model download is encoded (the client's anchor: float32 by default, exact). */
  downloadCodec: { id: string; params: Record<string, unknown> };
  /** How a download relative to the client's anchor is encoded (int8 by default: the error is bounded by one delta's scale). */
  downloadDeltaCodec: { id: string; params: Record<string, unknown> };
  /** Clients keep what compression dropped from their update and add it to the next one. */
  errorFeedback: boolean;
  evaluation: CentralEvaluation | undefined;
  privacy: PrivacySettings | undefined;
  /** The coordinator learns only the sum of each round's updates (protocols/v1/secure-aggregation.md). */
  secureAggregation: SecureAggregationConfig | undefined;
  /** Only enrolled, unrevoked devices are sampled, and every update must carry a valid device signature. */
  requireEnrolledDevices: boolean;
  /** Versions outside it lose their weights after each round (the rows, metrics and evaluation stay). */
  retention: RetentionPolicy;
}

export const JOB_DEFAULTS = {
  seed: 0,
  fractionFit: 1,
  minFitClients: 2,
  fractionEvaluate: 0,
  minEvaluateClients: 0,
  localEpochs: 1,
  batchSize: 32,
  learningRate: 0.05,
  roundDeadlineMs: 120_000,
  uploadCodec: { id: 'int8', params: {} },
  downloadCodec: { id: 'float32', params: {} },
  downloadDeltaCodec: { id: 'int8', params: {} },
  serverLearningRate: 1,
  retention: { keepLast: 10, keepEvery: 100 },
} as const;

function checkCodec(field: 'uploadCodec' | 'downloadCodec' | 'downloadDeltaCodec', choice: CodecChoice, registry: CodecRegistry): void {
  try {
    registry.get(choice.id).validateParams(choice.params ?? {});
  } catch (error) {
    const cause = ShoalError.from(error);
    throw new ShoalError(cause.code === 'UNKNOWN_CODEC' ? 'VALIDATION_FAILED' : cause.code, `${field}: ${cause.message}`, {
      cause,
      details: { problems: [{ field: `/${field}`, message: cause.message }] },
    });
  }
}

/** `registry` holds the codecs a job may name; what each is (sparse, biased) decides checks and defaults. */
export function normalizeJobConfig(request: CreateJobRequest, registry: CodecRegistry = defaultCodecRegistry()): JobConfig {
  const minFitClients = request.minFitClients ?? JOB_DEFAULTS.minFitClients;
  const minAvailableClients = request.minAvailableClients ?? minFitClients;
  if (minAvailableClients < minFitClients) {
    throw fieldError('minAvailableClients', `(${minAvailableClients}) must be at least minFitClients (${minFitClients})`);
  }
  const secureAggregation = normalizeSecureAggregation(request, minFitClients);
  // Under secure aggregation the ring encoding replaces the upload codec: the delta itself stays float32.
  const uploadCodec = { id: request.uploadCodec?.id ?? (secureAggregation === undefined ? JOB_DEFAULTS.uploadCodec.id : 'float32'), params: request.uploadCodec?.params ?? {} };
  checkCodec('uploadCodec', uploadCodec, registry);
  const downloadCodec = { id: request.downloadCodec?.id ?? JOB_DEFAULTS.downloadCodec.id, params: request.downloadCodec?.params ?? {} };
  checkCodec('downloadCodec', downloadCodec, registry);
  if (registry.get(downloadCodec.id).sparse === true) {
    throw fieldError('downloadCodec', `'${downloadCodec.id}' is sparse: a full model in it would keep only a fraction of the weights; use a dense codec (float32, float16, int8, qsgd)`);
  }
  // A job that names its download codec keeps it for deltas too (as before downloadDeltaCodec existed).
  const deltaChoice = request.downloadDeltaCodec ?? request.downloadCodec ?? JOB_DEFAULTS.downloadDeltaCodec;
  const downloadDeltaCodec = { id: deltaChoice.id, params: deltaChoice.params ?? {} };
  checkCodec('downloadDeltaCodec', downloadDeltaCodec, registry);
  if (registry.get(downloadDeltaCodec.id).sparse === true) {
    throw fieldError('downloadDeltaCodec', `'${downloadDeltaCodec.id}' is sparse: a client's model would lose what it drops, with no bound; use a dense codec (float32, float16, int8, qsgd)`);
  }
  const upload = registry.get(uploadCodec.id);
  const biased = !upload.lossless && upload.unbiased !== true;
  if (request.maxFitClients !== undefined && request.maxFitClients < minFitClients) {
    throw fieldError('maxFitClients', `(${request.maxFitClients}) must be at least minFitClients (${minFitClients})`);
  }
  const strategy = normalizeStrategy(request.strategy, {
    minFitClients,
    secureAggregation: secureAggregation !== undefined,
    privacy: request.privacy?.mode,
    maxFitClients: request.maxFitClients,
    learningRate: request.learningRate ?? JOB_DEFAULTS.learningRate,
  });
  if (request.privacy !== undefined) planPrivacy(request.privacy, { serverLearningRate: strategy.serverLearningRate });
  return {
    name: request.name,
    model: request.model,
    seed: request.seed ?? JOB_DEFAULTS.seed,
    strategy,
    maxExamplesPerClient: request.maxExamplesPerClient ?? JOB_LIMIT_DEFAULTS.maxExamplesPerClient,
    maxUpdateNorm: request.maxUpdateNorm,
    maxFitClients: request.maxFitClients,
    outlierThreshold: request.outlierThreshold ?? JOB_LIMIT_DEFAULTS.outlierThreshold,
    rounds: request.rounds,
    fractionFit: request.fractionFit ?? JOB_DEFAULTS.fractionFit,
    minFitClients,
    minAvailableClients,
    fractionEvaluate: request.fractionEvaluate ?? JOB_DEFAULTS.fractionEvaluate,
    minEvaluateClients: request.minEvaluateClients ?? JOB_DEFAULTS.minEvaluateClients,
    localEpochs: request.localEpochs ?? JOB_DEFAULTS.localEpochs,
    batchSize: request.batchSize ?? JOB_DEFAULTS.batchSize,
    learningRate: request.learningRate ?? JOB_DEFAULTS.learningRate,
    roundDeadlineMs: request.roundDeadlineMs ?? JOB_DEFAULTS.roundDeadlineMs,
    uploadCodec,
    downloadCodec,
    downloadDeltaCodec,
    errorFeedback: request.errorFeedback ?? biased,
    evaluation: request.evaluation,
    privacy: request.privacy,
    secureAggregation,
    requireEnrolledDevices: request.requireEnrolledDevices ?? false,
    retention: {
      keepLast: request.retention?.keepLast ?? JOB_DEFAULTS.retention.keepLast,
      keepEvery: request.retention?.keepEvery ?? JOB_DEFAULTS.retention.keepEvery,
    },
  };
}

/** Configs stored before downloadCodec, errorFeedback, requireEnrolledDevices, the update bounds and retention existed get their defaults. */
export function withCompressionDefaults(config: JobConfig): JobConfig {
  return {
    ...config,
    maxExamplesPerClient: config.maxExamplesPerClient ?? JOB_LIMIT_DEFAULTS.maxExamplesPerClient,
    outlierThreshold: config.outlierThreshold ?? JOB_LIMIT_DEFAULTS.outlierThreshold,
    downloadCodec: config.downloadCodec ?? JOB_DEFAULTS.downloadCodec,
    // Jobs stored before it existed sent deltas in their downloadCodec: they go on doing so.
    downloadDeltaCodec: config.downloadDeltaCodec ?? config.downloadCodec ?? JOB_DEFAULTS.downloadCodec,
    errorFeedback: config.errorFeedback ?? false,
    requireEnrolledDevices: config.requireEnrolledDevices ?? false,
    retention: config.retention ?? { ...JOB_DEFAULTS.retention },
  };
}

/** The config as shown to API callers: the topology is large and served at its own URL. */
export function publicJobConfig(config: JobConfig): Record<string, unknown> {
  const model = 'preset' in config.model ? config.model : { topology: '(see modelUrl)' };
  return { ...config, model };
}
