/**
 * Messages for other nodes, gathered per node and sent as one bus message of type `type` after `delayMs` (0: once this
 * turn of the event loop is over). A round that opens for 5,000 clients of other nodes is then one `fleet:emit`
 * per node, not 5,000 adapter broadcasts every node decodes; downloads served for other nodes' jobs are one
 * `job:downloads` per leader and 200 ms, not one message (and one lease read) each.
 */
import type { ClusterBus } from './cluster-bus.js';

export class NodeBatches<T> {
  private readonly queued = new Map<string, T[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly bus: ClusterBus,
    private readonly type: string,
    private readonly delayMs: number,
  ) {}

  add(nodeId: string, item: T): void {
    const batch = this.queued.get(nodeId);
    if (batch === undefined) this.queued.set(nodeId, [item]);
    else batch.push(item);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends what is gathered now (also at shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [nodeId, batch] of this.queued) this.bus.send(this.type, batch, nodeId);
    this.queued.clear();
  }
}
