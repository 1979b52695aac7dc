/** The run directory: config.json, partition.json, metrics.jsonl (one line per round), summary.json. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '@shoal/protocol';
import type { PartitionReport } from '@shoal/data';

/** One round as metrics.jsonl records it; every field but wallMs is the same in two runs with the same seed. */
export interface RoundLine {
  round: number;
  status: 'completed' | 'failed';
  /** Central test accuracy and loss of the round's new model (null when the round produced none). */
  accuracy: number | null;
  loss: number | null;
  /** Accepted updates. */
  participants: number;
  /** Selected clients that failed, crashed or were still pending at the deadline. */
  dropped: number;
  selected: number;
  bytesUp: number;
  bytesDown: number;
  /** Simulated duration of the round (virtual time: straggler latencies and deadlines, not compute). */
  durationMs: number;
  /** Real time this machine took to run the round, from its start to its record (training, aggregation, evaluation). */
  wallMs: number;
  trainLoss: number | null;
  /** Injected this round, among the selected clients. */
  faults: { dropout: number; crashMidTraining: number; crashMidUpload: number; late: number; attackers: number };
  /** The privacy budget spent so far, present only when the round's metrics carry one. */
  epsilon?: number;
}

export interface SimulationSummary {
  jobId: string;
  jobStatus: string;
  rounds: number;
  completedRounds: number;
  finalAccuracy: number | null;
  bestAccuracy: number | null;
  /** First round whose central accuracy reached the target (null if never, or no target). */
  targetRound: number | null;
  finalWeightsSha256: string;
  acceptedUpdates: number;
  wallSeconds: number;
  /** Median real time of a round on this machine. */
  secondsPerRound: number;
  /** Accepted client updates per second of real round time. */
  updatesPerSecond: number;
  /** Simulated time of all rounds together (what the fleet would have taken). */
  virtualSeconds: number;
  peakRssMiB: number;
  workers: number;
  workerBusySeconds: number[];
  counters: Record<string, number>;
}

export const FILES = { config: 'config.json', partition: 'partition.json', metrics: 'metrics.jsonl', summary: 'summary.json', report: 'report.html', charts: 'charts' } as const;

/** Creates (or empties) the run directory; refuses a non-empty directory that is not a previous run. */
export function prepareRunDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, FILES.config))) {
      throw new ShoalError('VALIDATION_FAILED', `out: ${dir} exists and is not a simulation run directory (no ${FILES.config}); choose another`, { details: { field: 'out' } });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(dir, FILES.charts), { recursive: true });
}

export function writeJson(dir: string, file: string, value: unknown): void {
  writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
}

export function appendRound(dir: string, line: RoundLine): void {
  appendFileSync(join(dir, FILES.metrics), `${JSON.stringify(line)}\n`);
}

export function readRounds(dir: string): RoundLine[] {
  const text = existsSync(join(dir, FILES.metrics)) ? readFileSync(join(dir, FILES.metrics), 'utf8') : '';
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as RoundLine);
}

/** The partition as partition.json keeps it: the summary and every client's label histogram. */
export function partitionFile(report: PartitionReport, clientIds: readonly string[]): unknown {
  const { histograms, ...summary } = report;
  return { ...summary, clients: histograms.map((histogram, i) => ({ id: clientIds[i], examples: histogram.reduce((a, b) => a + b, 0), labels: histogram })) };
}
