/**
 * Runs one simulation: loads and partitions the data, starts the trainer pool and the real coordinator, connects
 * the virtual fleet, runs a FedAvg job through it, and records each round in the run directory. The coordinator's
 * deadlines and the clients' latencies run on one virtual clock that moves only while the fleet is idle.
 */
import { createHash } from 'node:crypto';
import type { RoundMetrics } from '@shoal/protocol';
import { startCoordinator, type CoordinatorHarness } from './coordinator-harness.js';
import { FaultPlan } from './fault-plan.js';
import { appendRound, FILES, partitionFile, prepareRunDir, writeJson, type RoundLine, type SimulationSummary } from './run-files.js';
import { WHOLE_DATA_BATCH, type SimulationConfig } from './sim-config.js';
import { loadSimulationData, partitionClients, reportPartition } from './sim-dataset.js';
import { TrainerPool } from './trainer-pool.js';
import { UploadOrder } from './upload-order.js';
import { VirtualClock } from '@shoal/server';
import { FleetActivity } from './fleet-activity.js';
import { VirtualClient, type ClientHost } from './virtual-client.js';
import { writeReport } from './report.js';

export interface SimulationHooks {
  /** Called with each round as it is recorded. */
  onRound?(line: RoundLine): void;
  /** Progress of the set-up steps (loading, connecting the fleet). */
  onStatus?(text: string): void;
  /** The job was created: its first round starts now. */
  onJobStarted?(jobId: string): void;
}

const CONNECT_CONCURRENCY = { memory: 1000, socket: 20 };

function clientId(index: number, clients: number): string {
  return `sim-${String(index).padStart(Math.max(5, String(clients - 1).length), '0')}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The job a simulation creates: the knobs mapped onto the real create-job request. */
export function jobRequest(config: SimulationConfig): Record<string, unknown> {
  return {
    name: `simulation ${config.model} ${config.partition}`,
    model: { preset: config.model },
    seed: config.seed,
    rounds: config.rounds,
    // ceil(fraction × clients) must be exactly perRound; half a client of slack keeps float error from adding one.
    fractionFit: (config.perRound - 0.5) / config.clients,
    minFitClients: config.quorum,
    // Each round waits for the whole fleet to be idle, so the sampled set depends on the seed alone.
    minAvailableClients: config.clients,
    localEpochs: config.localEpochs,
    batchSize: config.batchSize === 0 ? WHOLE_DATA_BATCH : config.batchSize,
    learningRate: config.learningRate,
    roundDeadlineMs: config.roundDeadlineMs,
    uploadCodec: { id: config.codec },
    strategy: config.strategy,
    ...(config.maxExamplesPerClient === undefined ? {} : { maxExamplesPerClient: config.maxExamplesPerClient }),
    ...(config.maxUpdateNorm === undefined ? {} : { maxUpdateNorm: config.maxUpdateNorm }),
    evaluation: config.evalLimit > 0 ? { dataset: 'mnist-test', limit: config.evalLimit } : { dataset: 'mnist-test' },
  };
}

async function connectAll(clients: VirtualClient[], concurrency: number, onStatus: (text: string) => void): Promise<void> {
  let next = 0;
  let connected = 0;
  const worker = async () => {
    while (next < clients.length) {
      await clients[next++]!.connect();
      if (++connected % 1000 === 0 || connected === clients.length) onStatus(`connected ${connected}/${clients.length} virtual clients`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
}

export async function runSimulation(config: SimulationConfig, hooks: SimulationHooks = {}): Promise<SimulationSummary> {
  const started = performance.now();
  const status = hooks.onStatus ?? (() => undefined);
  prepareRunDir(config.out);
  writeJson(config.out, FILES.config, config);

  status(`loading ${config.dataset}`);
  const data = loadSimulationData(config);
  const partition = partitionClients(config, data.train);
  const ids = partition.map((_, index) => clientId(index, config.clients));
  const indexOf = new Map(ids.map((id, index) => [id, index]));
  writeJson(config.out, FILES.partition, partitionFile(reportPartition(partition, data.train), ids));

  const pool = new TrainerPool(config.workers, { train: data.train, test: data.test });
  const counters: Record<string, number> = {};
  const models = new Map<string, Promise<void>>();
  const faults = new FaultPlan(config.faults, config.seed, config.clients, config.roundDeadlineMs);
  const order = new UploadOrder();
  // Virtual time starts at the real time, so the coordinator's records carry plausible dates.
  const clock = new VirtualClock(Date.now());
  const activity = new FleetActivity(clock);
  let harness: CoordinatorHarness | undefined;
  const clients: VirtualClient[] = [];
  try {
    [, harness] = await Promise.all([pool.ready(), startCoordinator(config, pool, clock)]);
    const { events, jobs, store, transport } = harness;
    const host: ClientHost = {
      config,
      transport,
      faults,
      order,
      pool,
      activity,
      ensureModel: (jobId, modelUrl) => {
        let ready = models.get(jobId);
        if (ready === undefined) models.set(jobId, (ready = transport.getJson(modelUrl).then((document) => pool.setModel(jobId, document))));
        return ready;
      },
      waitOffline: (id) =>
        new Promise((resolve) => {
          const listener = ({ clientId: offline }: { clientId: string }) => {
            if (offline !== id) return;
            events.off('client:offline', listener);
            resolve();
          };
          events.on('client:offline', listener);
        }),
      count: (what) => void (counters[what] = (counters[what] ?? 0) + 1),
    };
    partition.forEach((indices, index) => clients.push(new VirtualClient(index, ids[index]!, indices, host)));
    status(`connecting ${config.clients} virtual clients (${config.transport} transport)`);
    await connectAll(clients, CONNECT_CONCURRENCY[config.transport], status);

    const lines: RoundLine[] = [];
    const injected = new Map<number, RoundLine['faults']>();
    const lateClients = new Map<number, string[]>();
    const roundStarted = new Map<number, number>();
    let jobId = '';
    let targetRound: number | null = null;
    const finished = new Promise<string>((resolve) => {
      events.on('job:status', (change) => {
        // The job announces itself as running before its first round starts, and before jobs.create returns.
        if (jobId === '' && change.status === 'running') {
          jobId = change.jobId;
          hooks.onJobStarted?.(jobId);
        } else if (change.jobId === jobId && change.status !== 'running' && change.status !== 'paused') resolve(change.status);
      });
    });
    events.on('round:started', ({ jobId: job, round, selected }) => {
      if (job !== jobId) return;
      roundStarted.set(round, performance.now());
      const counts = { dropout: 0, crashMidTraining: 0, crashMidUpload: 0, late: 0, attackers: 0 };
      const uploaders: string[] = [];
      const late: string[] = [];
      for (const id of selected) {
        // Until its task has arrived and it has reached a wait, a selected client counts as working.
        activity.busy(id);
        const index = indexOf.get(id)!;
        const fate = faults.decide(round, index).fate;
        if (fate === 'honest') uploaders.push(id);
        else if (fate === 'dropout') counts.dropout++;
        else if (fate === 'crash-mid-training') counts.crashMidTraining++;
        else if (fate === 'crash-mid-upload') counts.crashMidUpload++;
        else {
          counts.late++;
          late.push(id);
        }
        if (faults.malicious.has(index)) counts.attackers++;
      }
      injected.set(round, counts);
      lateClients.set(round, late);
      order.begin(round, uploaders);
    });
    events.on('round:closed', ({ jobId: job, round }) => {
      // Late clients upload as soon as they hear the round closed; until they have, time must not move on.
      if (job === jobId) for (const id of lateClients.get(round) ?? []) activity.busy(id);
    });
    events.on('round:finished', ({ jobId: job, round, status: roundStatus, metrics }) => {
      // Federated evaluation re-announces a round; the simulation records each round once.
      if (job !== jobId || lines.some((line) => line.round === round)) return;
      const record = store.getRound(jobId, round)!;
      const line = roundLine(round, roundStatus, metrics, record, injected.get(round)!, performance.now() - (roundStarted.get(round) ?? performance.now()));
      lines.push(line);
      appendRound(config.out, line);
      hooks.onRound?.(line);
      if (targetRound === null && config.targetAccuracy > 0 && (line.accuracy ?? 0) >= config.targetAccuracy) {
        targetRound = round;
        void jobs.stop(jobId).catch(() => undefined);
      }
    });

    await jobs.create(jobRequest(config));
    const jobStatus = await finished;
    const jobRecord = store.getJob(jobId)!;
    const weights = store.getVersionWeights(jobId, jobRecord.latestVersion)!;
    const accuracies = lines.map((line) => line.accuracy).filter((value): value is number => value !== null);
    const accepted = lines.reduce((sum, line) => sum + line.participants, 0);
    const roundSeconds = lines.reduce((sum, line) => sum + line.wallMs, 0) / 1000;
    const summary: SimulationSummary = {
      jobId,
      jobStatus,
      rounds: lines.length,
      completedRounds: lines.filter((line) => line.status === 'completed').length,
      finalAccuracy: accuracies.at(-1) ?? null,
      bestAccuracy: accuracies.length === 0 ? null : Math.max(...accuracies),
      targetRound,
      finalWeightsSha256: createHash('sha256').update(weights).digest('hex'),
      acceptedUpdates: accepted,
      wallSeconds: (performance.now() - started) / 1000,
      secondsPerRound: median(lines.map((line) => line.wallMs)) / 1000,
      updatesPerSecond: roundSeconds > 0 ? accepted / roundSeconds : 0,
      virtualSeconds: lines.reduce((sum, line) => sum + line.durationMs, 0) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      workers: pool.size,
      workerBusySeconds: pool.busyMs.map((ms) => ms / 1000),
      counters,
    };
    writeJson(config.out, FILES.summary, summary);
    writeReport(config, lines, summary, data.name);
    return summary;
  } finally {
    activity.stop();
    for (const client of clients) client.disconnect();
    await harness?.stop();
    await pool.close();
  }
}

function roundLine(
  round: number,
  status: 'completed' | 'failed',
  metrics: RoundMetrics,
  record: { selected: number; reported: number; failed: number },
  faults: RoundLine['faults'],
  wallMs: number,
): RoundLine {
  const line: RoundLine = {
    round,
    status,
    accuracy: metrics.centralAccuracy ?? null,
    loss: metrics.centralLoss ?? null,
    participants: record.reported,
    dropped: record.failed,
    selected: record.selected,
    bytesUp: metrics.bytesUp ?? 0,
    bytesDown: metrics.bytesDown ?? 0,
    durationMs: metrics.durationMs ?? 0,
    wallMs: Math.round(wallMs),
    trainLoss: metrics.trainLoss ?? null,
    faults,
  };
  const epsilon = (metrics as Record<string, unknown>)['epsilon'];
  if (typeof epsilon === 'number') line.epsilon = epsilon;
  return line;
}
