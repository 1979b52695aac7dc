/**
 * Device REST credentials valid on every node: a client's hello on one node issues its download secret, and its
 * model downloads may reach any node behind the load balancer. Each grant, expiry and revocation is sent to the
 * other nodes (only the secret's SHA-256 travels, as only it is kept).
 */
import { hashToken as sha256 } from '@shoal/identity';
import { ACCESS_GRACE_MS, DeviceAccess } from '../identity/device-access.js';
import type { ClusterBus } from './cluster-bus.js';

export class ReplicatedDeviceAccess extends DeviceAccess {
  constructor(
    private readonly bus: ClusterBus,
    now?: () => number,
  ) {
    super(now);
    bus.handle('access:grant', (payload) => {
      const { hash, clientId } = payload as { hash: string; clientId: string };
      this.grants.set(hash, { clientId, expiresAt: undefined });
    });
    bus.handle('access:expire', (payload) => {
      const grant = this.grants.get((payload as { hash: string }).hash);
      if (grant !== undefined) grant.expiresAt = this.now() + ACCESS_GRACE_MS;
    });
    bus.handle('access:revoke', (payload) => super.revokeClient((payload as { clientId: string }).clientId));
  }

  override issue(clientId: string): string {
    const secret = super.issue(clientId);
    this.bus.send('access:grant', { hash: sha256(secret), clientId });
    return secret;
  }

  override expire(secret: string): void {
    super.expire(secret);
    this.bus.send('access:expire', { hash: sha256(secret) });
  }

  override revokeClient(clientId: string): void {
    super.revokeClient(clientId);
    this.bus.send('access:revoke', { clientId });
  }
}
