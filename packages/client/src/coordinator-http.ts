/** HTTP calls a client makes to the coordinator: the model topology and weights frames. */
import { ShoalError } from '@shoal/protocol';

export class CoordinatorHttp {
  constructor(private readonly baseUrl: string) {}

  private async get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl));
    } catch (error) {
      throw new ShoalError('INTERNAL', `cannot reach the coordinator at ${this.baseUrl}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as { error?: unknown } | undefined;
      throw ShoalError.fromWire(body?.error ?? { code: 'INTERNAL', message: `GET ${path} answered ${response.status}` });
    }
    return response;
  }

  async json(path: string): Promise<unknown> {
    return (await this.get(path)).json();
  }

  async bytes(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.get(path)).arrayBuffer());
  }
}
