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

/** One update of a partial sum, as the leader records it. */
export interface PartialEntry extends Sketched {
  loss: number;
  accuracy: number | undefined;
}

/**
 * Part of a round aggregated elsewhere (one coordinator node's clients): Σ w·Δ over its updates, and each update's
 * weight, metrics and count sketch (made with the round's sketch seed, see `sketchSettings`).
 */
export interface PartialSum {
  sum: readonly Float32Array[];
  entries: readonly PartialEntry[];
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

  /** What a partial sum's sketches must be made with to be comparable with this round's. */
  sketchSettings(): { buckets: number; seed: number } {
    return { buckets: this.sketcher.buckets, seed: this.sketcher.seed };
  }

  /** Adds a partial sum as if each of its updates had been added here (to float32 rounding of the sum's order). */
  merge(partial: PartialSum): void {
    if (partial.entries.length === 0) return;
    this.addScaled(this.sum, partial.sum, 1);
    for (const entry of partial.entries) {
      const { clientId, weight, updateNorm, loss, accuracy, sketch } = entry;
      const envelope = { clientId, numExamples: weight, metrics: accuracy === undefined ? { loss } : { loss, accuracy }, values: [], l2Norm: updateNorm };
      checkWeight(envelope);
      this.metrics.record(envelope);
      if (this.perClient) this.sketched.push({ clientId, weight, updateNorm, sketch });
    }
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

/** A node's side of a hierarchical round: Σ w·Δ of its own clients' updates, with their entries, for the leader to merge. */
export class PartialSumAggregation {
  private sum: Float32Array[];
  private entries: PartialEntry[] = [];
  private readonly sketcher: CountSketch;

  constructor(
    private readonly lengths: readonly number[],
    sketch: { buckets: number; seed: number },
  ) {
    this.sum = lengths.map((length) => new Float32Array(length));
    this.sketcher = new CountSketch(sketch.buckets, { seed: sketch.seed });
  }

  get size(): number {
    return this.entries.length;
  }

  add(result: FitResultEnvelope): void {
    checkWeight(result);
    addScaled(this.sum, result.values, result.numExamples);
    const { clientId, numExamples: weight, l2Norm: updateNorm, metrics } = result;
    this.entries.push({ clientId, weight, updateNorm, loss: metrics.loss, accuracy: metrics.accuracy, sketch: this.sketcher.sketch(result.values) });
  }

  /** What was added since the last take, and a fresh start. */
  take(): PartialSum {
    const taken = { sum: this.sum, entries: this.entries };
    this.sum = this.lengths.map((length) => new Float32Array(length));
    this.entries = [];
    return taken;
  }
}
