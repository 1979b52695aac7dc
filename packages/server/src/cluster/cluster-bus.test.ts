/** The node-to-node bus on an in-process hub: one-way messages, requests with replies, refusals and timeouts. */
import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { ClusterBus } from './cluster-bus.js';
import { MemoryBusHub } from './memory-bus.js';

function buses(...ids: string[]): ClusterBus[] {
  const hub = new MemoryBusHub();
  return ids.map((id) => new ClusterBus(id, hub.transport(id)));
}

describe('ClusterBus', () => {
  it('delivers a message to every other node, or only to the one named', async () => {
    const [a, b, c] = buses('a', 'b', 'c');
    const seen: string[] = [];
    b!.handle('ping', (payload, from) => void seen.push(`b:${String(payload)}:${from}`));
    c!.handle('ping', (payload, from) => void seen.push(`c:${String(payload)}:${from}`));
    a!.handle('ping', () => void seen.push('a'));
    a!.send('ping', 1);
    a!.send('ping', 2, 'c');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.sort()).toEqual(['b:1:a', 'c:1:a', 'c:2:a']);
  });

  it("answers a request with the handler's value, or its refusal as a ShoalError with the same code", async () => {
    const [a, b] = buses('a', 'b');
    b!.handle('double', (payload) => Number(payload) * 2);
    b!.handle('later', async (payload) => `later ${String(payload)}`);
    b!.handle('refuse', () => {
      throw new ShoalError('DUPLICATE_UPDATE', 'already delivered');
    });
    expect(await a!.request('b', 'double', 21, 5_000)).toBe(42);
    expect(await a!.request('b', 'later', 'x', 5_000)).toBe('later x');
    await expect(a!.request('b', 'refuse', {}, 5_000)).rejects.toMatchObject({ code: 'DUPLICATE_UPDATE', message: 'already delivered' });
    await expect(a!.request('b', 'unknown', {}, 5_000)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('fails a request to a node that does not answer with NODE_UNAVAILABLE, and every pending one on close', async () => {
    const hub = new MemoryBusHub();
    const a = new ClusterBus('a', hub.transport('a'));
    const b = new ClusterBus('b', hub.transport('b'));
    b.handle('slow', () => new Promise(() => undefined));
    hub.disconnect('b');
    await expect(a.request('b', 'slow', {}, 30)).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE' });
    const abandoned = a.request('b', 'slow', {}, 60_000);
    a.abandon('b', 'went silent');
    await expect(abandoned).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE', message: 'node b went silent' });
    const pending = a.request('b', 'slow', {}, 60_000);
    a.close();
    await expect(pending).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE' });
  });
});
