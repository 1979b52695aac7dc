/**
 * One virtual client: a protocol peer that owns only its id and the indices of its examples. It validates each
 * task, downloads the global weights from the task's URL, has a trainer worker train it, and uploads the encoded
 * delta with `fit:result`, unless the fault plan makes it drop out, crash, straggle or attack. It tells the fleet's
 * activity when it works and when it only waits, so that simulated time passes only while nobody computes.
 */
import { PROTOCOL_VERSION, ShoalError, parseMessage, type FitTask, type NamedTensor } from '@shoal/protocol';
import { createRng } from '@shoal/data';
import type { FaultPlan } from './fault-plan.js';
import type { FleetActivity } from './fleet-activity.js';
import { call, type ClientLink, type FleetTransport } from './fleet-transport.js';
import type { SimulationConfig } from './sim-config.js';
import { collusionOf } from './collusion.js';
import type { TrainerPool } from './trainer-pool.js';
import type { UploadOrder } from './upload-order.js';

export const SIMULATOR_AGENT_VERSION = 'shoal-simulator 0.1.0';

/** What an `inflate` attacker claims as its example count, at hello and in fit:result (both schemas allow it). */
export const INFLATED_EXAMPLES = 1e9;

/** What every virtual client shares; one per simulation. */
import type { ClientHost } from './client-host.js';

export type { ClientHost };

/** What a client sends with fit:result. */
interface Upload {
  frame: Uint8Array;
  numExamples: number;
  trainMs: number;
  loss: number;
  accuracy: number;
}

export class VirtualClient {
  private link: ClientLink | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly cancels = new Map<string, () => void>();

  constructor(
    readonly index: number,
    readonly id: string,
    readonly indices: Int32Array,
    private readonly host: ClientHost,
  ) {}

  /** Connects and says hello under this client's stable id. */
  async connect(): Promise<void> {
    const link = await this.host.transport.connect(
      { protocolVersion: PROTOCOL_VERSION, clientId: this.id },
      { event: (event, payload) => this.receive(event, payload), disconnected: () => undefined },
    );
    const reply = await call(link, 'hello', {
      clientId: this.id,
      name: this.id,
      capabilities: { platform: 'simulated', backend: 'wasm', agentVersion: SIMULATOR_AGENT_VERSION, numTrainExamples: this.declaredExamples(), numEvalExamples: 0 },
    });
    if (!reply.ok) throw new ShoalError('INTERNAL', `hello of ${this.id} was refused: ${reply.error?.code} ${reply.error?.message}`);
    if (typeof reply['accessToken'] === 'string') this.host.transport.authorize(reply['accessToken']);
    this.link = link;
  }

  /** Its data set's size; an `inflate` attacker lies already at hello, so only the job's own cap limits its weight. */
  private declaredExamples(): number {
    const { faults, config } = this.host;
    return config.faults.malicious?.attack === 'inflate' && faults.malicious.has(this.index) ? INFLATED_EXAMPLES : this.indices.length;
  }

  disconnect(): void {
    this.link?.disconnect();
    this.link = undefined;
  }

  private receive(event: string, payload: unknown): void {
    if (event === 'fit:task') {
      this.host.activity.busy(this.id);
      this.queue = this.queue.then(() => this.fit(payload)).catch((error: unknown) => {
        this.host.count('client errors');
        process.emitWarning(`virtual client ${this.id}: ${ShoalError.from(error).message}`);
      });
    } else if (event === 'task:cancel') {
      const taskId = (payload as { taskId?: string }).taskId;
      if (taskId !== undefined) this.cancels.get(taskId)?.();
    } else if (event === 'protocol:error') {
      this.host.count('protocol errors');
    }
    // evaluate:task never comes: virtual clients report no evaluation examples.
  }

  private async fit(raw: unknown): Promise<void> {
    const { faults, order, pool, transport, config, activity } = this.host;
    activity.busy(this.id);
    let plan: ReturnType<FaultPlan['decide']> | undefined;
    let task: FitTask | undefined;
    try {
      task = parseMessage('fit-task', raw);
      plan = faults.decide(task.round, this.index);
      if (plan.fate === 'dropout') return; // silent: the round waits for its deadline
      const cancelled = plan.fate === 'late' ? new Promise<void>((resolve) => this.cancels.set(task!.taskId, resolve)) : undefined;
      const weights = await transport.getBytes(task.weightsUrl);
      await this.host.ensureModel(task.jobId, task.modelUrl);
      if (plan.fate === 'crash-mid-training') return await this.crash();
      const attack = faults.attack(task.round, this.index);
      const trained = await pool.fit(
        {
          jobId: task.jobId,
          version: task.modelVersion,
          indices: this.indices,
          epochs: task.config.localEpochs,
          batchSize: task.config.batchSize,
          learningRate: task.config.learningRate,
          proximalMu: task.config.proximalMu,
          updateClipNorm: task.config.updateClipNorm,
          seed: createRng(config.seed).fork('train').fork(task.round).nextInt(2 ** 31) ^ this.index,
          codec: { id: task.uploadCodec.id, params: task.uploadCodec.params ?? {} },
          attack,
        },
        weights,
      );
      const frame = trained.update.kind === 'frame' ? trained.update.frame : await collusionOf(this.host).meet(task, this, trained.update.tensors);
      const upload = { ...trained, frame, numExamples: attack?.attack === 'inflate' ? INFLATED_EXAMPLES : trained.numExamples };
      if (plan.fate === 'crash-mid-upload') return await this.crash();
      // A late client uploads once the round has closed without it; an on-time one after its latency, in id order.
      if (cancelled !== undefined) await activity.waitIdle(this.id, cancelled);
      else {
        if (plan.latencyMs > 0) await activity.sleep(this.id, plan.latencyMs);
        await activity.waitIdle(this.id, order.turn(task.round, this.id));
      }
      await this.upload(task, upload, plan.latencyMs, plan.fate === 'late');
    } finally {
      if (task !== undefined) this.cancels.delete(task.taskId);
      if (task !== undefined && plan?.fate === 'honest') order.done(task.round, this.id);
      activity.idle(this.id);
    }
  }

  private async upload(task: FitTask, trained: Upload, latencyMs: number, late: boolean): Promise<void> {
    const link = this.link;
    if (link === undefined) return;
    const reply = await call(
      link,
      'fit:result',
      {
        taskId: task.taskId,
        jobId: task.jobId,
        round: task.round,
        modelVersion: task.modelVersion,
        numExamples: trained.numExamples,
        durationMs: trained.trainMs + latencyMs,
        metrics: { loss: trained.loss, accuracy: trained.accuracy },
      },
      trained.frame,
    );
    // A straggler past the deadline expects LATE_UPDATE; a refusal of an on-time upload means the run went wrong.
    if (!reply.ok) this.host.count(`${late ? 'late uploads' : 'uploads'} refused: ${reply.error?.code}`);
  }

  /** The device disappears mid-task: the coordinator sees the disconnect; the device comes back later under the same id. */
  private async crash(): Promise<void> {
    const offline = this.host.waitOffline(this.id);
    this.disconnect();
    await offline;
    await this.connect();
  }
}
