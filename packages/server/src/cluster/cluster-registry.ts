/**
 * The fleet as every node sees it: the clients connected here (as ClientRegistry keeps them) and a replica of those
 * connected to the other nodes, kept by presence messages on the cluster bus. A job's leader selects from, and sends
 * tasks to, the whole fleet; a remote client is reached through its socket.io room, which the Redis adapter delivers
 * on the node that holds it. A node that stops announcing itself takes its clients out of the replica.
 */
import type { ClientCapabilities } from '@shoal/protocol';
import { ClientRegistry, type ClientConnection, type ConnectedClient } from '../fleet/client-registry.js';
import type { ClusterBus } from './cluster-bus.js';

/** What other nodes learn of a client. */
export interface PresenceEntry {
  id: string;
  name: string;
  capabilities: ClientCapabilities;
  connectedAt: number;
  lastSeenAt: number;
  enrolled?: boolean | undefined;
  busyWith?: string | undefined;
}

/** Sends a message to a client held by the node `nodeId`. */
export type RoomEmit = (nodeId: string, clientId: string, event: string, payload: unknown) => void;

/** A client held by another node. */
export class RemoteConnection implements ClientConnection {
  constructor(
    readonly nodeId: string,
    private readonly clientId: string,
    private readonly emit: RoomEmit,
    private readonly bus: ClusterBus,
  ) {}

  send(event: string, payload: unknown): void {
    this.emit(this.nodeId, this.clientId, event, payload);
  }

  disconnect(reason: string): void {
    this.bus.send('presence:disconnect', { clientId: this.clientId, reason }, this.nodeId);
  }
}

export interface ClusterRegistryOptions {
  /** How often this node announces itself. */
  aliveEveryMs: number;
  /** A node not heard from for this long has its clients dropped from the replica. */
  nodeTimeoutMs: number;
}

/** A busy node on a loaded machine may miss a few announcements; 15 s of silence is a dead node. */
export const DEFAULT_PRESENCE: ClusterRegistryOptions = { aliveEveryMs: 2_000, nodeTimeoutMs: 15_000 };

const isRemote = (client: ConnectedClient | undefined): boolean => client?.connection instanceof RemoteConnection;

export class ClusterRegistry extends ClientRegistry {
  private readonly nodesSeenAt = new Map<string, number>();
  /** The entries held by other nodes, so that counting this node's own costs nothing per hello. */
  private readonly remoteIds = new Set<string>();
  private readonly departures = new Set<(clientId: string) => void>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly bus: ClusterBus,
    private readonly emit: RoomEmit,
    private readonly options: ClusterRegistryOptions = DEFAULT_PRESENCE,
  ) {
    super();
    bus.handle('presence:online', (payload, from) => this.remoteOnline(payload as PresenceEntry, from));
    bus.handle('presence:offline', (payload, from) => this.remoteOffline((payload as { id: string }).id, from));
    bus.handle('presence:busy', (payload) => {
      const { ids, jobId } = payload as { ids: string[]; jobId: string | null };
      this.applyBusy(ids, jobId ?? undefined);
    });
    bus.handle('presence:disconnect', (payload) => {
      const { clientId, reason } = payload as { clientId: string; reason: string };
      const client = this.clients.get(clientId);
      if (client !== undefined && !isRemote(client)) client.connection.disconnect(reason);
    });
    bus.handle('presence:alive', (_payload, from) => {
      // A node heard from again after it was taken for dead (its messages were lost, say while Redis dropped a slow
      // subscriber): its clients are asked for anew, so the replica heals instead of missing them for good.
      if (!this.nodesSeenAt.has(from)) this.bus.send('presence:sync', {}, from);
      this.nodesSeenAt.set(from, Date.now());
    });
    // A node that starts (or restarts) asks for everyone's clients; each sends it its own.
    bus.handle('presence:sync', (_payload, from) => this.bus.send('presence:snapshot', this.localEntries(), from));
    bus.handle('presence:snapshot', (payload, from) => {
      for (const entry of payload as PresenceEntry[]) this.remoteOnline(entry, from);
    });
  }

  /** Starts announcing this node, asks the others for their clients, and expires silent nodes. */
  start(): void {
    this.bus.send('presence:sync', {});
    this.timer = setInterval(() => {
      this.bus.send('presence:alive', {});
      this.expireSilentNodes(Date.now());
    }, this.options.aliveEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** A remote client left (its node said so, or went silent): the jobs drop it as they would a local disconnect. */
  onRemoteDeparture(listener: (clientId: string) => void): void {
    this.departures.add(listener);
  }

  /** Clients connected to this node only. */
  override localSize(): number {
    return this.clients.size - this.remoteIds.size;
  }

  override register(client: Omit<ConnectedClient, 'busyWith'>): void {
    // A client that moved here from another node: super disconnects the RemoteConnection, so that node lets go of
    // any half-open socket it still holds.
    super.register(client);
    if (client.connection instanceof RemoteConnection) return;
    this.remoteIds.delete(client.id);
    this.bus.send('presence:online', entryOf(this.clients.get(client.id)!));
  }

  override unregister(clientId: string, connection: ClientConnection): void {
    const local = this.clients.get(clientId)?.connection === connection && !(connection instanceof RemoteConnection);
    super.unregister(clientId, connection);
    if (local) this.bus.send('presence:offline', { id: clientId });
  }

  override setBusy(clientIds: readonly string[], jobId: string | undefined): void {
    super.setBusy(clientIds, jobId);
    if (clientIds.length > 0) this.bus.send('presence:busy', { ids: clientIds, jobId: jobId ?? null });
  }

  private applyBusy(ids: readonly string[], jobId: string | undefined): void {
    super.setBusy(ids, jobId);
  }

  private remoteOnline(entry: PresenceEntry, from: string): void {
    this.nodesSeenAt.set(from, Date.now());
    const previous = this.clients.get(entry.id);
    const connection = new RemoteConnection(from, entry.id, this.emit, this.bus);
    if (previous !== undefined && !isRemote(previous)) {
      // It reconnected elsewhere: this node's socket is stale.
      previous.connection.disconnect('the client connected to another node');
      this.clients.delete(entry.id);
    }
    this.remoteIds.add(entry.id);
    this.clients.set(entry.id, {
      id: entry.id,
      name: entry.name,
      capabilities: entry.capabilities,
      connection,
      connectedAt: entry.connectedAt,
      lastSeenAt: entry.lastSeenAt,
      enrolled: entry.enrolled === true,
      busyWith: previous?.busyWith ?? entry.busyWith,
    });
    this.notifyWaiters();
  }

  private remoteOffline(clientId: string, from: string): void {
    const client = this.clients.get(clientId);
    if (client === undefined || !(client.connection instanceof RemoteConnection) || client.connection.nodeId !== from) return;
    this.clients.delete(clientId);
    this.remoteIds.delete(clientId);
    this.notifyDisconnect(clientId);
    for (const listener of [...this.departures]) listener(clientId);
  }

  private expireSilentNodes(now: number): void {
    for (const [node, seenAt] of this.nodesSeenAt) {
      if (now - seenAt <= this.options.nodeTimeoutMs) continue;
      this.nodesSeenAt.delete(node);
      this.bus.abandon(node, `has not announced itself for ${this.options.nodeTimeoutMs} ms`);
      for (const client of [...this.clients.values()]) {
        if (client.connection instanceof RemoteConnection && client.connection.nodeId === node) this.remoteOffline(client.id, node);
      }
    }
  }

  private localEntries(): PresenceEntry[] {
    return [...this.clients.values()].filter((client) => !this.remoteIds.has(client.id)).map(entryOf);
  }
}

function entryOf(client: ConnectedClient): PresenceEntry {
  const { id, name, capabilities, connectedAt, lastSeenAt, enrolled, busyWith } = client;
  return { id, name, capabilities, connectedAt, lastSeenAt, enrolled, busyWith };
}
