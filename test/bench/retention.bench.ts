/**
 * `npm run bench:retention`: storage after 1,000 rounds of the 2NN (199,210 parameters, float32 weights frames),
 * keeping every version against the default retention policy (keepLast 10, keepEvery 100). Drives SqliteStore
 * directly, as a round does: startRound with 10 clients, their uploads and downloads, finishRound with a new version,
 * and (with retention) pruneVersions pinning the round's base. Prints file size, rows, time per round and load average.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { SqliteStore, type JobRecord } from '@shoal/server';
import { fixed, median, table } from './bench-support.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 1_000);
const CLIENTS = 10;
const POLICY = { keepLast: 10, keepEvery: 100 };
const SPECS = [
  { name: 'dense/kernel', shape: [784, 200] },
  { name: 'dense/bias', shape: [200] },
  { name: 'dense_1/kernel', shape: [200, 200] },
  { name: 'dense_1/bias', shape: [200] },
  { name: 'dense_2/kernel', shape: [200, 10] },
  { name: 'dense_2/bias', shape: [10] },
];
const codecs = defaultCodecRegistry();
const tensors = SPECS.map((spec) => ({ ...spec, values: Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) * 0.05) }));
const parameters = tensors.reduce((sum, t) => sum + t.values.length, 0);

/** A new version's frame: every weight moves a little, as an aggregate would move it. */
function frame(round: number): Uint8Array {
  for (const tensor of tensors) for (let i = 0; i < tensor.values.length; i += 97) tensor.values[i]! += 1e-4 * round;
  return encodeFrame('weights', tensors, { id: 'float32' }, codecs);
}

function job(id: string): JobRecord {
  return {
    id, name: id, status: 'running', statusReason: undefined,
    // The store keeps the config as given; only the retention part matters here.
    config: { name: id, retention: POLICY } as unknown as JobRecord['config'],
    topology: {}, tensorSpecs: SPECS, createdAt: 1, updatedAt: 1, currentRound: 0, latestVersion: 0, bytesUp: 0, bytesDown: 0,
  };
}

interface Result { mode: string; fileBytes: number; versions: number; withWeights: number; roundMs: number[]; pruneMs: number[] }

function run(mode: 'keep every version' | 'default retention'): Result {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-retention-'));
  const path = join(dir, 'shoal.sqlite');
  const store = new SqliteStore(path);
  const roundMs: number[] = [];
  const pruneMs: number[] = [];
  try {
    store.insertJob(job('bench'), { version: 0, round: undefined, parentVersion: undefined, createdAt: 1, weights: frame(0) });
    const clients = Array.from({ length: CLIENTS }, (_, i) => `c${i}`);
    const frameBytes = frame(0).byteLength;
    for (let round = 1; round <= ROUNDS; round++) {
      const weights = frame(round);
      const started = performance.now();
      store.startRound({ jobId: 'bench', round, status: 'running', statusReason: undefined, startedAt: round, endedAt: undefined, deadlineAt: round + 1, selected: CLIENTS, reported: 0, failed: 0, modelVersion: undefined, metrics: {} }, clients);
      for (const client of clients) {
        store.addBytesDown('bench', round, client, frameBytes);
        store.updateContribution('bench', round, client, { status: 'accepted', bytesUp: 200_000, numExamples: 600, loss: 0.5, accuracy: 0.9, weight: 600 });
      }
      store.finishRound(
        { jobId: 'bench', round, status: 'completed', statusReason: undefined, endedAt: round, reported: CLIENTS, failed: 0, metrics: { trainLoss: 0.5 } },
        { version: round, round, parentVersion: round - 1, createdAt: round, weights },
      );
      const closed = performance.now();
      if (mode === 'default retention') store.pruneVersions('bench', POLICY, [round - 1], round);
      roundMs.push(performance.now() - started);
      pruneMs.push(performance.now() - closed);
    }
    const db = store['db'];
    db.pragma('wal_checkpoint(TRUNCATE)');
    const count = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      mode,
      fileBytes: statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0),
      versions: count('SELECT COUNT(*) AS n FROM model_versions'),
      withWeights: count('SELECT COUNT(*) AS n FROM model_versions WHERE pruned_at IS NULL'),
      roundMs,
      pruneMs,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number): string => fixed(bytes / 2 ** 20, 1);
const results = [run('keep every version'), run('default retention')];
console.log(`model-version retention: ${ROUNDS} rounds of the 2NN (${parameters.toLocaleString('en-US')} parameters, ${CLIENTS} clients per round), SQLite file with WAL checkpointed`);
console.log(
  table(
    ['policy', 'file MiB', 'version rows', 'with weights', 'round ms p50', 'round ms p99', 'prune ms p50', 'last 100 rounds ms p50'],
    results.map((r) => {
      const sorted = [...r.roundMs].sort((a, b) => a - b);
      return [r.mode, mib(r.fileBytes), String(r.versions), String(r.withWeights), fixed(median(r.roundMs), 2), fixed(sorted[Math.floor(sorted.length * 0.99)]!, 2), fixed(median(r.pruneMs), 2), fixed(median(r.roundMs.slice(-100)), 2)];
    }),
  ),
);
console.log(`storage saved: ${fixed(100 * (1 - results[1]!.fileBytes / results[0]!.fileBytes), 1)} %; load average ${loadavg().map((n) => fixed(n, 2)).join(' ')}`);
