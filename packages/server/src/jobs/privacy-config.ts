/** Validation of a job's DP settings beyond the schema, and the accountant view of them. */
import { RdpAccountant, updateNoiseMultiplier } from '@shoal/privacy';
import { ShoalError, type PrivacySettings } from '@shoal/protocol';

/** δ must be well below 1/N: at most this fraction of 1/N. */
export const MAX_DELTA_TIMES_POPULATION = 0.1;

export const ADAPTIVE_DEFAULTS = { learningRate: 0.2, clippedCountStddevFraction: 0.05 } as const;

function fieldError(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { problems: [{ field, message }] } });
}

export interface PrivacyPlan {
  settings: PrivacySettings;
  /** m = q·N */
  expectedClientsPerRound: number;
  adaptive: { targetQuantile: number; learningRate: number; clippedCountStddev: number } | undefined;
}

/** Checks what JSON Schema cannot express and fills the adaptive-clipping defaults. */
export function planPrivacy(settings: PrivacySettings, context: { serverLearningRate: number }): PrivacyPlan {
  const { accountant, samplingRate, noiseMultiplier, clipping } = settings;
  if (accountant.delta * accountant.populationSize > MAX_DELTA_TIMES_POPULATION) {
    throw fieldError(
      '/privacy/accountant/delta',
      `(${accountant.delta}) must be well below 1/populationSize = 1/${accountant.populationSize}: at most ${MAX_DELTA_TIMES_POPULATION / accountant.populationSize}`,
    );
  }
  const expectedClientsPerRound = samplingRate * accountant.populationSize;
  if (expectedClientsPerRound < 1) {
    throw fieldError('/privacy/samplingRate', `(${samplingRate}) × populationSize (${accountant.populationSize}) must be at least 1 expected client per round`);
  }
  if (noiseMultiplier > 0 && context.serverLearningRate !== 1) {
    throw fieldError('/strategy/serverLearningRate', 'must be 1 when DP noise is added (the noise is calibrated to the mean update)');
  }
  let adaptive: PrivacyPlan['adaptive'];
  if (clipping.adaptive !== undefined) {
    if (settings.mode === 'client') throw fieldError('/privacy/clipping/adaptive', 'needs mode "central" (the server must see update norms)');
    adaptive = {
      targetQuantile: clipping.adaptive.targetQuantile,
      learningRate: clipping.adaptive.learningRate ?? ADAPTIVE_DEFAULTS.learningRate,
      clippedCountStddev: clipping.adaptive.clippedCountStddev ?? ADAPTIVE_DEFAULTS.clippedCountStddevFraction * expectedClientsPerRound,
    };
    try {
      updateNoiseMultiplier(noiseMultiplier, adaptive.clippedCountStddev);
    } catch (error) {
      throw fieldError('/privacy/clipping/adaptive/clippedCountStddev', (error as Error).message);
    }
  }
  return { settings, expectedClientsPerRound, adaptive };
}

/** ε spent after `rounds` released rounds of this job. */
export function epsilonAfter(settings: PrivacySettings, rounds: number): number {
  if (rounds === 0) return 0;
  return RdpAccountant.epsilonAfter({ samplingRate: settings.samplingRate, noiseMultiplier: settings.noiseMultiplier }, rounds, settings.accountant.delta);
}
