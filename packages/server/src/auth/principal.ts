/** Who is acting on a request: an administrator or viewer (API token or console session), or an enrolled device. */
import type { Role } from '../store/records.js';

export type PrincipalRole = Role | 'device';

export interface Principal {
  /** Stable id for the audit log: `session:<id>`, `admin-token:<id>` or `device:<client id>`. */
  id: string;
  kind: 'session' | 'admin-token' | 'device';
  /** `admin` acts, `viewer` only reads, `device` only downloads models. */
  role: PrincipalRole;
  /** The credential a session was opened with (`admin-token:<id>`); for a token or device, its own id. */
  subject: string;
  /** When the credential stops working (sessions only). */
  expiresAt: number | undefined;
}

/**
 * How errors name a principal, by its role: ids keep the historical `admin-token:` prefix for every API token (audit
 * entries and sessions store it), so an id alone would call a viewer token an admin one.
 */
export function describePrincipal(principal: Principal): string {
  const id = principal.id.slice(principal.id.indexOf(':') + 1);
  if (principal.kind === 'device') return `device ${id}`;
  if (principal.kind === 'session') return `${principal.role} session ${id}`;
  return `${principal.role} token ${id}`;
}

/** Credentials as presented by a request or a socket handshake, before they are checked. */
export interface PresentedCredentials {
  bearer: string | undefined;
  sessionSecret: string | undefined;
}

/** What the REST guard and the console gateway need: turn presented credentials into a principal, or nothing. */
export interface Authenticator {
  authenticate(credentials: PresentedCredentials): Principal | undefined;
}

/** Tries each authenticator in turn (administrators first, then devices). */
export function anyOf(...authenticators: readonly Authenticator[]): Authenticator {
  return {
    authenticate: (credentials) => {
      for (const authenticator of authenticators) {
        const principal = authenticator.authenticate(credentials);
        if (principal !== undefined) return principal;
      }
      return undefined;
    },
  };
}
