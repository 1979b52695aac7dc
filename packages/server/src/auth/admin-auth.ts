/**
 * Administrator and viewer credentials: named API tokens with a role, stored only as SHA-256 hashes. The bootstrap
 * admin token is configured (--admin-token) or generated at first start and shown once. A token opens expiring console
 * sessions and also works directly as a bearer token for scripts.
 */
import { randomBytes } from 'node:crypto';
import { hashToken as sha256 } from '@shoal/identity';
import { ShoalError } from '@shoal/protocol';
import type { TokensPort, SessionsPort } from '../store/store.js';
import type { ApiTokenRecord, Role, SessionRecord } from '../store/records.js';
import type { Authenticator, PresentedCredentials, Principal } from './principal.js';

export interface AdminAuthOptions {
  /** The configured bootstrap token; when undefined, a stored one is kept or a new one generated. */
  adminToken: string | undefined;
  sessionTtlMs: number;
  now?: () => number;
}

/** Checked with the other options (options.ts); a shorter token is too easy to guess. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const tokenIdOf = (hash: string): string => `tok-${hash.slice(0, 8)}`;
const TOKEN_SUBJECT = 'admin-token:';

export class AdminAuth implements Authenticator {
  private readonly now: () => number;
  private bootstrap: { id: string; tokenHash: string };

  /** The token generated at start-up when none was configured or stored; shown to the operator once. */
  readonly generatedToken: string | undefined;

  constructor(
    private readonly records: TokensPort & SessionsPort,
    private readonly options: AdminAuthOptions,
  ) {
    this.now = options.now ?? Date.now;
    const configured = options.adminToken;
    const stored = records.bootstrapToken();
    if (configured !== undefined) {
      this.bootstrap = this.remember(configured, stored);
    } else if (stored !== undefined) {
      this.bootstrap = stored;
    } else {
      this.generatedToken = randomBytes(24).toString('base64url');
      this.bootstrap = this.remember(this.generatedToken, undefined);
    }
    records.deleteExpiredSessions(this.now());
  }

  /** The id of the bootstrap admin token. */
  get tokenId(): string {
    return this.bootstrap.id;
  }

  private remember(token: string, stored: { id: string; tokenHash: string } | undefined): { id: string; tokenHash: string } {
    const tokenHash = sha256(token);
    const entry = { id: tokenIdOf(tokenHash), tokenHash };
    if (stored?.tokenHash !== tokenHash) this.records.replaceBootstrapToken(entry.id, tokenHash, this.now());
    return entry;
  }

  /** The unrevoked token this secret belongs to, looked up by the secret's SHA-256 (a guess's hash reveals nothing to time). */
  private tokenFor(secret: string): ApiTokenRecord | undefined {
    return this.records.findApiToken(sha256(secret));
  }

  /** Creates a named token; the secret is returned once and only its hash is stored. */
  createToken(name: string, role: Role, createdBy: string): { record: ApiTokenRecord; token: string } {
    const token = randomBytes(24).toString('base64url');
    const tokenHash = sha256(token);
    const record: ApiTokenRecord = { id: tokenIdOf(tokenHash), name, role, createdAt: this.now(), createdBy, revokedAt: undefined };
    this.records.insertApiToken({ ...record, tokenHash });
    return { record, token };
  }

  /** Revokes a token and ends its sessions; the last admin token cannot be revoked (that would lock everyone out). */
  revokeToken(id: string): ApiTokenRecord {
    const token = this.records.getApiToken(id);
    if (token === undefined) throw new ShoalError('NOT_FOUND', `token ${id} does not exist`);
    if (token.revokedAt !== undefined) return token;
    if (token.role === 'admin' && this.records.countActiveAdminTokens() <= 1) {
      throw new ShoalError('CONFLICT', `token ${id} is the last admin token; create another admin token before revoking it`);
    }
    this.records.revokeApiToken(id, this.now());
    return this.records.getApiToken(id)!;
  }

  listTokens(): ApiTokenRecord[] {
    return this.records.listApiTokens();
  }

  /** Exchanges a token for a session with the token's role; the secret goes to the browser (cookie), only its hash is stored. */
  login(token: string): { session: SessionRecord; secret: string; role: Role } {
    const record = this.tokenFor(token);
    if (record === undefined) throw new ShoalError('UNAUTHENTICATED', 'the token is not valid');
    const secret = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const session: SessionRecord = {
      id: `ses-${randomBytes(6).toString('hex')}`,
      tokenHash: sha256(secret),
      subject: `${TOKEN_SUBJECT}${record.id}`,
      createdAt,
      expiresAt: createdAt + this.options.sessionTtlMs,
    };
    this.records.insertSession(session);
    return { session, secret, role: record.role };
  }

  logout(principal: Principal): void {
    if (principal.kind === 'session') this.records.deleteSession(principal.id.slice('session:'.length));
  }

  /** A bearer value may be an API token or a session secret; the session cookie is a session secret. */
  authenticate(credentials: PresentedCredentials): Principal | undefined {
    const { bearer, sessionSecret } = credentials;
    const token = bearer === undefined ? undefined : this.tokenFor(bearer);
    if (token !== undefined) {
      const id = `${TOKEN_SUBJECT}${token.id}`;
      return { id, kind: 'admin-token', role: token.role, subject: id, expiresAt: undefined };
    }
    for (const secret of [bearer, sessionSecret]) {
      if (secret === undefined) continue;
      const session = this.records.findSession(sha256(secret), this.now());
      if (session === undefined) continue;
      const owner = this.records.getApiToken(session.subject.slice(TOKEN_SUBJECT.length));
      if (owner === undefined || owner.revokedAt !== undefined) continue;
      return { id: `session:${session.id}`, kind: 'session', role: owner.role, subject: session.subject, expiresAt: session.expiresAt };
    }
    return undefined;
  }
}
