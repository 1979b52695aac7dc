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
    expect(JSON.stringify(store.admin.bootstrapToken())).not.toContain(first.generatedToken);
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

  it('creates named tokens with roles, keeps them across a bootstrap change, and revokes them with their sessions', () => {
    store = new SqliteStore(':memory:');
    const auth = new AdminAuth(store.admin, { adminToken: 'a-configured-admin-token', sessionTtlMs: TTL });
    const viewer = auth.createToken('dashboards', 'viewer', 'admin-token:x');
    const admin = auth.createToken('ci', 'admin', 'admin-token:x');
    expect(JSON.stringify(store.admin.listApiTokens())).not.toContain(viewer.token);
    expect(auth.authenticate({ ...none, bearer: viewer.token })).toMatchObject({ kind: 'admin-token', role: 'viewer', id: `admin-token:${viewer.record.id}` });
    const session = auth.login(viewer.token);
    expect(session.role).toBe('viewer');
    expect(auth.authenticate({ ...none, sessionSecret: session.secret })?.role).toBe('viewer');
    const rebooted = new AdminAuth(store.admin, { adminToken: 'another-configured-admin-token', sessionTtlMs: TTL });
    expect(rebooted.authenticate({ ...none, bearer: admin.token })?.role).toBe('admin');
    rebooted.revokeToken(viewer.record.id);
    expect(rebooted.authenticate({ ...none, bearer: viewer.token })).toBeUndefined();
    expect(rebooted.authenticate({ ...none, sessionSecret: session.secret })).toBeUndefined();
    expect(rebooted.listTokens().find((t) => t.id === viewer.record.id)?.revokedAt).toBeTypeOf('number');
  });

  it('refuses to revoke the last admin token', () => {
    store = new SqliteStore(':memory:');
    const auth = new AdminAuth(store.admin, { adminToken: 'a-configured-admin-token', sessionTtlMs: TTL });
    expect(() => auth.revokeToken(auth.tokenId)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const second = auth.createToken('second', 'admin', 'test');
    auth.revokeToken(auth.tokenId);
    expect(auth.authenticate({ ...none, bearer: 'a-configured-admin-token' })).toBeUndefined();
    expect(() => auth.revokeToken(second.record.id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => auth.revokeToken('tok-missing')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
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
