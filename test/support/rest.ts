/** Minimal REST helpers for tests: JSON in and out, with the wire error kept for assertions. */
import { PATIENCE_MS } from './patience.js';
export interface RestReply<T> {
  status: number;
  body: T;
}

/** The bearer token every helper below sends unless the call names its own authorization (REST needs a credential). */
let defaultBearer: string | undefined;

export function useBearerToken(token: string | undefined): void {
  defaultBearer = token;
}

function withAuthorization(init: RequestInit): RequestInit {
  const headers = new Headers(init.headers);
  if (defaultBearer !== undefined && !headers.has('authorization')) headers.set('authorization', `Bearer ${defaultBearer}`);
  return { ...init, headers };
}

export async function request<T = unknown>(url: string, init: RequestInit = {}): Promise<RestReply<T>> {
  const response = await fetch(url, withAuthorization(init));
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const reply = await request<T>(url);
  if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** `headers` adds to the JSON content type, e.g. `{ authorization: 'Bearer <admin token>' }` for changing calls. */
export function postJson<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RestReply<T>> {
  return request<T>(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Polls until `check` returns a value (not undefined); gives up, naming `what`, only after PATIENCE_MS (a hang). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${PATIENCE_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function downloadBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url, withAuthorization({}));
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
