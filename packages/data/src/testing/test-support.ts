/** Helpers for tests of data sets and partitions (@shoal/data/testing). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalError } from '@shoal/protocol';
import type { LabeledExamples } from '../examples.js';

/** Runs `action` and returns the ShoalError it threw; fails if it threw something else or nothing. */
export function shoalErrorFrom(action: () => unknown): ShoalError {
  try {
    action();
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw new Error(`expected a ShoalError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ShoalError, but nothing was thrown');
}

export function temporaryDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `shoal-data-${prefix}-`));
}

/** True when every index in 0..count-1 appears in exactly one of the parts. */
export function coversExactlyOnce(parts: ArrayLike<number>[], count: number): boolean {
  const seen = new Uint8Array(count);
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const index = part[i]!;
      if (index < 0 || index >= count || seen[index] === 1) return false;
      seen[index] = 1;
    }
  }
  return seen.every((flag) => flag === 1);
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/**
 * Exact equality of two data sets by comparing bytes; vitest's structural toEqual walks typed arrays
 * element by element and takes minutes on a full MNIST split.
 */
export function sameExamples(a: LabeledExamples, b: LabeledExamples): boolean {
  return (
    a.count === b.count &&
    a.numClasses === b.numClasses &&
    a.featureShape.join('x') === b.featureShape.join('x') &&
    sameBytes(a.features, b.features) &&
    sameBytes(a.labels, b.labels)
  );
}
