/** The one error type of Shoal: a code from the table, an actionable message, and the cause. */
import { ERROR_CODES, httpStatusOf, isErrorCode, type ErrorCode } from './error-codes.js';

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class ShoalError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShoalError';
    this.code = code;
    this.details = options.details;
  }

  get httpStatus(): number {
    return httpStatusOf(this.code);
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Wraps anything thrown into a ShoalError; unknown failures become INTERNAL at the boundary. */
  static from(error: unknown): ShoalError {
    if (error instanceof ShoalError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ShoalError('INTERNAL', `Internal error: ${message}`, { cause: error });
  }

  static fromWire(wire: unknown): ShoalError {
    if (typeof wire === 'object' && wire !== null) {
      const { code, message, details } = wire as Record<string, unknown>;
      if (isErrorCode(code) && typeof message === 'string') {
        return new ShoalError(code, message, {
          details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : undefined,
        });
      }
    }
    return new ShoalError('INTERNAL', `Peer sent an unrecognised error: ${JSON.stringify(wire)}`);
  }
}

export { ERROR_CODES };
