/** Test support: runs a step and reports the ShoalError code it threw, so tests can assert on codes. */
import { ShoalError } from '@shoal/protocol';

/** undefined when `run` returns; the code for a ShoalError; a 'not a ShoalError' marker otherwise. */
export function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ShoalError ? error.code : `not a ShoalError: ${String(error)}`;
  }
}

/** The ShoalError `run` throws; fails the test if it returns or throws anything else. */
export function shoalErrorOf(run: () => unknown): ShoalError {
  try {
    run();
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw new Error(`expected a ShoalError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ShoalError, but the call returned');
}
