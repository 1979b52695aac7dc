/**
 * User-level DP-FedAvg (McMahan et al. 2018) as a wrapper around an inner strategy: Poisson client sampling, L2
 * clipping of each update (fixed, or adaptive after Andrew et al. 2021), and Gaussian noise calibrated to the clip norm.
 *
 * Estimator: with noise (z > 0) every participant counts once (uniform weights, so one user's influence is bounded
 * by C) and the sum is divided by the *expected* number of participants m = qN (McMahan's fixed-denominator
 * estimator), which makes the release exactly the Gaussian mechanism with sensitivity C that the accountant models:
 *   Δ = (Σ clip_C(Δ_k) + N(0, (z_Δ C)² I)) / m.
 * The inner strategy computes Σ clip(Δ_k)/n; this wrapper rescales it by n/m and adds the noise. With z = 0 the
 * inner's own weighting is kept, and with z = 0 and C = ∞ the inner result is returned unchanged.
 * In 'client' mode the clients clip and add their share of the noise (the server cannot see raw updates); the server
 * only applies uniform weights and the fixed denominator.
 * The noise is added after the inner step, so the inner must release only global + η·(weighted mean): a server
 * optimiser, a robust rule or an adaptive or centred norm bound would feed un-noised updates into what is released.
 */
import { clipFactor, cryptoUniform, gaussianSampler, nextClipNorm, updateNoiseMultiplier } from '@shoal/privacy';
import { ShoalError, type FitConfig } from '@shoal/protocol';
import { ClipRecord } from './clip-record.js';
import { mergeStates, readScalar, restoreInner, takeOwnState } from './strategy-state.js';
import type {
  ClientCandidate,
  ClientFailure,
  EvaluateOutcome,
  EvaluatePlan,
  EvaluateReport,
  FitAggregation,
  FitOutcome,
  FitPlan,
  FitResultEnvelope,
  RoundContext,
  Strategy,
  StrategyState,
} from './strategy.js';
import { allFinite } from './tensor-measures.js';
import { scaleInPlace } from './weighted-mean.js';

const PREFIX = 'privacy.';

export type ClippingOptions =
  | { kind: 'fixed'; clipNorm: number }
  | { kind: 'adaptive'; initialClipNorm: number; targetQuantile: number; learningRate: number; clippedCountStddev: number };

export interface DifferentialPrivacyOptions {
  mode: 'central' | 'client';
  /** z: noise std of the released sum divided by its sensitivity (for adaptive clipping, of both released sums combined). */
  noiseMultiplier: number;
  clipping: ClippingOptions;
  /** q: each available client takes part in a round with this probability (Poisson sampling). */
  samplingRate: number;
  /** m = q·N, the fixed denominator. */
  expectedClientsPerRound: number;
  /** In client mode, the fewest participants whose noise shares must add up to the target noise. */
  minParticipants: number;
  /** Uniform (0,1) source for sampling; defaults to the OS CSPRNG, since secret sampling is part of the guarantee. */
  uniform?: () => number;
  /** N(0,1) source for the noise; defaults to Box–Muller over the CSPRNG. */
  normal?: () => number;
}

export class DifferentialPrivacyStrategy implements Strategy {
  readonly name: string;
  private clipNorm: number;
  private readonly updateMultiplier: number;
  private readonly uniform: () => number;
  private readonly normal: () => number;

  constructor(
    private readonly inner: Strategy,
    private readonly options: DifferentialPrivacyOptions,
  ) {
    const { clipping, noiseMultiplier, samplingRate, expectedClientsPerRound } = options;
    if ('appliesWeightedMean' in inner && inner.appliesWeightedMean === false) {
      throw new ShoalError('VALIDATION_FAILED', `DP-FedAvg cannot wrap '${inner.name}': its server optimiser, robust rule or adaptive/centred norm bound would see un-noised updates`);
    }
    if (!(noiseMultiplier >= 0)) throw new ShoalError('VALIDATION_FAILED', 'noiseMultiplier must be >= 0');
    if (!(samplingRate > 0 && samplingRate <= 1)) throw new ShoalError('VALIDATION_FAILED', 'samplingRate must be in (0, 1]');
    if (!(expectedClientsPerRound > 0)) throw new ShoalError('VALIDATION_FAILED', 'expectedClientsPerRound must be > 0');
    this.clipNorm = clipping.kind === 'fixed' ? clipping.clipNorm : clipping.initialClipNorm;
    if (!(this.clipNorm > 0)) throw new ShoalError('VALIDATION_FAILED', 'the clip norm must be > 0');
    if (clipping.kind === 'adaptive' && options.mode === 'client') throw new ShoalError('VALIDATION_FAILED', 'adaptive clipping needs central mode');
    this.updateMultiplier = clipping.kind === 'adaptive' ? updateNoiseMultiplier(noiseMultiplier, clipping.clippedCountStddev) : noiseMultiplier;
    this.uniform = options.uniform ?? cryptoUniform;
    this.normal = options.normal ?? gaussianSampler(this.uniform);
    this.name = `dp-${options.mode}(${inner.name})`;
  }

  get currentClipNorm(): number {
    return this.clipNorm;
  }

  configureFit(context: RoundContext, available: readonly ClientCandidate[]): FitPlan | undefined {
    const innerPlan = this.inner.configureFit(context, available);
    if (innerPlan === undefined) return undefined;
    const eligible = available.filter((client) => client.numTrainExamples > 0);
    const clientIds = eligible.filter(() => this.uniform() < this.options.samplingRate).map((client) => client.id);
    const config: FitConfig = { ...innerPlan.config };
    if (this.options.mode === 'client') {
      const noiseStddev = (this.updateMultiplier * this.clipNorm) / Math.sqrt(this.options.minParticipants);
      Object.assign(config, { privacy: { clipNorm: this.clipNorm, noiseStddev } });
    }
    return { clientIds, config };
  }

  beginAggregation(context: RoundContext): FitAggregation {
    return new PrivateAggregation(this, this.inner.beginAggregation(context), context.globalWeights);
  }

  configureEvaluate(context: RoundContext, available: readonly ClientCandidate[]): EvaluatePlan | undefined {
    return this.inner.configureEvaluate(context, available);
  }

  aggregateEvaluate(results: readonly EvaluateReport[], failures: readonly ClientFailure[]): EvaluateOutcome | undefined {
    return this.inner.aggregateEvaluate(results, failures);
  }

  /** The adaptive clip norm under "privacy.clipNorm", with the inner strategy's state. */
  exportState(): StrategyState | undefined {
    const own: StrategyState = { scalars: {}, tensors: {} };
    if (this.options.clipping.kind === 'adaptive') own.scalars[`${PREFIX}clipNorm`] = this.clipNorm;
    return mergeStates(own, this.inner.exportState?.());
  }

  restoreState(state: StrategyState): void {
    const { own, rest } = takeOwnState(state, PREFIX);
    const unknown = [...Object.keys(own.scalars), ...Object.keys(own.tensors)].filter((key) => key !== `${PREFIX}clipNorm`);
    if (unknown.length > 0) throw new ShoalError('VALIDATION_FAILED', `DP-FedAvg has no state ${unknown.join(', ')}`);
    restoreInner(this.inner, rest);
    if (own.scalars[`${PREFIX}clipNorm`] !== undefined) this.clipNorm = readScalar(own, `${PREFIX}clipNorm`, (value) => value > 0 && Number.isFinite(value));
  }

  /** @internal the per-round pieces PrivateAggregation needs. */
  roundParameters() {
    return {
      mode: this.options.mode,
      clipNorm: this.clipNorm,
      noisy: this.options.noiseMultiplier > 0,
      noiseStddev: this.options.mode === 'central' ? this.updateMultiplier * this.clipNorm : 0,
      denominator: this.options.expectedClientsPerRound,
      normal: this.normal,
      clipping: this.options.clipping,
    };
  }

  /** @internal adaptive clipping: move C towards the target quantile using the noised unclipped fraction. */
  adaptClipNorm(unclippedFraction: number): number {
    const clipping = this.options.clipping;
    if (clipping.kind === 'adaptive') {
      this.clipNorm = nextClipNorm({ clipNorm: this.clipNorm, targetQuantile: clipping.targetQuantile, learningRate: clipping.learningRate }, unclippedFraction);
    }
    return this.clipNorm;
  }
}

class PrivateAggregation implements FitAggregation {
  private participants = 0;
  private unclipped = 0;
  private readonly record = new ClipRecord();
  private readonly round: ReturnType<DifferentialPrivacyStrategy['roundParameters']>;

  constructor(
    private readonly strategy: DifferentialPrivacyStrategy,
    private readonly inner: FitAggregation,
    private readonly globalWeights: readonly Float32Array[],
  ) {
    this.round = strategy.roundParameters();
  }

  add(result: FitResultEnvelope): void {
    const { mode, clipNorm, noisy } = this.round;
    const factor = mode === 'central' ? clipFactor(result.l2Norm, clipNorm) : 1;
    if (factor < 1) scaleInPlace(result.values, factor);
    // A secure-aggregation sum of k uniformly weighted clients counts as k participants (client mode only).
    const count = result.participants ?? 1;
    this.inner.add({ ...result, numExamples: noisy || mode === 'client' ? count : result.numExamples, l2Norm: result.l2Norm * factor });
    this.record.note(result.l2Norm, factor < 1);
    this.participants += count;
    if (factor === 1) this.unclipped += count;
  }

  finish(failures: readonly ClientFailure[]): FitOutcome {
    const outcome = this.inner.finish(failures);
    const { mode, noisy, noiseStddev, denominator, normal, clipNorm, clipping } = this.round;
    let nextClip = clipNorm;
    if (clipping.kind === 'adaptive' && this.participants > 0) {
      const noisyCount = this.unclipped + clipping.clippedCountStddev * normal();
      nextClip = this.strategy.adaptClipNorm(noisyCount / denominator);
    }
    const privacy = { clipNorm, noiseStddev: noisy ? noiseStddev : 0, participants: this.participants, nextClipNorm: nextClip };
    const diagnostics = this.record.apply(outcome.diagnostics);
    const released = { ...outcome, privacy, ...(diagnostics === undefined ? {} : { diagnostics }) };
    if (outcome.weights === undefined || !(noisy || mode === 'client')) return released;
    const scale = this.participants / denominator;
    const weights = outcome.weights.map((tensor, t) => {
      const global = this.globalWeights[t]!;
      const result = new Float32Array(tensor.length);
      for (let i = 0; i < tensor.length; i++) {
        const noise = mode === 'central' ? (noiseStddev * normal()) / denominator : 0;
        result[i] = global[i]! + scale * (tensor[i]! - global[i]!) + noise;
      }
      return result;
    });
    return { ...released, weights: allFinite(weights) ? weights : undefined };
  }
}
