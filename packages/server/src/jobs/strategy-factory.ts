/** Maps a job's config to its Strategy: the named strategy (with its normBound), wrapped for DP when the job has privacy. */
import { DifferentialPrivacyStrategy, createStrategyFromChoice, type Strategy } from '@shoal/strategy';
import type { JobConfig } from './job-config.js';
import { planPrivacy } from './privacy-config.js';
import { clipsOnClients } from './strategy-config.js';

/** Builds the job's strategy; `clipNorm` resumes a DP adaptive clip norm after a restart. */
export function createStrategy(config: JobConfig, resume: { clipNorm?: number } = {}): Strategy {
  const inner = createStrategyFromChoice(config.strategy, {
    fractionFit: config.fractionFit,
    minFitClients: config.minFitClients,
    ...(config.maxFitClients === undefined ? {} : { maxFitClients: config.maxFitClients }),
    fractionEvaluate: config.fractionEvaluate,
    minEvaluateClients: config.minEvaluateClients,
    fit: { localEpochs: config.localEpochs, batchSize: config.batchSize, learningRate: config.learningRate },
    clipsOnClients: clipsOnClients({ secureAggregation: config.secureAggregation !== undefined, privacy: config.privacy?.mode }),
  });
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
