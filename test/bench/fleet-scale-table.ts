/**
 * The table `bench:fleet-scale` prints: one row per measure, one column per shape measured (1 node on SQLite, 1 node
 * on PostgreSQL, N nodes of a cluster), the issue's target last. A measure a column did not take reads "—".
 */
import { fixed, median, table } from './bench-support.js';
import type { ConnectionResult } from './fleet-scale-connections.js';
import type { RoundResult } from './fleet-scale-rounds.js';

export interface ColumnResult {
  label: string;
  nodes: number;
  devices: number;
  /** Per node. */
  maxConnections: number;
  connections: ConnectionResult | undefined;
  rounds: RoundResult[];
  /** Why the column stopped early, if it did. */
  error: string | undefined;
}

const mib = (bytes: number) => bytes / 2 ** 20;
const mbps = (bytesPerSecond: number) => fixed(bytesPerSecond / 1e6, 1);
const count = (value: number) => value.toLocaleString('en');
const codes = (tally: Record<string, number>) => (Object.keys(tally).length === 0 ? 'none' : Object.entries(tally).map(([code, n]) => `${count(n)} × ${code}`).join(', '));
const perNode = (values: readonly number[]) => (values.length === 1 ? count(values[0]!) : values.map(count).join(' / '));

export function fleetScaleTable(columns: readonly ColumnResult[], roundSizes: readonly number[], beyond: number): string {
  const held = (cell: (result: ConnectionResult, column: ColumnResult) => string) => columns.map((column) => (column.connections === undefined ? '—' : cell(column.connections, column)));
  const rows: string[][] = [
    ['devices held (per node; target --devices, cap --max-connections per node)', ...held((r, c) => `${count(r.held)} of ${count(c.devices)} (${perNode(r.heldPerNode)}; cap ${count(c.maxConnections)})`), '≥ 50,000 across nodes'],
    ['the fleet as each node sees it after the ramp (GET /api/v1/clients online)', ...held((r) => perNode(r.seenPerNode)), 'the whole fleet on every node'],
    ['ramp (s), hello failures', ...held((r) => `${fixed(r.rampSeconds)} s, ${codes(r.failures)}`), ''],
    ['coordinator RSS before → held (MiB, summed over nodes)', ...held((r) => `${fixed(mib(r.rssBefore))} → ${fixed(mib(r.rssHeld))}`), ''],
    ['coordinator RSS after a full GC, before → held (MiB, summed over nodes)', ...held((r) => `${fixed(mib(r.rssBeforeGc))} → ${fixed(mib(r.rssHeldGc))}`), ''],
    ['RSS per connection (KiB, growth / held: after a full GC; as found)', ...held((r) => `${fixed((r.rssHeldGc - r.rssBeforeGc) / r.held / 1024)}; ${fixed((r.rssHeld - r.rssBefore) / r.held / 1024)}`), '≤ 30'],
    ['hello p50 / p99 (ms, connect → hello ack)', ...held((r) => `${fixed(r.helloP50)} / ${fixed(r.helloP99)}`), ''],
    [`refusals of ${beyond} connections past the caps`, ...held((r) => codes(r.refusals)), 'CAPACITY_EXCEEDED'],
    ['/healthz at the cap (slowest node)', ...held((r) => `${r.healthz.status} in ${fixed(r.healthz.ms)} ms`), '200'],
    ['idle CPU per 10,000 devices (% of a core, sum over nodes, median)', ...held((r) => `${fixed(median(r.idleCorePercent))} (${r.idleCorePercent.map((v) => fixed(v)).join(', ')})`), '≤ 20 (half of 40)'],
    ['device processes\' CPU while idle (% of a core)', ...held((r) => fixed(r.devicesCorePercent)), ''],
    ['devices dropped (ramp and idle; why)', ...held((r) => (r.dropped === 0 ? '0' : `${count(r.dropped)} (${codes(r.dropReasons)})`)), '0'],
  ];
  const singles = columns.filter((column) => column.nodes === 1);
  roundSizes.forEach((clients, index) => {
    const label = `round of ${count(clients)}`;
    const cell = (make: (round: RoundResult, column: ColumnResult) => string) => columns.map((column) => (column.rounds[index] === undefined ? '—' : make(column.rounds[index]!, column)));
    const ratio = (round: RoundResult, column: ColumnResult) => {
      if (column.nodes === 1) return '—';
      const against = singles.filter((single) => single.rounds[index] !== undefined);
      return against.length === 0 ? '—' : against.map((single) => `${fixed(single.rounds[index]!.leaderCpuMsPerUpdate / round.leaderCpuMsPerUpdate, 2)}× vs ${single.label}`).join('; ');
    };
    rows.push(
      [`${label}: wall time (s)`, ...cell((round) => fixed(round.wallSeconds, 2)), ''],
      [`${label}: updates/s`, ...cell((round) => fixed(round.updatesPerSecond)), ''],
      [`${label}: leader CPU per update (ms)`, ...cell((round) => fixed(round.leaderCpuMsPerUpdate, 2)), ''],
      [`${label}: other nodes' CPU per update (ms, summed over them)`, ...cell((round) => (Number.isNaN(round.othersCpuMsPerUpdate) ? '—' : fixed(round.othersCpuMsPerUpdate, 2))), ''],
      [`${label}: leader CPU per update, 1 node ÷ this`, ...cell(ratio), '≥ 5× with hierarchical aggregation'],
      [`${label}: updates accepted / downloads`, ...cell((round) => `${count(round.accepted)} / ${count(round.downloads)} over ${round.rounds} rounds${Object.keys(round.problems).length === 0 ? '' : `; problems ${codes(round.problems)}`}`), ''],
      [`${label}: download bytes served (MiB)`, ...cell((round) => `${fixed(mib(round.downloadBytesServed))} (devices received ${fixed(mib(round.downloadBytesReceived))}); ${round.distinctEtagsPerRound} ETag per round; ${round.cacheControl.join(' ')}`), ''],
      [`${label}: uploads summed / forwarded on the other nodes; partial sums merged by the leader`, ...cell((round, column) => (column.nodes === 1 ? '—' : `summed ${round.summed.slice(1).map(count).join(' + ')}, forwarded ${round.forwarded.slice(1).map(count).join(' + ')}; merged ${count(round.merged[0]!)}`)), 'summed > 0, forwarded 0'],
      [`${label}: upload MB/s (socket.io, all nodes) / loopback MB/s`, ...cell((round) => `${mbps(round.uploadBytesPerSecond)} / ${Number.isNaN(round.loopbackBytesPerSecond) ? '—' : mbps(round.loopbackBytesPerSecond)}`), ''],
      [`${label}: socket path / loopback`, ...cell((round) => (Number.isNaN(round.loopbackBytesPerSecond) ? '—' : fixed(round.uploadBytesPerSecond / round.loopbackBytesPerSecond, 3))), '≥ 0.5'],
    );
  });
  const failed = columns.filter((column) => column.error !== undefined);
  if (failed.length > 0) rows.push(['stopped early', ...columns.map((column) => column.error ?? ''), '']);
  return table(['measure', ...columns.map((column) => column.label), 'target'], rows);
}
