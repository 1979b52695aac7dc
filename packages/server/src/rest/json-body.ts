/**
 * Reads a route's JSON body: anything wrong with it as sent (too large, corrupt compression, unsupported encoding or
 * charset, not JSON, cut off by the client) is a 4xx ShoalError saying what, never an internal error.
 */
import express, { type RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';

const ENCODINGS = 'gzip, deflate, br or identity';

/** body-parser's error `type`s, as protocol errors. */
function bodyError(error: unknown, limit: number, encoding: string): ShoalError {
  const { type, message, charset } = (typeof error === 'object' && error !== null ? error : {}) as { type?: unknown; message?: unknown; charset?: unknown };
  const cause = { cause: error };
  switch (type) {
    case 'entity.too.large':
      return new ShoalError('PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`, cause);
    case 'entity.parse.failed':
      return new ShoalError('BAD_REQUEST', `request body is not valid JSON: ${String(message)}`, cause);
    case 'encoding.unsupported':
      return new ShoalError('BAD_REQUEST', `Content-Encoding '${encoding}' is not supported; send ${ENCODINGS}`, cause);
    case 'charset.unsupported':
      return new ShoalError('BAD_REQUEST', `charset '${String(charset)}' is not supported; send JSON in UTF-8`, cause);
    case 'request.aborted':
      return new ShoalError('BAD_REQUEST', 'the client closed the connection before the request body was complete', cause);
    case 'request.size.invalid':
      return new ShoalError('BAD_REQUEST', 'the request body is not as long as its Content-Length says', cause);
  }
  // Untyped: the decompression stream failed (zlib's message, e.g. "incorrect header check"), or a reader error.
  if (encoding !== 'identity') return new ShoalError('BAD_REQUEST', `request body is not valid ${encoding} data: ${String(message)}`, cause);
  return new ShoalError('BAD_REQUEST', `the request body could not be read: ${String(message)}`, cause);
}

/** Whether `error` is a refusal of a body its client stopped sending: nobody is left to answer, so it is not worth a warning. */
export function isClientAbort(error: ShoalError): boolean {
  const cause: unknown = error.cause;
  return typeof cause === 'object' && cause !== null && (cause as { type?: unknown }).type === 'request.aborted';
}

/** Parses `application/json` bodies (any JSON value) up to `limit` bytes, as sent and as decompressed. */
export function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit, strict: false });
  return (request, response, next) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    const declared = Number(request.headers['content-length']);
    // body-parser would read a declared body to its end before refusing it; answer now (Node discards what follows).
    if (declared > limit) return next(new ShoalError('PAYLOAD_TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
    parse(request, response, (error?: unknown) => next(error === undefined ? undefined : bodyError(error, limit, encoding)));
  };
}

/** For a route that takes no body: none, or `{}` (the console sends it), so a field a client thinks it set is not ignored. */
export function noBody(what: string): RequestHandler {
  return (request, _response, next) => {
    const body: unknown = request.body;
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : undefined;
    if (body === undefined || fields?.length === 0) return next();
    // The same shape as a schema refusal (parseMessage), so the console shows it by field.
    const problems = fields === undefined ? [{ field: '/', message: 'must be absent or {}' }] : fields.slice(0, 10).map((field) => ({ field: `/${field}`, message: 'is not an allowed property' }));
    const summary = problems.map((problem) => `${problem.field} ${problem.message}`).join('; ');
    next(new ShoalError('VALIDATION_FAILED', `${what} takes no body: ${summary}`, { details: { problems } }));
  };
}
