/**
 * What a clipping wrapper did to each update, in add order, laid over the inner aggregation's diagnostics: the inner
 * saw the clipped update, but the record should show the norm the client sent and whether it was clipped.
 */
import type { UpdateDiagnostics } from './strategy.js';

export class ClipRecord {
  private readonly norms: number[] = [];
  private readonly clipped: boolean[] = [];

  note(originalNorm: number, clipped: boolean): void {
    this.norms.push(originalNorm);
    this.clipped.push(clipped);
  }

  get clippedCount(): number {
    return this.clipped.filter(Boolean).length;
  }

  get count(): number {
    return this.norms.length;
  }

  /** The inner diagnostics with the original norms and clip flags; left alone if they do not line up one to one. */
  apply(diagnostics: UpdateDiagnostics[] | undefined): UpdateDiagnostics[] | undefined {
    if (diagnostics === undefined || diagnostics.length !== this.norms.length) return diagnostics;
    return diagnostics.map((entry, i) => ({ ...entry, updateNorm: this.norms[i]!, clipped: this.clipped[i]! }));
  }
}
