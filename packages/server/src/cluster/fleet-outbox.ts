/**
 * Messages from this node to clients held by other nodes (fit tasks, secure-aggregation messages, …): gathered per
 * node over one turn of the event loop and sent as one bus message, which the holding node hands to its local
 * sockets. A round that opens for 5,000 clients is then one message per node, not 5,000 adapter broadcasts that
 * every node decodes.
 */
import type { ClusterBus } from './cluster-bus.js';

/** One message for one client: [clientId, event, payload]. */
type Envelope = [string, string, unknown];

export class FleetOutbox {
  private readonly queued = new Map<string, Envelope[]>();
  private scheduled = false;

  /** `deliver` emits to a client's socket on this node (its room, local only); a client no longer here is skipped. */
  constructor(
    private readonly bus: ClusterBus,
    deliver: (clientId: string, event: string, payload: unknown) => void,
  ) {
    bus.handle('fleet:emit', (payload) => {
      for (const [clientId, event, message] of payload as Envelope[]) deliver(clientId, event, message);
    });
  }

  send(nodeId: string, clientId: string, event: string, payload: unknown): void {
    let batch = this.queued.get(nodeId);
    if (batch === undefined) this.queued.set(nodeId, (batch = []));
    batch.push([clientId, event, payload]);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is gathered now (also at shutdown). */
  flush(): void {
    this.scheduled = false;
    for (const [nodeId, batch] of this.queued) this.bus.send('fleet:emit', batch, nodeId);
    this.queued.clear();
  }
}
