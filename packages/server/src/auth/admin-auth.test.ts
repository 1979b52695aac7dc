import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { AdminAuth } from './admin-auth.js';
import { credentialsFromHeaders, sessionCookie } from './http-credentials.js';
import { LoginThrottle } from './login-throttle.js';

const TTL = 60_000;
const none = { bearer: undefined, sessionSecret: undefined };

describe('AdminAuth', () => {
  let store: SqliteStore;
  afterEach(() => store.close());

  it('generates a token once, keeps only its hash, and keeps it across restarts', () => {
    store = new SqliteStore(':memory:');
    const first = new AdminAuth(store.admin, { adminToken: undefined, sessionTtlMs: TTL });
    expect(first.generatedToken).toMatch(/^[\w-]{32}$/);
    expect(JSON.stringify(store.admin.adminToken())).not.toContain(first.generatedToken);
    const again = new AdminAuth(store.admin, { adminToken: undefined, sessionTtlMs: TTL });
    expect(again.generatedToken).toBeUndefined();
    expect(again.authenticate({ ...none, bearer: first.generatedToken })).toMatchObject({ kind: 'admin-token', id: `admin-token:${first.tokenId}` });
  });

  it('opens expiring sessions with the token and refuses anything else', () => {
    store = new SqliteStore(':memory:');
    let now = 1_000_000;
    const auth = new AdminAuth(store.admin, { adminToken: 'a-configured-admin-token', sessionTtlMs: TTL, now: () => now });
    expect(() => auth.login('wrong')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    const { session, secret } = auth.login('a-configured-admin-token');
    expect(session.expiresAt).toBe(now + TTL);
    expect(auth.authenticate({ ...none, sessionSecret: secret })).toMatchObject({ kind: 'session', id: `session:${session.id}`, subject: `admin-token:${auth.tokenId}` });
    expect(auth.authenticate({ ...none, bearer: secret })?.kind).toBe('session');
    expect(auth.authenticate({ ...none, sessionSecret: 'made-up' })).toBeUndefined();
    now += TTL;
    expect(auth.authenticate({ ...none, sessionSecret: secret })).toBeUndefined();
  });

  it('ends the sessions of a replaced token', () => {
    store = new SqliteStore(':memory:');
    const old = new AdminAuth(store.admin, { adminToken: 'the-first-admin-token', sessionTtlMs: TTL });
    const { secret } = old.login('the-first-admin-token');
    const replaced = new AdminAuth(store.admin, { adminToken: 'the-second-admin-token', sessionTtlMs: TTL });
    expect(replaced.authenticate({ ...none, sessionSecret: secret })).toBeUndefined();
    expect(replaced.authenticate({ ...none, bearer: 'the-first-admin-token' })).toBeUndefined();
    expect(replaced.authenticate({ ...none, bearer: 'the-second-admin-token' })?.kind).toBe('admin-token');
  });

  it('logs out a session', () => {
    store = new SqliteStore(':memory:');
    const auth = new AdminAuth(store.admin, { adminToken: 'a-configured-admin-token', sessionTtlMs: TTL });
    const { secret } = auth.login('a-configured-admin-token');
    auth.logout(auth.authenticate({ ...none, sessionSecret: secret })!);
    expect(auth.authenticate({ ...none, sessionSecret: secret })).toBeUndefined();
  });
});

describe('HTTP credentials', () => {
  it('reads a bearer token and the session cookie', () => {
    expect(credentialsFromHeaders({ authorization: 'Bearer abc', cookie: 'x=1; shoal_session=s3cret; y=2' })).toEqual({ bearer: 'abc', sessionSecret: 's3cret' });
    expect(credentialsFromHeaders({ authorization: 'Basic abc' })).toEqual(none);
  });

  it('writes an HttpOnly, SameSite=Strict cookie that expires with the session', () => {
    expect(sessionCookie('s', 12 * 3600_000, false)).toBe('shoal_session=s; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200');
    expect(sessionCookie('s', 1000, true)).toContain('; Secure');
  });
});

describe('LoginThrottle', () => {
  it('refuses an address after too many failures, until the window passes', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) throttle.fail('10.0.0.1');
    expect(() => throttle.check('10.0.0.1')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect(() => throttle.check('10.0.0.2')).not.toThrow();
    now += 60_001;
    expect(() => throttle.check('10.0.0.1')).not.toThrow();
  });
});
