/** Checks every codec runs on its arguments: params, element counts, byte lengths, targets and finiteness. */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams } from './codec.js';

/** Refuses a params value that is not a plain object or that names a param the codec does not have. */
export function refuseUnknownParams(codecId: string, params: unknown, allowed: readonly string[]): asserts params is CodecParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ShoalError('VALIDATION_FAILED', `codec '${codecId}' params must be a JSON object`, { details: { codec: codecId } });
  }
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const known = allowed.length === 0 ? 'it takes no params' : `it takes ${allowed.join(', ')}`;
      throw new ShoalError('VALIDATION_FAILED', `codec '${codecId}' has no param '${key}'; ${known}`, {
        details: { codec: codecId, param: key },
      });
    }
  }
}

export function checkElementCount(codecId: string, elementCount: number): void {
  if (!Number.isSafeInteger(elementCount) || elementCount < 0) {
    throw new ShoalError('VALIDATION_FAILED', `codec '${codecId}': element count must be a non-negative integer, got ${elementCount}`);
  }
}

export function checkByteLength(codecId: string, bytes: Uint8Array, elementCount: number, expected: number): void {
  if (bytes.length !== expected) {
    throw new ShoalError(
      'FRAME_MALFORMED',
      `${codecId} tensor bytes are ${bytes.length} long; ${elementCount} elements need exactly ${expected}`,
      { details: { byteLength: bytes.length, expectedByteLength: expected, elementCount } },
    );
  }
}

export function checkTarget(codecId: string, target: Float32Array, elementCount: number, weight: number): void {
  if (target.length !== elementCount) {
    throw new ShoalError('SHAPE_MISMATCH', `${codecId} decode target has ${target.length} elements; the tensor has ${elementCount}`);
  }
  if (!Number.isFinite(weight)) {
    throw new ShoalError('VALIDATION_FAILED', `accumulation weight must be a finite number, got ${weight}`);
  }
}

/** Throws NON_FINITE_VALUES at the first NaN or ±Infinity, so nothing non-finite is ever put on the wire. */
export function refuseNonFiniteInput(codecId: string, values: Float32Array): void {
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isFinite(value)) {
      throw new ShoalError('NON_FINITE_VALUES', `cannot encode with ${codecId}: value at index ${index} is ${value}`, {
        details: { index },
      });
    }
  }
}
