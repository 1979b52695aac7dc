/** Express error handling: every failure leaves as { error: { code, message } } with the code's HTTP status. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { Logger } from 'pino';
import type { CoordinatorMetrics } from '../metrics.js';
import { isClientAbort } from './json-body.js';

/**
 * Express and its helpers report a client's mistake as an error with a 4xx `status` (a path that does not decode, a
 * static file that is not there); those are the client's, not internal. The API's own failures are ShoalErrors already.
 */
function fromHttpError(error: unknown): ShoalError | undefined {
  if (error instanceof ShoalError || typeof error !== 'object' || error === null) return undefined;
  const { status, message } = error as { status?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const text = typeof message === 'string' ? message : `HTTP ${status}`;
  const code = status === 404 ? 'NOT_FOUND' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
  return new ShoalError(code, text, { cause: error });
}

export function errorHandler(logger: Logger, metrics: CoordinatorMetrics): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const failure = fromHttpError(error) ?? ShoalError.from(error);
    metrics.rejectedMessages.inc({ code: failure.code });
    const where = { code: failure.code, method: request.method, path: request.path };
    if (failure.code === 'INTERNAL') logger.error({ err: error, method: request.method, path: request.path }, failure.message);
    // A client that hung up mid-body is not a fault of either side worth a warning, and no one reads the answer.
    else if (isClientAbort(failure)) logger.debug(where, failure.message);
    else logger.warn(where, failure.message);
    response.locals['errorCode'] = failure.code;
    response.status(failure.httpStatus).json({ error: failure.toWire() });
  };
}

export const notFound: RequestHandler = (request, _response, next) => {
  next(new ShoalError('NOT_FOUND', `no endpoint ${request.method} ${request.path}`));
};

/** Parses a path segment as a non-negative integer or fails with BAD_REQUEST naming it. */
export function integerParam(value: unknown, name: string): number {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw new ShoalError('BAD_REQUEST', `${name} must be a non-negative integer, got '${String(value)}'`);
  return Number(value);
}
