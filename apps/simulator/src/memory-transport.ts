/** The in-memory transport: connections are MemoryFleet sessions of a CoordinatorCore; model URLs are served from its store. */
import { ShoalError, type HandshakeAuth } from '@shoal/protocol';
import type { CoordinatorCore, MemoryFleet } from '@shoal/server';
import type { ClientLink, FleetTransport, TransportHandlers } from './fleet-transport.js';

const MODEL_JSON = /^\/api\/v1\/jobs\/([^/]+)\/model\.json$/;
const WEIGHTS = /^\/api\/v1\/jobs\/([^/]+)\/models\/(\d+)\/weights$/;

export class MemoryTransport implements FleetTransport {
  readonly name = 'memory';
  private readonly fleet: MemoryFleet;

  constructor(private readonly core: CoordinatorCore) {
    this.fleet = core.memoryFleet();
  }

  async connect(auth: HandshakeAuth, handlers: TransportHandlers): Promise<ClientLink> {
    return this.fleet.connect(auth, handlers);
  }

  /** In memory there is no HTTP to authorise. */
  authorize(): void {}

  async getJson(path: string): Promise<unknown> {
    const match = MODEL_JSON.exec(new URL(path, 'memory://coordinator').pathname);
    if (match === null) throw new ShoalError('NOT_FOUND', `the in-memory coordinator serves no ${path}`);
    return this.core.modelDocument(decodeURIComponent(match[1]!));
  }

  async getBytes(path: string): Promise<Uint8Array> {
    const url = new URL(path, 'memory://coordinator');
    const match = WEIGHTS.exec(url.pathname);
    if (match === null) throw new ShoalError('NOT_FOUND', `the in-memory coordinator serves no ${path}`);
    const base = url.searchParams.get('base');
    return this.core.downloadWeights(decodeURIComponent(match[1]!), Number(match[2]), {
      taskId: url.searchParams.get('taskId') ?? undefined,
      base: base === null ? undefined : Number(base),
    });
  }
}
