/** Reads credentials from HTTP headers (REST requests and socket.io handshakes) and writes the session cookie. */
import type { IncomingHttpHeaders } from 'node:http';
import type { PresentedCredentials } from './principal.js';

export const SESSION_COOKIE = 'shoal_session';

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

export function credentialsFromHeaders(headers: IncomingHttpHeaders): PresentedCredentials {
  const authorization = headers.authorization;
  const bearer = authorization !== undefined && /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '').trim() : undefined;
  return { bearer: bearer === '' ? undefined : bearer, sessionSecret: cookieValue(headers.cookie, SESSION_COOKIE) };
}

/** HttpOnly so page scripts never see the secret; SameSite=Strict so other sites cannot send it (CSRF). */
export function sessionCookie(secret: string, maxAgeMs: number, secure: boolean): string {
  const attributes = [`${SESSION_COOKIE}=${secret}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
