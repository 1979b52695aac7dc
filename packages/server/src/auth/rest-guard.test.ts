/** The route guard's decisions: each access level against each kind of caller, cookie changes from other origins, and audited refusals. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Request, Response } from 'express';
import { pino } from 'pino';
import { ShoalError } from '@shoal/protocol';
import { SqliteStore } from '../store/sqlite-store.js';
import { AuditLog } from './audit-log.js';
import type { Principal } from './principal.js';
import { authorizeRoute, refuseUnrouted, type RouteAccess } from './rest-guard.js';

const principal = (role: Principal['role'], kind: Principal['kind'] = role === 'device' ? 'device' : 'admin-token'): Principal => ({ id: `${kind}:x`, kind, role, subject: `${kind}:x`, expiresAt: undefined });
const CALLERS = { anonymous: undefined, device: principal('device'), viewer: principal('viewer'), admin: principal('admin') } as const;

let store: SqliteStore;
let audit: AuditLog;
beforeEach(() => {
  store = new SqliteStore(':memory:');
  audit = new AuditLog(store.admin, pino({ level: 'silent' }));
});
afterEach(() => store.close());

/** Runs one middleware on a request with the given caller; resolves with the error code it passed on, or 'next'. */
function run(handler: ReturnType<typeof authorizeRoute>, caller: Principal | undefined, options: { method?: string; headers?: Record<string, string> } = {}): string {
  const request = { method: options.method ?? 'GET', headers: { host: 'shoal.test', ...options.headers }, originalUrl: '/api/v1/somewhere?x=1', ip: '127.0.0.1' } as unknown as Request;
  const response = { locals: caller === undefined ? {} : { principal: caller } } as unknown as Response;
  let outcome = 'not called';
  handler(request, response, (error?: unknown) => {
    outcome = error === undefined ? 'next' : error instanceof ShoalError ? error.code : String(error);
  });
  return outcome;
}

describe('authorizeRoute', () => {
  it('lets each kind of caller through exactly the levels rest.md gives it', () => {
    const expected: Record<RouteAccess, Record<keyof typeof CALLERS, string>> = {
      public: { anonymous: 'next', device: 'next', viewer: 'next', admin: 'next' },
      'signed-in': { anonymous: 'UNAUTHENTICATED', device: 'FORBIDDEN', viewer: 'next', admin: 'next' },
      'device-read': { anonymous: 'UNAUTHENTICATED', device: 'next', viewer: 'next', admin: 'next' },
      read: { anonymous: 'UNAUTHENTICATED', device: 'FORBIDDEN', viewer: 'next', admin: 'next' },
      'admin-read': { anonymous: 'UNAUTHENTICATED', device: 'FORBIDDEN', viewer: 'FORBIDDEN', admin: 'next' },
      'admin-change': { anonymous: 'UNAUTHENTICATED', device: 'FORBIDDEN', viewer: 'FORBIDDEN', admin: 'next' },
    };
    for (const [access, byCaller] of Object.entries(expected) as [RouteAccess, Record<keyof typeof CALLERS, string>][]) {
      for (const [name, outcome] of Object.entries(byCaller) as [keyof typeof CALLERS, string][]) {
        expect(run(authorizeRoute(access, audit), CALLERS[name]), `${name} on ${access}`).toBe(outcome);
      }
    }
  });

  it('refuses an admin change by cookie from another origin, but not by bearer token or from this origin', () => {
    const session = principal('admin', 'session');
    const change = authorizeRoute('admin-change', audit);
    expect(run(change, session, { method: 'POST', headers: { origin: 'https://evil.example' } })).toBe('FORBIDDEN');
    expect(run(change, session, { method: 'POST', headers: { origin: 'not a url' } })).toBe('FORBIDDEN');
    expect(run(change, session, { method: 'POST', headers: { origin: 'https://shoal.test' } })).toBe('next');
    expect(run(change, session, { method: 'POST' })).toBe('next');
    expect(run(change, session, { method: 'POST', headers: { origin: 'https://evil.example', authorization: 'Bearer secret' } })).toBe('next');
    // Reading (and logging out, signed-in) from another origin changes nothing of anyone else's.
    expect(run(authorizeRoute('admin-read', audit), session, { headers: { origin: 'https://evil.example' } })).toBe('next');
    expect(run(authorizeRoute('signed-in', audit), session, { method: 'DELETE', headers: { origin: 'https://evil.example' } })).toBe('next');
  });

  it('audits refused changes with the actor and path, and not refused reads', () => {
    run(authorizeRoute('admin-change', audit), CALLERS.viewer, { method: 'POST' });
    run(authorizeRoute('admin-read', audit), CALLERS.viewer);
    run(authorizeRoute('admin-change', audit), undefined, { method: 'DELETE' });
    const entries = audit.list({ limit: 10 }).items.map((entry) => [entry.actor, entry.action, entry.outcome, entry.errorCode]);
    expect(entries).toEqual([
      ['anonymous', 'DELETE /api/v1/somewhere', 'failure', 'UNAUTHENTICATED'],
      ['admin-token:x', 'POST /api/v1/somewhere', 'failure', 'FORBIDDEN'],
    ]);
  });
});

describe('refusal messages', () => {
  it('name a viewer by its role, never as an admin token', () => {
    const messages: string[] = [];
    for (const caller of [principal('viewer'), principal('viewer', 'session')]) {
      const request = { method: 'GET', headers: { host: 'shoal.test' }, originalUrl: '/api/v1/tokens', ip: '127.0.0.1' } as unknown as Request;
      authorizeRoute('admin-read', audit)(request, { locals: { principal: caller } } as unknown as Response, (error?: unknown) => void messages.push((error as Error).message));
    }

    expect(messages).toEqual(['this needs the admin role; viewer token x may only read', 'this needs the admin role; viewer session x may only read']);
    expect(messages.join()).not.toContain('admin-token');
  });
});

describe('refuseUnrouted', () => {
  const missing = refuseUnrouted({ record: () => undefined } as unknown as AuditLog, () => new ShoalError('NOT_FOUND', 'no endpoint'));

  it('answers anonymous callers 401 and everyone else the problem, so paths reveal nothing without a credential', () => {
    expect(run(missing, undefined)).toBe('UNAUTHENTICATED');
    for (const caller of [CALLERS.device, CALLERS.viewer, CALLERS.admin]) expect(run(missing, caller)).toBe('NOT_FOUND');
  });

  it('lets the request through when there is no problem', () => {
    expect(run(refuseUnrouted(audit, () => undefined), undefined)).toBe('next');
  });
});
