/**
 * The interim administrator credential (until identity, issue #5): one admin token, stored only as its SHA-256,
 * that opens expiring console sessions and also works directly as a bearer token for scripts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ShoalError } from '@shoal/protocol';
import type { AdminRecords } from '../store/admin-records.js';
import type { SessionRecord } from '../store/records.js';
import type { Authenticator, PresentedCredentials, Principal } from './principal.js';

export interface AdminAuthOptions {
  /** The configured token; when undefined, a stored one is kept or a new one generated. */
  adminToken: string | undefined;
  sessionTtlMs: number;
  now?: () => number;
}

/** Checked with the other options (options.ts); a shorter token is too easy to guess. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
const tokenIdOf = (hash: string): string => `tok-${hash.slice(0, 8)}`;

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export class AdminAuth implements Authenticator {
  private readonly now: () => number;
  private token: { id: string; tokenHash: string };

  /** The token generated at start-up when none was configured or stored; shown to the operator once. */
  readonly generatedToken: string | undefined;

  constructor(
    private readonly records: AdminRecords,
    private readonly options: AdminAuthOptions,
  ) {
    this.now = options.now ?? Date.now;
    const configured = options.adminToken;
    const stored = records.adminToken();
    if (configured !== undefined) {
      this.token = this.remember(configured, stored);
    } else if (stored !== undefined) {
      this.token = stored;
    } else {
      this.generatedToken = randomBytes(24).toString('base64url');
      this.token = this.remember(this.generatedToken, undefined);
    }
    records.deleteExpiredSessions(this.now());
  }

  get tokenId(): string {
    return this.token.id;
  }

  private remember(token: string, stored: { id: string; tokenHash: string } | undefined): { id: string; tokenHash: string } {
    const tokenHash = sha256(token);
    const entry = { id: tokenIdOf(tokenHash), tokenHash };
    if (stored?.tokenHash !== tokenHash) this.records.replaceAdminToken(entry.id, tokenHash, this.now());
    return entry;
  }

  private isAdminToken(value: string): boolean {
    return sameHash(sha256(value), this.token.tokenHash);
  }

  /** Exchanges the admin token for a session; the secret goes to the browser (cookie), only its hash is stored. */
  login(token: string): { session: SessionRecord; secret: string } {
    if (!this.isAdminToken(token)) throw new ShoalError('UNAUTHENTICATED', 'the admin token is not valid');
    const secret = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const session: SessionRecord = {
      id: `ses-${randomBytes(6).toString('hex')}`,
      tokenHash: sha256(secret),
      subject: `admin-token:${this.token.id}`,
      createdAt,
      expiresAt: createdAt + this.options.sessionTtlMs,
    };
    this.records.insertSession(session);
    return { session, secret };
  }

  logout(principal: Principal): void {
    if (principal.kind === 'session') this.records.deleteSession(principal.id.slice('session:'.length));
  }

  /** A bearer value may be the admin token or a session secret; the session cookie is a session secret. */
  authenticate(credentials: PresentedCredentials): Principal | undefined {
    const { bearer, sessionSecret } = credentials;
    if (bearer !== undefined && this.isAdminToken(bearer)) {
      const id = `admin-token:${this.token.id}`;
      return { id, kind: 'admin-token', subject: id, expiresAt: undefined };
    }
    for (const secret of [bearer, sessionSecret]) {
      if (secret === undefined) continue;
      const session = this.records.findSession(sha256(secret), this.now());
      if (session !== undefined) return { id: `session:${session.id}`, kind: 'session', subject: session.subject, expiresAt: session.expiresAt };
    }
    return undefined;
  }
}
