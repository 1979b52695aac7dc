/**
 * One round of a norm bound: clips each update's values in place (the envelope's arrays are the coordinator's to
 * reuse, so changing them before passing them on costs nothing), fixes l2Norm to match, and, when centred, keeps the
 * example-weighted mean of the bounded updates as the next round's centre: for a mean rule that is exactly the round's
 * aggregate update Δ̄ (Karimireddy's centred clipping), for a robust rule the mean of what it chose from.
 */
import { ShoalError } from '@shoal/protocol';
import { clipFactor, l2Norm } from '@shoal/privacy';
import { ClipRecord } from './clip-record.js';
import type { ClientFailure, FitAggregation, FitOutcome, FitResultEnvelope, SumKernels } from './strategy.js';
import { allFinite } from './tensor-measures.js';
import { addScaled, scaleInPlace, zerosLike } from './weighted-mean.js';

/** What one round of a norm bound applies. */
export interface NormBoundRound {
  clipNorm: number;
  centre: readonly Float32Array[] | undefined;
  centred: boolean;
  clientSide: boolean;
}

export class NormBoundAggregation implements FitAggregation {
  private readonly record = new ClipRecord();
  private centreSum: Float32Array[] | undefined;
  private centreWeight = 0;
  private readonly addScaled: SumKernels['addScaled'];

  constructor(
    private readonly inner: FitAggregation,
    private readonly round: NormBoundRound,
    private readonly commit: (next: { unclippedFraction: number | undefined; centre: Float32Array[] | undefined }) => void,
    private readonly kernels?: SumKernels,
  ) {
    this.addScaled = kernels?.addScaled ?? addScaled;
  }

  add(result: FitResultEnvelope): void {
    if (this.round.clientSide) {
      // The client clipped; whether it had to is not visible here.
      this.record.note(result.l2Norm, false);
      this.inner.add(result);
      return;
    }
    if ((result.participants ?? 1) > 1) throw new ShoalError('VALIDATION_FAILED', 'a sum of several clients cannot be norm-bounded by the coordinator; use a clientSide normBound');
    const { clipNorm, centre, centred } = this.round;
    const values = result.values;
    let boundedNorm: number;
    let clipped: boolean;
    if (centred) {
      if (centre !== undefined) this.addScaled(values, centre, -1);
      const factor = clipFactor(l2Norm(values), clipNorm);
      if (factor < 1) scaleInPlace(values, factor);
      if (centre !== undefined) this.addScaled(values, centre, 1);
      boundedNorm = l2Norm(values);
      clipped = factor < 1;
      this.centreSum ??= this.kernels?.allocate(values.map((tensor) => tensor.length)) ?? zerosLike(values);
      this.addScaled(this.centreSum, values, result.numExamples);
      this.centreWeight += result.numExamples;
    } else {
      const factor = clipFactor(result.l2Norm, clipNorm);
      if (factor < 1) scaleInPlace(values, factor);
      boundedNorm = result.l2Norm * factor;
      clipped = factor < 1;
    }
    this.record.note(result.l2Norm, clipped);
    this.inner.add({ ...result, l2Norm: boundedNorm });
  }

  finish(failures: readonly ClientFailure[]): FitOutcome {
    const outcome = this.inner.finish(failures);
    const { clientSide, clipNorm } = this.round;
    if (outcome.weights !== undefined) {
      const seen = this.record.count;
      const centre = this.centreSum !== undefined && this.centreWeight > 0 ? this.centreSum : undefined;
      if (centre !== undefined) scaleInPlace(centre, 1 / this.centreWeight);
      this.commit({
        unclippedFraction: clientSide || seen === 0 ? undefined : (seen - this.record.clippedCount) / seen,
        centre: centre !== undefined && allFinite(centre) ? centre : undefined,
      });
    }
    const metrics = { ...outcome.metrics, strategyClipNorm: clipNorm, ...(clientSide ? {} : { clippedUpdates: this.record.clippedCount }) };
    const diagnostics = this.record.apply(outcome.diagnostics);
    return { ...outcome, metrics, ...(diagnostics === undefined ? {} : { diagnostics }) };
  }
}
