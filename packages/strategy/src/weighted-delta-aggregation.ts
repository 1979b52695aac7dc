/**
 * The streaming weighted mean of a round (FedAvg and every mean-based strategy): keeps Σ n_k·Δ_k, Σ n_k and one
 * k-float count sketch per update, so memory is O(model) whatever the number of clients, and still estimates each
 * update's distance to the mean for the diagnostics.
 */
import { CountSketch, meanSketch, sketchDistance } from './count-sketch.js';
import type { ClientFailure, FitAggregation, FitOutcome, FitResultEnvelope, RoundContext, SumKernels, UpdateDiagnostics } from './strategy.js';
import { allFinite } from './tensor-measures.js';
import { TrainMetrics, checkWeight } from './train-metrics.js';
import { addScaled, scaleInPlace, zerosLike } from './weighted-mean.js';

export interface WeightedDeltaAggregationOptions {
  globalWeights: readonly Float32Array[];
  /** Turns the round's mean update into new weights (the server optimiser); undefined keeps the current model. */
  step: (update: readonly Float32Array[]) => Float32Array[] | undefined;
  kernels?: RoundContext['kernels'];
  /** k for the distance sketches (a power of two; default 2048). */
  sketchBuckets?: number;
  /** Seeds the sketches' hash (which coordinates they sample); default: Math.random. */
  sketchSeed?: number;
}

interface Sketched {
  clientId: string;
  weight: number;
  updateNorm: number;
  sketch: Float32Array;
}

export class WeightedDeltaAggregation implements FitAggregation {
  private readonly sum: Float32Array[];
  private readonly addScaled: SumKernels['addScaled'];
  private readonly metrics = new TrainMetrics();
  private readonly sketcher: CountSketch;
  private readonly sketched: Sketched[] = [];
  /** False once a secure-aggregation sum arrives: one envelope for many clients has no per-client distance. */
  private perClient = true;

  constructor(private readonly options: WeightedDeltaAggregationOptions) {
    const lengths = options.globalWeights.map((tensor) => tensor.length);
    this.sum = options.kernels?.allocate(lengths) ?? zerosLike(options.globalWeights);
    this.addScaled = options.kernels?.addScaled ?? addScaled;
    this.sketcher = new CountSketch(options.sketchBuckets, { ...(options.sketchSeed === undefined ? {} : { seed: options.sketchSeed }) });
  }

  add(result: FitResultEnvelope): void {
    checkWeight(result);
    this.addScaled(this.sum, result.values, result.numExamples);
    this.metrics.record(result);
    if ((result.participants ?? 1) > 1) this.perClient = false;
    if (this.perClient) this.sketched.push({ clientId: result.clientId, weight: result.numExamples, updateNorm: result.l2Norm, sketch: this.sketcher.sketch(result.values) });
  }

  finish(_failures: readonly ClientFailure[]): FitOutcome {
    if (this.metrics.examples === 0) return { weights: undefined, metrics: { examples: 0 } };
    scaleInPlace(this.sum, 1 / this.metrics.examples);
    const finite = allFinite(this.sum);
    const weights = finite ? this.options.step(this.sum) : undefined;
    return { weights, metrics: this.metrics.summary(), ...(this.perClient ? { diagnostics: this.diagnostics(finite) } : {}) };
  }

  private diagnostics(finite: boolean): UpdateDiagnostics[] {
    const mean = finite ? meanSketch(this.sketched, this.sketcher.buckets) : undefined;
    return this.sketched.map((entry) => ({
      clientId: entry.clientId,
      weight: entry.weight,
      updateNorm: entry.updateNorm,
      distanceToAggregate: mean === undefined ? undefined : sketchDistance(entry.sketch, mean),
      clipped: false,
    }));
  }
}
