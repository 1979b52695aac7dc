import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { DownloadAccounting } from './download-accounting.js';

function recordingLedger() {
  const metric: number[] = [];
  const writes: { round: number; clientId: string; bytes: number }[][] = [];
  return { metric, writes, ledger: { bytesDown: (_round: number | undefined, _client: string | undefined, bytes: number) => void metric.push(bytes), writeBytesDown: (rows: readonly { round: number; clientId: string; bytes: number }[]) => void writes.push([...rows]) } };
}

describe('DownloadAccounting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('moves the metric at once and writes the rows in one batch, summed per round and client, when the round closes', () => {
    const { ledger, metric, writes } = recordingLedger();
    const accounting = new DownloadAccounting(ledger);
    accounting.roundOpened(3, new Map([['a', 't-a'], ['b', 't-b']]));

    accounting.record('t-a', 100, false);
    accounting.record('t-a', 40, true);
    accounting.record('t-b', 60, true);
    accounting.record('unknown', 7, false);
    const beforeClose = writes.length;
    const counts = accounting.roundClosed();

    expect(metric).toEqual([100, 40, 60, 7]);
    expect(beforeClose).toBe(0);
    expect(writes).toEqual([[{ round: 3, clientId: 'a', bytes: 140 }, { round: 3, clientId: 'b', bytes: 60 }]]);
    expect(counts).toEqual({ total: 3, deltas: 2 });
  });

  it('writes within the flush interval while the round is open, and at the next round at the latest', () => {
    vi.useFakeTimers();
    const { ledger, writes } = recordingLedger();
    const accounting = new DownloadAccounting(ledger, 500);
    accounting.roundOpened(1, new Map([['a', 't-a']]));

    accounting.record('t-a', 10, false);
    vi.advanceTimersByTime(499);
    const early = writes.length;
    vi.advanceTimersByTime(1);
    accounting.record('t-a', 5, false);
    accounting.roundOpened(2, new Map([['a', 't-a2']]));

    expect(early).toBe(0);
    expect(writes).toEqual([[{ round: 1, clientId: 'a', bytes: 10 }], [{ round: 1, clientId: 'a', bytes: 5 }]]);
  });

  it("reports a write its timer could not make (a lost lease, a store that is down) instead of throwing out of the timer", () => {
    vi.useFakeTimers();
    const failures: unknown[] = [];
    const ledger = { bytesDown: () => undefined, writeBytesDown: () => {
      throw new ShoalError('LEASE_LOST', 'taken over');
    } };
    const accounting = new DownloadAccounting(ledger, 500, (error) => failures.push(error));
    accounting.roundOpened(1, new Map([['a', 't-a']]));
    accounting.record('t-a', 10, false);
    expect(() => vi.advanceTimersByTime(500)).not.toThrow();
    expect(failures).toEqual([expect.objectContaining({ code: 'LEASE_LOST' })]);
    vi.useRealTimers();
  });

  it('counts a "not modified" answer as neither bytes nor a download', () => {
    const { ledger, metric } = recordingLedger();
    const accounting = new DownloadAccounting(ledger);
    accounting.roundOpened(1, new Map([['a', 't-a']]));

    accounting.record('t-a', 0, false);

    expect([metric, accounting.roundClosed()]).toEqual([[], { total: 0, deltas: 0 }]);
  });

  it("counts the evaluation phase's downloads for the round, apart from its fit downloads and rows", () => {
    const { ledger, metric, writes } = recordingLedger();
    const accounting = new DownloadAccounting(ledger);
    accounting.roundOpened(2, new Map([['a', 't-a']]));
    accounting.record('t-a', 100, false);
    const fit = accounting.roundClosed();

    accounting.evaluationOpened(['e-a', 'e-b']);
    accounting.record('e-a', 300, false);
    accounting.record('e-b', 300, false);
    accounting.record('e-b', 0, false);
    const evaluationBytes = accounting.evaluationClosed();
    accounting.record('e-a', 300, false);
    accounting.flush();

    expect(evaluationBytes).toBe(600);
    expect(accounting.evaluationClosed()).toBe(0);
    expect(metric).toEqual([100, 300, 300, 300]);
    expect(writes).toEqual([[{ round: 2, clientId: 'a', bytes: 100 }]]);
    expect(fit).toEqual({ total: 1, deltas: 0 });
  });
});
