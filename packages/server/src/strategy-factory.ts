/** Maps a job's strategy choice to a Strategy instance. */
import { DifferentialPrivacyStrategy, FedAvg, type Strategy } from '@shoal/strategy';
import { ShoalError } from '@shoal/protocol';
import type { JobConfig } from './job-config.js';
import { planPrivacy } from './privacy-config.js';

/** Builds the job's strategy; a DP job wraps it. `clipNorm` resumes an adaptive clip norm after a restart. */
export function createStrategy(config: JobConfig, resume: { clipNorm?: number } = {}): Strategy {
  const inner = createInnerStrategy(config);
  if (config.privacy === undefined) return inner;
  const plan = planPrivacy(config.privacy, { serverLearningRate: config.strategy.serverLearningRate });
  const clipNorm = resume.clipNorm ?? config.privacy.clipping.clipNorm;
  return new DifferentialPrivacyStrategy(inner, {
    mode: config.privacy.mode,
    noiseMultiplier: config.privacy.noiseMultiplier,
    clipping: plan.adaptive === undefined ? { kind: 'fixed', clipNorm } : { kind: 'adaptive', initialClipNorm: clipNorm, ...plan.adaptive },
    samplingRate: config.privacy.samplingRate,
    expectedClientsPerRound: plan.expectedClientsPerRound,
    minParticipants: config.minFitClients,
  });
}

function createInnerStrategy(config: JobConfig): Strategy {
  switch (config.strategy.name) {
    case 'fedavg':
      return new FedAvg({
        fractionFit: config.fractionFit,
        minFitClients: config.minFitClients,
        fractionEvaluate: config.fractionEvaluate,
        minEvaluateClients: config.minEvaluateClients,
        fit: { localEpochs: config.localEpochs, batchSize: config.batchSize, learningRate: config.learningRate },
        serverLearningRate: config.strategy.serverLearningRate,
      });
    default:
      throw new ShoalError('VALIDATION_FAILED', `unknown strategy '${String(config.strategy.name)}'`);
  }
}
