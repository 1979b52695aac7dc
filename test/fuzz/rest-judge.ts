/**
 * Judges one exchange against rest.md and errors.md: facts that do not depend on timing or on the server's state —
 * no 5xx, every error a documented code with its status in the error-response shape, no success a caller's role does
 * not allow, and 401 for anonymous callers everywhere under /api/v1 but the public routes.
 */
import { httpStatusOf, isErrorCode, isValidMessage } from '@shoal/protocol';
import type { RawOutcome } from './raw-http.js';
import type { FuzzRequest } from './rest-requests.js';
import { API_PREFIX, documentedRoute, isAnonymous, lenientRoute, mayCall } from './rest-routes.js';

export type FindingKind =
  | 'server-error'
  | 'undocumented-code'
  | 'malformed-error'
  | 'status-mismatch'
  | 'authorization'
  | 'anonymous-not-401'
  | 'undocumented-success'
  | 'no-response'
  | 'hang';

export const FINDING_KINDS: readonly FindingKind[] = ['server-error', 'undocumented-code', 'malformed-error', 'status-mismatch', 'authorization', 'anonymous-not-401', 'undocumented-success', 'no-response', 'hang'];

export interface Finding {
  kind: FindingKind;
  detail: string;
}

/** The error's code, when the body is the error-response document (undefined for HEAD, which has no body). */
export function errorCodeOf(outcome: RawOutcome): string | undefined {
  if (outcome.kind !== 'response' || outcome.status < 400 || outcome.body.length === 0) return undefined;
  try {
    const body = JSON.parse(outcome.body.toString('utf8')) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

function errorFindings(request: FuzzRequest, status: number, body: Buffer): Finding[] {
  if (request.method === 'HEAD') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return [{ kind: 'malformed-error', detail: `status ${status} with a body that is not JSON: ${JSON.stringify(body.subarray(0, 120).toString('utf8'))}` }];
  }
  const code: unknown = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
  if (!isErrorCode(code)) return [{ kind: 'undocumented-code', detail: `status ${status} with code ${JSON.stringify(code)}` }];
  const findings: Finding[] = [];
  if (!isValidMessage('error-response', parsed)) findings.push({ kind: 'malformed-error', detail: `status ${status}: ${JSON.stringify(parsed).slice(0, 200)} is not an error-response` });
  if (httpStatusOf(code) !== status) findings.push({ kind: 'status-mismatch', detail: `${code} sent with status ${status}, errors.md says ${httpStatusOf(code)}` });
  return findings;
}

export function judge(request: FuzzRequest, outcome: RawOutcome): Finding[] {
  if (outcome.kind === 'aborted') return [];
  if (outcome.kind === 'hang') return [{ kind: 'hang', detail: 'no answer before the hang guard' }];
  if (outcome.kind === 'no-response') return [{ kind: 'no-response', detail: `the connection ended without an answer: ${outcome.error}` }];
  const { status } = outcome;
  const rawPath = request.path.split('?')[0]!;
  const route = documentedRoute(request.method, rawPath);
  const findings: Finding[] = [];
  if (status >= 500) findings.push({ kind: 'server-error', detail: `status ${status}: ${outcome.body.subarray(0, 300).toString('utf8')}` });
  if (status >= 400) findings.push(...errorFindings(request, status, outcome.body));
  const underApi = rawPath === API_PREFIX || rawPath.startsWith(`${API_PREFIX}/`);
  const isPublic = route?.allowed === 'anyone';
  if (isAnonymous(request.caller) && underApi && !isPublic && status !== 401) {
    findings.push({ kind: 'anonymous-not-401', detail: `an anonymous caller got ${status} (${errorCodeOf(outcome) ?? 'no code'})` });
  }
  if (status < 400) {
    if (route === undefined) {
      // A router took a spelling rest.md does not have; a way around the role checks if that route is not the caller's.
      const taken = lenientRoute(request.method, rawPath);
      const bypass = taken !== undefined && !mayCall(request.caller, taken, request.method === 'OPTIONS' ? 'GET' : request.method);
      findings.push(
        bypass
          ? { kind: 'authorization', detail: `${request.caller} got ${status} on a spelling of ${taken.method} ${taken.template}, which rest.md allows to ${taken.allowed}` }
          : { kind: 'undocumented-success', detail: `${request.caller} got ${status} on a path rest.md does not document` },
      );
    } else if (!mayCall(request.caller, route, request.method)) {
      findings.push({ kind: 'authorization', detail: `${request.caller} got ${status} on ${route.method} ${route.template}, which rest.md allows to ${route.allowed}` });
    }
  }
  return findings;
}
