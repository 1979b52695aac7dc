/** How frame functions report problems: FRAME_MALFORMED builders and tensor context on codec errors. */
import { ShoalError } from '@shoal/protocol';

export function malformed(message: string, details?: Record<string, unknown>): ShoalError {
  return new ShoalError('FRAME_MALFORMED', message, details === undefined ? {} : { details });
}

export interface TensorLocation {
  name: string;
  index: number;
  /** Where the tensor's bytes start, counted from the start of the frame; absent while encoding. */
  byteOffset?: number;
}

/**
 * Runs a codec step for one tensor and re-throws its ShoalError with the tensor's name and offset,
 * keeping the code; a non-ShoalError means a codec bug and becomes INTERNAL.
 */
export function inTensor<T>(location: TensorLocation, step: () => T): T {
  try {
    return step();
  } catch (error) {
    const details: Record<string, unknown> = { tensor: location.name, tensorIndex: location.index };
    if (location.byteOffset !== undefined) details['byteOffset'] = location.byteOffset;
    if (error instanceof ShoalError) {
      throw new ShoalError(error.code, `tensor '${location.name}': ${error.message}`, {
        cause: error,
        details: { ...error.details, ...details },
      });
    }
    throw new ShoalError('INTERNAL', `tensor '${location.name}': codec failed unexpectedly`, { cause: error, details });
  }
}
