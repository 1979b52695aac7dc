/** Who is connected: registration, heartbeats, disconnects, busy flags, and waiting for enough clients. */
import type { ClientCapabilities } from '@shoal/protocol';
import type { ClientCandidate } from '@shoal/strategy';

/** What the registry needs of a connection; the socket.io gateway and the in-memory fleet provide it. */
export interface ClientConnection {
  send(event: string, payload: unknown): void;
  disconnect(reason: string): void;
  /** The client's hello was accepted as `clientId`: the transport may lift its pre-hello limits and address it by id. */
  registered?(clientId: string): void;
  /** The `clientId` the connection's handshake named, if any: a hello must not name another (README §1). */
  readonly handshakeClientId?: string;
}

export interface ConnectedClient {
  id: string;
  name: string;
  capabilities: ClientCapabilities;
  connection: ClientConnection;
  connectedAt: number;
  lastSeenAt: number;
  /** It proved an enrolled device key at hello (revoking the device disconnects it). */
  enrolled?: boolean;
  /** The job this client is working for, if any; a client runs one task at a time. */
  busyWith: string | undefined;
}

type Listener = () => void;

export class ClientRegistry {
  protected readonly clients = new Map<string, ConnectedClient>();
  private readonly waiters = new Set<Listener>();
  private readonly disconnectListeners = new Set<(clientId: string) => void>();

  register(client: Omit<ConnectedClient, 'busyWith'>): void {
    const previous = this.clients.get(client.id);
    if (previous !== undefined && previous.connection !== client.connection) {
      previous.connection.disconnect('replaced by a newer connection with the same client id');
      this.notifyDisconnect(client.id);
    }
    this.clients.set(client.id, { ...client, busyWith: previous?.busyWith });
    this.notifyWaiters();
  }

  heartbeat(clientId: string, at: number): boolean {
    const client = this.clients.get(clientId);
    if (client === undefined) return false;
    client.lastSeenAt = at;
    return true;
  }

  unregister(clientId: string, connection: ClientConnection): void {
    const client = this.clients.get(clientId);
    if (client === undefined || client.connection !== connection) return;
    this.clients.delete(clientId);
    this.notifyDisconnect(clientId);
  }

  get(clientId: string): ConnectedClient | undefined {
    return this.clients.get(clientId);
  }

  isOnline(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  size(): number {
    return this.clients.size;
  }

  /** The clients whose connection this process holds (in a cluster, size() counts every node's). */
  localSize(): number {
    return this.clients.size;
  }

  all(): ConnectedClient[] {
    return [...this.clients.values()];
  }

  /** Idle clients in id order, so seeded sampling depends on who is available, not on the order they connected in. */
  idleCandidates(): ClientCandidate[] {
    return this.all()
      .filter((client) => client.busyWith === undefined)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((client) => ({
        id: client.id,
        numTrainExamples: client.capabilities.numTrainExamples,
        numEvalExamples: client.capabilities.numEvalExamples,
      }));
  }

  /** How many connected clients have no task; cheap enough to ask on every registration. */
  idleCount(): number {
    let idle = 0;
    for (const client of this.clients.values()) if (client.busyWith === undefined) idle += 1;
    return idle;
  }

  setBusy(clientIds: readonly string[], jobId: string | undefined): void {
    for (const id of clientIds) {
      const client = this.clients.get(id);
      if (client !== undefined) client.busyWith = jobId;
    }
    if (jobId === undefined) this.notifyWaiters();
  }

  /** Every client still marked busy with the job becomes idle (its previous leader died before releasing them). */
  releaseJob(jobId: string): void {
    const held = [...this.clients.values()].filter((client) => client.busyWith === jobId).map((client) => client.id);
    if (held.length > 0) this.setBusy(held, undefined);
  }

  send(clientId: string, event: string, payload: unknown): boolean {
    const client = this.clients.get(clientId);
    if (client === undefined) return false;
    client.connection.send(event, payload);
    return true;
  }

  onDisconnect(listener: (clientId: string) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Resolves once at least `count` idle clients are connected; rejects if the signal aborts first. */
  waitForIdle(count: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check: Listener = () => {
        if (signal.aborted) {
          this.waiters.delete(check);
          reject(signal.reason);
        } else if (this.idleCount() >= count) {
          this.waiters.delete(check);
          // A job waits once per round; a listener left behind each time would pile up on its signal.
          signal.removeEventListener('abort', check);
          resolve();
        }
      };
      this.waiters.add(check);
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }

  protected notifyWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  protected notifyDisconnect(clientId: string): void {
    for (const listener of [...this.disconnectListeners]) listener(clientId);
  }
}
