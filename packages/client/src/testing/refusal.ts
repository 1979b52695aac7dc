/** The ShoalError an action throws or rejects with, for this package's tests; anything else fails the test. */
import { ShoalError } from '@shoal/protocol';

export async function refusalOf(action: () => unknown): Promise<ShoalError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw error;
  }
  throw new Error('expected a ShoalError, but nothing was thrown');
}
