/** Turns a validated CreateJobRequest into a JobConfig with every default filled in, and checks what a schema cannot. */
import { ShoalError, type CentralEvaluation, type CodecChoice, type CreateJobRequest, type ModelSource } from '@shoal/protocol';

export interface JobConfig {
  name: string;
  model: ModelSource;
  seed: number;
  strategy: { name: 'fedavg'; serverLearningRate: number };
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
  evaluation: CentralEvaluation | undefined;
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
  serverLearningRate: 1,
} as const;

function fieldError(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { problems: [{ field: `/${field}`, message }] } });
}

export function normalizeJobConfig(request: CreateJobRequest, knownCodec: (choice: CodecChoice) => void): JobConfig {
  const minFitClients = request.minFitClients ?? JOB_DEFAULTS.minFitClients;
  const minAvailableClients = request.minAvailableClients ?? minFitClients;
  if (minAvailableClients < minFitClients) {
    throw fieldError('minAvailableClients', `(${minAvailableClients}) must be at least minFitClients (${minFitClients})`);
  }
  const uploadCodec = { id: request.uploadCodec?.id ?? JOB_DEFAULTS.uploadCodec.id, params: request.uploadCodec?.params ?? {} };
  try {
    knownCodec(uploadCodec);
  } catch (error) {
    const cause = ShoalError.from(error);
    throw new ShoalError(cause.code === 'UNKNOWN_CODEC' ? 'VALIDATION_FAILED' : cause.code, `uploadCodec: ${cause.message}`, {
      cause,
      details: { problems: [{ field: '/uploadCodec', message: cause.message }] },
    });
  }
  return {
    name: request.name,
    model: request.model,
    seed: request.seed ?? JOB_DEFAULTS.seed,
    strategy: { name: request.strategy?.name ?? 'fedavg', serverLearningRate: request.strategy?.serverLearningRate ?? JOB_DEFAULTS.serverLearningRate },
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
    evaluation: request.evaluation,
  };
}

/** The config as shown to API callers: the topology is large and served at its own URL. */
export function publicJobConfig(config: JobConfig): Record<string, unknown> {
  const model = 'preset' in config.model ? config.model : { topology: '(see modelUrl)' };
  return { ...config, model };
}
