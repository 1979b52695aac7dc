/**
 * Short-lived REST credentials for connected clients: hello hands each connection a bearer secret for its model
 * downloads; it stops working a grace period after the connection ends, or at once when the device is revoked.
 */
import { randomBytes } from 'node:crypto';
import { hashToken as sha256 } from '@shoal/identity';
import type { Authenticator, PresentedCredentials, Principal } from '../auth/principal.js';

export const ACCESS_GRACE_MS = 60_000;

interface Grant {
  clientId: string;
  /** Undefined while the connection lasts. */
  expiresAt: number | undefined;
}


export class DeviceAccess implements Authenticator {
  protected readonly grants = new Map<string, Grant>();
  private prunedAt = 0;

  constructor(protected readonly now: () => number = Date.now) {}

  /** A new secret for a connection of this client; only its hash is kept. */
  issue(clientId: string): string {
    this.prune();
    const secret = randomBytes(32).toString('base64url');
    this.grants.set(sha256(secret), { clientId, expiresAt: undefined });
    return secret;
  }

  /** The connection that held this secret ended: the secret works for a grace period (downloads in flight). */
  expire(secret: string): void {
    const grant = this.grants.get(sha256(secret));
    if (grant !== undefined) grant.expiresAt = this.now() + ACCESS_GRACE_MS;
  }

  /** Every secret of the client stops working now (revocation). */
  revokeClient(clientId: string): void {
    for (const [hash, grant] of this.grants) if (grant.clientId === clientId) this.grants.delete(hash);
  }

  authenticate(credentials: PresentedCredentials): Principal | undefined {
    if (credentials.bearer === undefined) return undefined;
    const grant = this.grants.get(sha256(credentials.bearer));
    if (grant === undefined || (grant.expiresAt !== undefined && grant.expiresAt <= this.now())) return undefined;
    const id = `device:${grant.clientId}`;
    return { id, kind: 'device', role: 'device', subject: id, expiresAt: grant.expiresAt };
  }

  /** Drops expired grants, at most once every grace period (a fleet reconnecting at once must not cost O(n²)). */
  private prune(): void {
    const now = this.now();
    if (now - this.prunedAt < ACCESS_GRACE_MS) return;
    this.prunedAt = now;
    for (const [hash, grant] of this.grants) if (grant.expiresAt !== undefined && grant.expiresAt <= now) this.grants.delete(hash);
  }
}
