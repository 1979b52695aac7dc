/** The fleet as every node sees it: presence, busy flags, departures and silent nodes, on an in-process bus. */
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterBus } from './cluster-bus.js';
import { ClusterRegistry, RemoteConnection } from './cluster-registry.js';
import { MemoryBusHub } from './memory-bus.js';
import type { ClientConnection } from '../fleet/client-registry.js';

const capabilities = { platform: 'test', backend: 'cpu', agentVersion: 't', numTrainExamples: 10, numEvalExamples: 0 };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const registries: ClusterRegistry[] = [];
afterEach(() => {
  for (const registry of registries.splice(0)) registry.stop();
});

/** Silence of 1 s ends a node: far above any scheduling delay between its 20 ms announcements. */
const PRESENCE = { aliveEveryMs: 20, nodeTimeoutMs: 1_000 };

function cluster(ids: string[], options = PRESENCE) {
  const hub = new MemoryBusHub();
  const emitted: string[] = [];
  const nodes = ids.map((id) => {
    const registry = new ClusterRegistry(new ClusterBus(id, hub.transport(id)), (_node, clientId, event) => void emitted.push(`${id}->${clientId}:${event}`), options);
    registries.push(registry);
    return registry;
  });
  return { hub, nodes, emitted };
}

function local(log: string[], name: string): ClientConnection {
  return { send: (event) => void log.push(`${name}:${event}`), disconnect: (reason) => void log.push(`${name} disconnected: ${reason}`) };
}

const register = (registry: ClusterRegistry, id: string, connection: ClientConnection) =>
  registry.register({ id, name: id, capabilities, connection, connectedAt: 1, lastSeenAt: 1 });

describe('ClusterRegistry', () => {
  it('shows every node the clients of the others, idle or busy, and reaches a remote one through its room', async () => {
    const { nodes, emitted } = cluster(['a', 'b']);
    const [a, b] = nodes as [ClusterRegistry, ClusterRegistry];
    const log: string[] = [];
    register(a, 'c1', local(log, 'c1'));
    register(b, 'c2', local(log, 'c2'));
    await settle();
    expect(a.idleCandidates().map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(b.idleCount()).toBe(2);
    expect(a.localSize()).toBe(1);
    expect(a.get('c2')?.connection).toBeInstanceOf(RemoteConnection);

    a.setBusy(['c1', 'c2'], 'job-1');
    await settle();
    expect(b.idleCount()).toBe(0);
    expect(b.get('c1')?.busyWith).toBe('job-1');
    a.send('c2', 'fit:task', {});
    expect(emitted).toEqual(['a->c2:fit:task']);
    a.setBusy(['c1', 'c2'], undefined);
    await settle();
    expect(b.idleCount()).toBe(2);
  });

  it('tells the jobs when a remote client leaves, and drops the clients of a node that fell silent', async () => {
    const { hub, nodes } = cluster(['a', 'b', 'c']);
    const [a, b, c] = nodes as [ClusterRegistry, ClusterRegistry, ClusterRegistry];
    for (const node of nodes) node.start();
    const gone: string[] = [];
    a.onRemoteDeparture((id) => gone.push(id));
    const bConnection = local([], 'cb');
    register(b, 'cb', bConnection);
    register(c, 'cc', local([], 'cc'));
    await settle();
    expect(a.size()).toBe(2);
    b.unregister('cb', bConnection);
    await settle();
    expect(gone).toEqual(['cb']);
    hub.disconnect('c');
    while (gone.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gone).toEqual(['cb', 'cc']);
    expect(a.size()).toBe(0);
    // Node c was only cut off: once it is heard from again, its client is back on every node.
    hub.reconnect('c');
    while (a.size() < 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.get('cc')?.connection).toBeInstanceOf(RemoteConnection);
  });

  it('lets a node that starts later learn the fleet, and a client that moves nodes keeps one entry', async () => {
    const { hub, nodes } = cluster(['a']);
    const [a] = nodes as [ClusterRegistry];
    const log: string[] = [];
    register(a, 'mover', local(log, 'old'));
    const late = new ClusterRegistry(new ClusterBus('late', hub.transport('late')), () => undefined, PRESENCE);
    registries.push(late);
    late.start();
    await settle();
    expect(late.idleCandidates().map((c) => c.id)).toEqual(['mover']);

    // The device reconnects to the late node: the first node lets its stale socket go.
    register(late, 'mover', local(log, 'new'));
    await settle();
    expect(log).toContain('old disconnected: the client connected to another node');
    expect(a.get('mover')?.connection).toBeInstanceOf(RemoteConnection);
    expect(late.get('mover')?.connection).not.toBeInstanceOf(RemoteConnection);
    expect(late.size()).toBe(1);
    expect([late.localSize(), a.localSize()]).toEqual([1, 0]);
  });
});
