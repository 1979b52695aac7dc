/** Refuses a path whose percent-escapes do not decode (`%ff`, `%`, `%c3%28`), which Express would report as an internal error. */
import type { Request } from 'express';
import { ShoalError } from '@shoal/protocol';

const SHOWN_CHARACTERS = 80;

/** BAD_REQUEST naming the first segment that is not valid percent-encoded UTF-8, or undefined when every one decodes. */
export function malformedPath(request: Request): ShoalError | undefined {
  if (!request.path.includes('%')) return undefined;
  for (const segment of request.path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      const shown = segment.length > SHOWN_CHARACTERS ? `${segment.slice(0, SHOWN_CHARACTERS)}…` : segment;
      return new ShoalError('BAD_REQUEST', `path segment '${shown}' is not valid percent-encoded UTF-8`);
    }
  }
  return undefined;
}
