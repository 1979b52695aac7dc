/**
 * Norm bounding as a wrapper around any strategy: each update is clipped to L2 norm C before the inner strategy sees it
 * (Sun et al. 2019). C is fixed, or adapts each round towards a target quantile of the update norms with Andrew et
 * al.'s geometric rule (without noise: this is robustness, not privacy). Centred, it clips Δ − v around the previous
 * round's aggregate v (Karimireddy et al. 2021): Δ' = v + clip_C(Δ − v), with v = 0 in the first round. When the
 * coordinator cannot see single updates (secure aggregation, client-mode DP) the clients clip to C instead.
 */
import { ShoalError } from '@shoal/protocol';
import { nextClipNorm } from '@shoal/privacy';
import type { ComposedStrategy } from './federated-strategy.js';
import { NormBoundAggregation, type NormBoundRound } from './norm-bound-aggregation.js';
import { mergeStates, readScalar, readTensors, restoreInner, takeOwnState } from './strategy-state.js';
import type {
  ClientCandidate,
  ClientFailure,
  EvaluateOutcome,
  EvaluatePlan,
  EvaluateReport,
  FitAggregation,
  FitPlan,
  RoundContext,
  Strategy,
  StrategyState,
} from './strategy.js';

export interface NormBoundOptions {
  /** C, or the first round's C when adaptive. */
  clipNorm: number;
  /** Move C towards this quantile of the round's update norms, by a geometric step of `learningRate` per round. */
  adaptive?: { targetQuantile: number; learningRate: number };
  /** Clip around the previous round's aggregate update. */
  centred?: boolean;
  /** The clients clip (updateClipNorm in the FitConfig); the coordinator only reports C. */
  clientSide?: boolean;
}

/** The C and centre a round uses, fixed when it begins. */
const PREFIX = 'normBound.';

type Inner = Strategy & Partial<Pick<ComposedStrategy, 'holdsEveryUpdate' | 'appliesWeightedMean' | 'heldBytesPerUpdate'>>;

export class NormBoundStrategy implements ComposedStrategy {
  readonly name: string;
  private clipNorm: number;
  private centre: Float32Array[] | undefined;

  constructor(
    private readonly inner: Inner,
    private readonly options: NormBoundOptions,
  ) {
    const { clipNorm, adaptive, centred, clientSide } = options;
    if (!(clipNorm > 0 && Number.isFinite(clipNorm))) throw new ShoalError('VALIDATION_FAILED', `normBound clipNorm must be a finite number > 0, got ${clipNorm}`);
    if (adaptive !== undefined) {
      if (!(adaptive.targetQuantile > 0 && adaptive.targetQuantile < 1)) throw new ShoalError('VALIDATION_FAILED', `normBound targetQuantile must be in (0, 1), got ${adaptive.targetQuantile}`);
      if (!(adaptive.learningRate > 0 && Number.isFinite(adaptive.learningRate))) throw new ShoalError('VALIDATION_FAILED', `normBound learningRate must be > 0, got ${adaptive.learningRate}`);
    }
    if (clientSide === true && adaptive !== undefined) throw new ShoalError('VALIDATION_FAILED', 'an adaptive normBound needs the coordinator to see update norms; it cannot be clientSide');
    if (clientSide === true && centred === true) throw new ShoalError('VALIDATION_FAILED', 'a centred normBound needs the coordinator to see each update; it cannot be clientSide');
    this.clipNorm = clipNorm;
    this.name = `normbound(${inner.name})`;
  }

  get currentClipNorm(): number {
    return this.clipNorm;
  }

  get holdsEveryUpdate(): boolean {
    return this.inner.holdsEveryUpdate ?? false;
  }

  /** Only a fixed, uncentred bound keeps the release a function of this round's clipped mean alone. */
  get appliesWeightedMean(): boolean {
    return this.inner.appliesWeightedMean !== false && this.options.adaptive === undefined && this.options.centred !== true;
  }

  /** The inner's bytes; the bound adds nothing per update (a centred one keeps one model-sized sum per round). */
  heldBytesPerUpdate(parameterCount: number): number {
    return this.inner.heldBytesPerUpdate?.(parameterCount) ?? 0;
  }

  configureFit(context: RoundContext, available: readonly ClientCandidate[]): FitPlan | undefined {
    const plan = this.inner.configureFit(context, available);
    if (plan === undefined || this.options.clientSide !== true) return plan;
    return { ...plan, config: { ...plan.config, updateClipNorm: this.clipNorm } };
  }

  beginAggregation(context: RoundContext): FitAggregation {
    const round: NormBoundRound = { clipNorm: this.clipNorm, centre: this.centre, centred: this.options.centred === true, clientSide: this.options.clientSide === true };
    return new NormBoundAggregation(this.inner.beginAggregation(context), round, (next) => this.commit(next), context.kernels);
  }

  configureEvaluate(context: RoundContext, available: readonly ClientCandidate[]): EvaluatePlan | undefined {
    return this.inner.configureEvaluate(context, available);
  }

  aggregateEvaluate(results: readonly EvaluateReport[], failures: readonly ClientFailure[]): EvaluateOutcome | undefined {
    return this.inner.aggregateEvaluate(results, failures);
  }

  exportState(): StrategyState | undefined {
    const own: StrategyState = { scalars: {}, tensors: {} };
    if (this.options.adaptive !== undefined) own.scalars[`${PREFIX}clipNorm`] = this.clipNorm;
    if (this.centre !== undefined) own.tensors[`${PREFIX}centre`] = this.centre;
    return mergeStates(own, this.inner.exportState?.());
  }

  restoreState(state: StrategyState): void {
    const { own, rest } = takeOwnState(state, PREFIX);
    const known = [`${PREFIX}clipNorm`, `${PREFIX}centre`];
    const unknown = [...Object.keys(own.scalars), ...Object.keys(own.tensors)].filter((key) => !known.includes(key));
    if (unknown.length > 0) throw new ShoalError('VALIDATION_FAILED', `a normBound has no state ${unknown.join(', ')}`);
    restoreInner(this.inner, rest);
    if (own.scalars[`${PREFIX}clipNorm`] !== undefined) this.clipNorm = readScalar(own, `${PREFIX}clipNorm`, (value) => value > 0 && Number.isFinite(value));
    this.centre = readTensors(own, `${PREFIX}centre`) ?? this.centre;
  }

  /** Called by a round that produced a model: what the next round starts from (an unreleased round changes nothing). */
  private commit(next: { unclippedFraction: number | undefined; centre: Float32Array[] | undefined }): void {
    const adaptive = this.options.adaptive;
    if (adaptive !== undefined && next.unclippedFraction !== undefined) {
      this.clipNorm = nextClipNorm({ clipNorm: this.clipNorm, targetQuantile: adaptive.targetQuantile, learningRate: adaptive.learningRate }, next.unclippedFraction);
    }
    if (next.centre !== undefined) this.centre = next.centre;
  }
}
