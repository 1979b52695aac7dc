/**
 * Builds the fuzzer's requests: a documented route (or an invented path) with a method, mutated path and query, a
 * caller, headers and a body derived from a valid one, each choice drawn from the seeded PRNG and named in `mutations`.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Random } from '@shoal/codec/testing';
import { isValidMessage } from '@shoal/protocol';
import type { Framing, RawRequest } from './raw-http.js';
import { hostileQuery, hostileSegment, junkBody, mutateJson } from './rest-mutations.js';
import { API_PREFIX, DOCUMENTED_ROUTES, type Caller, type DocumentedRoute, type IdPool } from './rest-routes.js';

export interface FuzzCredentials {
  admin: string;
  viewer: string;
  /** A connected client's access token (hello), when the target has one. */
  device?: string | undefined;
  /** The secret of a console session opened with the admin token. */
  adminSession?: string | undefined;
}

export interface FuzzRequest extends RawRequest {
  caller: Caller;
  /** The documented route it was derived from, if any (the judge matches the final path itself). */
  route: DocumentedRoute | undefined;
  mutations: string[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const INVENTED_PATHS = ['/nope', '/', '', '/jobs/x/y/z/w', '/tokens/x/y', '/schemas', '/api/v1/jobs', '/session/x', '/jobs/', '/.env', '/%2e%2e/%2e%2e/healthz'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'a/b/c', 'application/merge-patch+json'];
const SCHEMA_NAMES = ['create-job-request', 'common', 'job', 'nope', 'hello-request'];

function idFor(random: Random, name: string, ids: IdPool): string {
  const known = ids.get(name) ?? [];
  if (name === 'schema' && random.chance(0.6)) return random.pick(SCHEMA_NAMES);
  if ((name === 'version' || name === 'round') && random.chance(0.6)) return String(random.int(3));
  if (known.length > 0 && random.chance(0.6)) return encodeURIComponent(random.pick(known));
  return hostileSegment(random);
}

/** Case changes, trailing and doubled slashes, dot segments and other spellings of a path a router might also take. */
function mutatePath(random: Random, path: string, mutations: string[]): string {
  const segments = path.split('/');
  switch (random.int(9)) {
    case 0:
      mutations.push('trailing slash');
      return `${path}/`;
    case 1: {
      const index = 1 + random.int(Math.max(1, segments.length - 1));
      segments[index] = (segments[index] ?? '').toUpperCase();
      mutations.push('upper-cased segment');
      return segments.join('/');
    }
    case 2: {
      const index = 1 + random.int(Math.max(1, segments.length - 1));
      const segment = segments[index] ?? '';
      segments[index] = segment.charAt(0).toUpperCase() + segment.slice(1);
      mutations.push('capitalised segment');
      return segments.join('/');
    }
    case 3:
      mutations.push('doubled slash');
      return path.replace(/\/(?=[^/]*$)/, '//');
    case 4:
      mutations.push('dot segment');
      return `${path}/..`;
    case 5:
      mutations.push('prefix spelled differently');
      return path.replace(API_PREFIX, random.pick(['/API/v1', '/api/V1', '/api/v1/.', '/api/v2', '/api//v1', '/api/v1/../v1']));
    case 6:
      mutations.push('encoded letter');
      return path.replace(/\/([a-z])/, (_, letter: string) => `/%${letter.charCodeAt(0).toString(16)}`);
    case 7:
      mutations.push('suffix');
      return `${path}${random.pick(['.json', '%00', ';x', '~', '%2F'])}`;
    default:
      mutations.push('hostile segment appended');
      return `${path}/${hostileSegment(random)}`;
  }
}

function pickCaller(random: Random, credentials: FuzzCredentials): Caller {
  const callers: Caller[] = ['none', 'bad-bearer', 'bad-cookie', 'malformed-authorization', 'viewer', 'viewer', 'viewer', 'admin', 'admin', 'admin'];
  if (credentials.adminSession !== undefined) callers.push('admin-cookie', 'admin-cookie-foreign');
  if (credentials.device !== undefined) callers.push('device', 'device');
  return random.pick(callers);
}

function authorizationHeaders(random: Random, caller: Caller, credentials: FuzzCredentials, origin: string): Record<string, string> {
  switch (caller) {
    case 'none':
      return {};
    case 'bad-bearer':
      return { authorization: `Bearer ${random.pick(['x', 'not-a-token', 'A'.repeat(4000), credentials.admin.slice(0, -1), `${credentials.viewer}x`])}` };
    case 'bad-cookie':
      return { cookie: `shoal_session=${random.pick(['x', 'forged', '%ff', ''])}; other=1` };
    case 'malformed-authorization':
      return { authorization: random.pick(['Bearer', 'Bearer ', `Basic ${Buffer.from(`admin:${credentials.admin}`).toString('base64')}`, credentials.admin, `Token ${credentials.admin}`]) };
    case 'viewer':
      return { authorization: `${random.pick(['Bearer', 'bearer', 'BEARER'])} ${credentials.viewer}` };
    case 'admin':
      return { authorization: `Bearer ${credentials.admin}` };
    case 'admin-cookie':
      return { cookie: `shoal_session=${credentials.adminSession ?? ''}`, ...(random.chance(0.5) ? { origin } : {}) };
    case 'admin-cookie-foreign':
      return { cookie: `shoal_session=${credentials.adminSession ?? ''}`, origin: random.pick(['https://evil.example', 'null', 'not a url']) };
    case 'device':
      return { authorization: `Bearer ${credentials.device ?? ''}` };
  }
}

/** The body bytes for a request: a mutated (rarely the valid) body of the route, or junk, then an encoding. */
function bodyFor(random: Random, route: DocumentedRoute | undefined, ids: IdPool, headers: Record<string, string>, mutations: string[]): Uint8Array {
  let value: unknown = route?.body?.(ids) ?? {};
  const mutate = route?.neverValid === true || random.chance(0.85);
  if (mutate) {
    const rounds = 1 + random.int(2);
    for (let round = 0; round < rounds; round++) {
      const mutated = mutateJson(random, value);
      value = mutated.value;
      mutations.push(mutated.mutation);
    }
  }
  if (route?.neverValid === true && isValidMessage('create-artifact-request', value)) {
    value = { ...(value as object), minAccuracy: 'high' };
    mutations.push('made invalid (a valid body would build an artifact)');
  }
  const json = JSON.stringify(value) ?? 'null';
  let bytes: Uint8Array = new TextEncoder().encode(json);
  if (random.chance(0.12)) {
    const junk = junkBody(random, json);
    bytes = junk.bytes;
    mutations.push(junk.mutation);
  }
  if (random.chance(0.15)) {
    const encoding = random.pick(['gzip', 'deflate', 'br', 'identity', 'GZIP', 'zstd', 'compress', 'gzip, gzip']);
    headers['content-encoding'] = encoding;
    const encoded = random.chance(0.5);
    if (encoded && /^gzip$/i.test(encoding)) bytes = gzipSync(bytes);
    else if (encoded && encoding === 'deflate') bytes = deflateSync(bytes);
    else if (encoded && encoding === 'br') bytes = brotliCompressSync(bytes);
    if (encoded && random.chance(0.4)) bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
    if (!encoded && random.chance(0.5)) bytes = Uint8Array.from([0x1f, 0x8b, ...random.bytes(16)]);
    mutations.push(`content-encoding ${encoding}${encoded ? ' (encoded)' : ' (not encoded)'}`);
  }
  return bytes;
}

function pickFraming(random: Random, mutations: string[]): Framing {
  const roll = random.next();
  const framing: Framing = roll < 0.86 ? 'exact' : roll < 0.92 ? 'chunked' : roll < 0.96 ? 'over-limit' : 'abort';
  if (framing !== 'exact') mutations.push(`framing ${framing}`);
  return framing;
}

export function nextRequest(random: Random, context: { ids: IdPool; credentials: FuzzCredentials; origin: string }): FuzzRequest {
  const mutations: string[] = [];
  const invented = random.chance(0.1);
  const route = invented ? undefined : random.pick(DOCUMENTED_ROUTES);
  const template = route?.template ?? random.pick(INVENTED_PATHS);
  let path = API_PREFIX + template.replace(/\{(\w+)\}/g, (_, name: string) => idFor(random, name, context.ids));
  if (invented) mutations.push('invented path');
  if (random.chance(0.3)) path = mutatePath(random, path, mutations);
  if (random.chance(route?.query === undefined ? 0.1 : 0.5)) {
    path += `?${hostileQuery(random, route?.query ?? [])}`;
    mutations.push('query');
  }
  const method = route !== undefined && random.chance(0.7) ? (route.method === 'GET' && random.chance(0.15) ? 'HEAD' : route.method) : random.pick(METHODS);
  if (method !== route?.method) mutations.push(`method ${method}`);
  const caller = pickCaller(random, context.credentials);
  const headers: Record<string, string> = authorizationHeaders(random, caller, context.credentials, context.origin);
  headers['accept'] = random.pick(['application/json', '*/*', 'application/octet-stream', 'x/y']);
  if (random.chance(0.1)) headers['x-forwarded-for'] = random.pick(['10.0.0.1', '::1', 'garbage']);
  let body: Uint8Array | undefined;
  if (method !== 'GET' && method !== 'HEAD' ? random.chance(0.9) : random.chance(0.05)) {
    headers['content-type'] = random.chance(0.75) ? 'application/json' : random.pick(CONTENT_TYPES);
    body = bodyFor(random, route, context.ids, headers, mutations);
  }
  return { method, path, headers, body, framing: pickFraming(random, mutations), caller, route, mutations };
}
