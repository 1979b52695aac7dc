/** Who is acting on an administrator request; identity (issue #5) will add more kinds behind the same interface. */
export interface Principal {
  /** Stable id for the audit log: `session:<id>` or `admin-token:<id>`. */
  id: string;
  kind: 'session' | 'admin-token';
  /** The credential a session was opened with (`admin-token:<id>`); for a token, the token itself. */
  subject: string;
  /** When the credential stops working (sessions only). */
  expiresAt: number | undefined;
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
