/** Buses of several nodes in one process, for tests: each envelope reaches the other nodes on a later tick, as over Redis. */
import type { BusEnvelope, BusTransport } from './cluster-bus.js';

export class MemoryBusHub {
  private readonly nodes = new Map<string, { listeners: ((envelope: BusEnvelope) => void)[]; connected: boolean }>();

  transport(nodeId: string): BusTransport {
    const node = { listeners: [] as ((envelope: BusEnvelope) => void)[], connected: true };
    this.nodes.set(nodeId, node);
    return {
      send: (envelope) => {
        if (!node.connected) return;
        // Structured clone: nothing is shared between nodes, as after a trip through Redis.
        const copy = structuredClone(envelope);
        for (const [id, other] of this.nodes) {
          if (id === nodeId || !other.connected) continue;
          setImmediate(() => {
            if (other.connected) for (const listener of other.listeners) listener(copy);
          });
        }
      },
      onEnvelope: (listener) => void node.listeners.push(listener),
    };
  }

  /** The node stops sending and receiving, as a killed process (or a cut-off Redis subscriber) would. */
  disconnect(nodeId: string): void {
    const node = this.nodes.get(nodeId);
    if (node !== undefined) node.connected = false;
  }

  /** The node is connected again; what it missed meanwhile is lost. */
  reconnect(nodeId: string): void {
    const node = this.nodes.get(nodeId);
    if (node !== undefined) node.connected = true;
  }
}
