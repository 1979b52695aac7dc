/**
 * The REST API as protocols/v1/rest.md documents it, written out independently of the server's code so that it can
 * judge the server: every route, who may call it, and a valid body to mutate.
 */

/** Who a request presents itself as. The bad and missing credentials are all anonymous to the server. */
export type Caller = 'none' | 'bad-bearer' | 'bad-cookie' | 'malformed-authorization' | 'viewer' | 'admin' | 'admin-cookie' | 'admin-cookie-foreign' | 'device';

/** Whom rest.md's "Credentials and roles" lets call a route. */
export type Allowed = 'anyone' | 'signed-in' | 'device' | 'viewer' | 'admin';

/** Values the fuzzer fills path parameters and bodies with: ids that exist (given, or created during the run). */
export type IdPool = Map<string, string[]>;

export interface DocumentedRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below /api/v1; `{name}` is a parameter (one segment). */
  template: string;
  allowed: Allowed;
  /** Query parameters the route reads, for query mutations. */
  query?: readonly string[];
  /** A body the route accepts (given ids that exist). */
  body?: (ids: IdPool) => unknown;
  /** A valid body would start expensive work (an edge artifact build): the fuzzer only ever sends broken ones. */
  neverValid?: boolean;
}

const first = (ids: IdPool, name: string, fallback: string): string => ids.get(name)?.[0] ?? fallback;
const PUBLIC_KEY = `${'A'.repeat(42)}E=`;
const SIGNATURE = `${'A'.repeat(86)}==`;

export const DOCUMENTED_ROUTES: readonly DocumentedRoute[] = [
  { method: 'GET', template: '/info', allowed: 'anyone' },
  { method: 'POST', template: '/session', allowed: 'anyone', body: (ids) => ({ token: first(ids, 'viewerToken', 'not-a-token') }) },
  { method: 'GET', template: '/session', allowed: 'signed-in' },
  { method: 'DELETE', template: '/session', allowed: 'signed-in' },
  { method: 'POST', template: '/tokens', allowed: 'admin', body: () => ({ name: 'fuzz token', role: 'viewer' }) },
  { method: 'GET', template: '/tokens', allowed: 'admin' },
  { method: 'DELETE', template: '/tokens/{tokenId}', allowed: 'admin' },
  { method: 'POST', template: '/join-tokens', allowed: 'admin', body: () => ({ uses: 1, ttlMs: 60_000, labels: ['fuzz'] }) },
  { method: 'GET', template: '/join-tokens', allowed: 'admin' },
  { method: 'DELETE', template: '/join-tokens/{joinTokenId}', allowed: 'admin' },
  { method: 'POST', template: '/devices', allowed: 'anyone', body: () => ({ joinToken: 'fuzz-join-token', publicKey: PUBLIC_KEY, signature: SIGNATURE, name: 'fuzz device' }) },
  { method: 'GET', template: '/devices', allowed: 'viewer' },
  { method: 'POST', template: '/devices/{clientId}/revoke', allowed: 'admin', body: () => ({}) },
  { method: 'GET', template: '/audit', allowed: 'viewer', query: ['limit', 'before'] },
  { method: 'GET', template: '/codecs', allowed: 'viewer' },
  { method: 'GET', template: '/schemas/{schema}', allowed: 'viewer' },
  { method: 'GET', template: '/clients', allowed: 'viewer', query: ['offset', 'limit', 'q', 'status', 'sort'] },
  { method: 'GET', template: '/clients/{clientId}', allowed: 'viewer' },
  { method: 'POST', template: '/jobs', allowed: 'admin', body: () => ({ name: 'fuzz job', model: { preset: 'mnist-2nn' }, rounds: 2, minFitClients: 1000 }) },
  { method: 'GET', template: '/jobs', allowed: 'viewer' },
  { method: 'GET', template: '/jobs/{jobId}', allowed: 'device' },
  { method: 'POST', template: '/jobs/{jobId}/stop', allowed: 'admin', body: () => ({}) },
  { method: 'POST', template: '/jobs/{jobId}/pause', allowed: 'admin', body: () => ({}) },
  { method: 'POST', template: '/jobs/{jobId}/resume', allowed: 'admin', body: () => ({}) },
  { method: 'GET', template: '/jobs/{jobId}/rounds', allowed: 'viewer' },
  { method: 'GET', template: '/jobs/{jobId}/rounds/{round}', allowed: 'viewer' },
  { method: 'GET', template: '/jobs/{jobId}/rounds/{round}/contributions', allowed: 'viewer' },
  { method: 'GET', template: '/jobs/{jobId}/model.json', allowed: 'device' },
  { method: 'GET', template: '/jobs/{jobId}/models', allowed: 'viewer' },
  { method: 'GET', template: '/jobs/{jobId}/models/{version}', allowed: 'viewer' },
  { method: 'GET', template: '/jobs/{jobId}/models/{version}/weights', allowed: 'device', query: ['base', 'taskId'] },
  { method: 'POST', template: '/jobs/{jobId}/models/{version}/artifacts', allowed: 'admin', body: () => ({ minAccuracy: 0.5, heldOutExamples: 100 }), neverValid: true },
  { method: 'GET', template: '/artifacts', allowed: 'viewer', query: ['jobId'] },
  { method: 'GET', template: '/artifacts/{artifactId}', allowed: 'viewer' },
  { method: 'GET', template: '/artifacts/{artifactId}/model.json', allowed: 'device' },
  { method: 'GET', template: '/artifacts/{artifactId}/weights', allowed: 'device' },
  { method: 'POST', template: '/deployments', allowed: 'admin', body: (ids) => ({ jobId: first(ids, 'jobId', 'job-missing'), version: 0, cohort: ['fuzz'] }) },
  { method: 'GET', template: '/deployments', allowed: 'viewer', query: ['jobId', 'status'] },
  { method: 'GET', template: '/deployments/{deploymentId}', allowed: 'viewer' },
  { method: 'GET', template: '/deployments/{deploymentId}/drift', allowed: 'viewer', query: ['offset', 'limit'] },
  { method: 'POST', template: '/deployments/{deploymentId}/rollback', allowed: 'admin' },
  { method: 'POST', template: '/cohorts/rollback', allowed: 'admin', body: (ids) => ({ jobId: first(ids, 'jobId', 'job-missing'), version: 0, cohort: ['fuzz'] }) },
];

export const API_PREFIX = '/api/v1';

/** The documented route a raw path (no query) and method name, compared as rest.md spells them: exact, case and all. */
export function documentedRoute(method: string, rawPath: string): DocumentedRoute | undefined {
  if (!rawPath.startsWith(`${API_PREFIX}/`)) return undefined;
  const segments = rawPath.slice(API_PREFIX.length).split('/');
  const asGet = method === 'HEAD' ? 'GET' : method;
  return DOCUMENTED_ROUTES.find((route) => {
    if (route.method !== asGet) return false;
    const parts = route.template.split('/');
    return parts.length === segments.length && parts.every((part, index) => (part.startsWith('{') ? segments[index] !== '' : part === segments[index]));
  });
}

/**
 * The documented route a lenient router would take this path for: any case, trailing or doubled slashes, and OPTIONS
 * as a read. The judge uses it to tell a success on a misspelt path that bypasses a role check from a harmless one.
 */
export function lenientRoute(method: string, rawPath: string): DocumentedRoute | undefined {
  // rest.md's literal segments are lower case, so lower-casing the whole path compares them without case.
  const normalised = rawPath.toLowerCase().replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
  return documentedRoute(method === 'OPTIONS' ? 'GET' : method, normalised);
}

const READS = new Set(['GET', 'HEAD']);

/** Whether rest.md lets this caller succeed on this route with this method. */
export function mayCall(caller: Caller, route: DocumentedRoute, method: string): boolean {
  if (route.allowed === 'anyone') return true;
  switch (caller) {
    case 'admin':
    case 'admin-cookie':
      return true;
    case 'admin-cookie-foreign':
      // A cookie sent from another origin may read and log out, never change anything.
      return READS.has(method) || route.allowed === 'signed-in';
    case 'viewer':
      return route.allowed !== 'admin';
    case 'device':
      return route.allowed === 'device';
    default:
      return false;
  }
}

export function isAnonymous(caller: Caller): boolean {
  return caller === 'none' || caller === 'bad-bearer' || caller === 'bad-cookie' || caller === 'malformed-authorization';
}
