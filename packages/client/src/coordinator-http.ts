/** HTTP(S) calls a client makes to the coordinator: enrolment, the model topology and weights frames. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ShoalError } from '@shoal/protocol';

export interface TransportSecurity {
  /** PEM CA certificate(s) to trust instead of the system store: pins the coordinator's CA. */
  ca?: string | Uint8Array;
}

export class CoordinatorHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly security: TransportSecurity = {},
  ) {}

  /** The REST credential the coordinator handed this connection at hello (Authorization: Bearer). */
  private accessToken: string | undefined;

  setAccessToken(token: string | undefined): void {
    this.accessToken = token;
  }

  /** Node's http/https (rather than fetch) so a pinned CA applies; certificates are always verified. */
  private send(method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; body: Buffer }> {
    const url = new URL(path, this.baseUrl);
    const secure = url.protocol === 'https:';
    const tls = secure ? { ca: this.security.ca === undefined ? undefined : Buffer.from(this.security.ca), rejectUnauthorized: true } : {};
    const headers: Record<string, string> = {};
    if (this.accessToken !== undefined) headers['authorization'] = `Bearer ${this.accessToken}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(url, { method, headers, ...tls }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      request.on('error', (error) => reject(new ShoalError('INTERNAL', `cannot reach the coordinator at ${this.baseUrl}: ${error.message}`, { cause: error })));
      request.end(body);
    });
  }

  private async ok(path: string, method: 'GET' | 'POST' = 'GET', json?: unknown): Promise<Buffer> {
    const { status, body } = await this.send(method, path, json === undefined ? undefined : JSON.stringify(json));
    if (status < 200 || status >= 300) {
      let wire: unknown;
      try {
        wire = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
      } catch {
        wire = undefined;
      }
      throw ShoalError.fromWire(wire ?? { code: 'INTERNAL', message: `${method} ${path} answered ${status}` });
    }
    return body;
  }

  async json(path: string): Promise<unknown> {
    return this.parse(path, await this.ok(path));
  }

  /** POST a JSON body; the reply's JSON, or the coordinator's error as a ShoalError. */
  async postJson(path: string, payload: unknown): Promise<unknown> {
    return this.parse(path, await this.ok(path, 'POST', payload));
  }

  private parse(path: string, body: Buffer): unknown {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new ShoalError('INTERNAL', `${path} did not return JSON`, { cause: error });
    }
  }

  async bytes(path: string): Promise<Uint8Array> {
    // A copy: small Buffers live in Node's shared pool, which callers must not keep views into.
    return new Uint8Array(await this.ok(path));
  }
}
