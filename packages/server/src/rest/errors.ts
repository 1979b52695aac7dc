/** Express error handling: every failure leaves as { error: { code, message } } with the code's HTTP status. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { Logger } from 'pino';
import type { CoordinatorMetrics } from '../metrics.js';

/** body-parser reports its own failures with a `type`; map them to protocol codes. */
function fromBodyParser(error: unknown): ShoalError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const type = (error as { type: unknown }).type;
  if (type === 'entity.too.large') return new ShoalError('PAYLOAD_TOO_LARGE', 'request body exceeds the configured limit', { cause: error });
  if (type === 'entity.parse.failed') return new ShoalError('BAD_REQUEST', 'request body is not valid JSON', { cause: error });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new ShoalError('BAD_REQUEST', 'unsupported body encoding', { cause: error });
  return undefined;
}

export function errorHandler(logger: Logger, metrics: CoordinatorMetrics): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const failure = fromBodyParser(error) ?? ShoalError.from(error);
    metrics.rejectedMessages.inc({ code: failure.code });
    if (failure.code === 'INTERNAL') logger.error({ err: error, method: request.method, path: request.path }, failure.message);
    else logger.warn({ code: failure.code, method: request.method, path: request.path }, failure.message);
    response.locals['errorCode'] = failure.code;
    response.status(failure.httpStatus).json({ error: failure.toWire() });
  };
}

export const notFound: RequestHandler = (request, _response, next) => {
  next(new ShoalError('NOT_FOUND', `no endpoint ${request.method} ${request.path}`));
};

/** Parses a path segment as a non-negative integer or fails with BAD_REQUEST naming it. */
export function integerParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,9}$/.test(value)) throw new ShoalError('BAD_REQUEST', `${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}
