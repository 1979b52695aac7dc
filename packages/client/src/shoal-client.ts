/** The Shoal edge client SDK: connects to a coordinator, trains on local data, uploads compressed deltas, predicts. */
import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';
import {
  FLEET_NAMESPACE,
  PROTOCOL_VERSION,
  ShoalError,
  parseMessage,
  type AckError,
  type ClientToServerEvents,
  type EvaluateTask,
  type FitTask,
  type ServerToClientEvents,
} from '@shoal/protocol';
import { defaultCodecRegistry, encodeFrame, type CodecRegistry } from '@shoal/codec';
import { activeBackend, evaluateModel, initBackend, predict, trainLocal } from '@shoal/ml';
import type { LabeledExamples } from '@shoal/data';
import { ClientStateStore } from './client-state.js';
import { CoordinatorHttp, type TransportSecurity } from './coordinator-http.js';
import { ErrorFeedback } from './error-feedback.js';
import { ModelSession } from './model-session.js';
import { privatizeUpdate } from './privatize-update.js';

export const AGENT_VERSION = '0.1.0';

export interface ReconnectPolicy {
  /** First retry delay; doubles per attempt (exponential backoff). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0..1: each delay is spread by ± this fraction at random (jitter), so a fleet does not reconnect in lockstep. */
  jitter: number;
}

export interface ShoalClientOptions {
  coordinatorUrl: string;
  name: string;
  train: LabeledExamples;
  evaluation?: LabeledExamples;
  stateDir?: string;
  labels?: string[];
  reconnect?: Partial<ReconnectPolicy>;
  codecs?: CodecRegistry;
  /** TLS: the coordinator's certificate is always verified; `ca` pins the CA to trust (PEM). */
  tls?: TransportSecurity;
  /** Seed for local shuffling, so a run can be reproduced. */
  seed?: number;
}

export interface ShoalClientEvents {
  registered: [{ clientId: string }];
  'task:fit': [FitTask];
  'task:evaluate': [EvaluateTask];
  uploaded: [{ jobId: string; round: number; bytes: number; float32Bytes: number; loss: number; durationMs: number }];
  evaluated: [{ jobId: string; round: number; accuracy: number; loss: number }];
  refused: [{ event: string; code: string; message: string }];
  /** Something was wrong but the client carried on (e.g. an unreadable residual file); without a listener it goes to process.emitWarning. */
  warning: [{ message: string }];
  disconnected: [{ reason: string }];
  fatal: [ShoalError];
}

const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.5 };

export class ShoalClient extends EventEmitter<ShoalClientEvents> {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private readonly http: CoordinatorHttp;
  private readonly codecs: CodecRegistry;
  private readonly session: ModelSession;
  private readonly state: ClientStateStore | undefined;
  private readonly errorFeedback: ErrorFeedback;
  private clientIdValue: string | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly cancelled = new Set<string>();

  constructor(private readonly options: ShoalClientOptions) {
    super();
    if (!/^https?:\/\//.test(options.coordinatorUrl)) {
      throw new ShoalError('VALIDATION_FAILED', `coordinatorUrl must be an http(s) URL, got '${options.coordinatorUrl}'`);
    }
    if (options.train.count < 1) throw new ShoalError('VALIDATION_FAILED', 'train must hold at least one example');
    this.http = new CoordinatorHttp(options.coordinatorUrl, options.tls);
    this.codecs = options.codecs ?? defaultCodecRegistry();
    this.session = new ModelSession(this.http, this.codecs);
    this.state = options.stateDir === undefined ? undefined : new ClientStateStore(options.stateDir);
    this.clientIdValue = this.state?.load().clientId;
    this.errorFeedback = new ErrorFeedback(this.codecs, this.state, (message) => this.warn(message));
  }

  private warn(message: string): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', { message });
    else process.emitWarning(message, 'ShoalWarning');
  }

  get clientId(): string | undefined {
    return this.clientIdValue;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  async start(): Promise<void> {
    await initBackend();
    const policy = { ...DEFAULT_RECONNECT, ...this.options.reconnect };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(new URL(FLEET_NAMESPACE, this.options.coordinatorUrl).href, {
      transports: ['websocket'],
      // Node-only TLS options of engine.io-client: verify the coordinator, against a pinned CA when given.
      rejectUnauthorized: true,
      ...(this.options.tls?.ca === undefined ? {} : { ca: Buffer.from(this.options.tls.ca).toString('utf8') }),
      reconnection: true,
      reconnectionDelay: policy.initialDelayMs,
      reconnectionDelayMax: policy.maxDelayMs,
      randomizationFactor: policy.jitter,
      auth: (send) => send({ protocolVersion: PROTOCOL_VERSION, ...(this.clientIdValue === undefined ? {} : { clientId: this.clientIdValue }) }),
    });
    this.socket = socket;
    socket.on('connect', () => void this.hello());
    socket.on('connect_error', (error) => {
      const data = (error as Error & { data?: { code?: string } }).data;
      if (data?.code === 'PROTOCOL_VERSION_MISMATCH') {
        socket.disconnect();
        this.emit('fatal', ShoalError.fromWire(data));
      }
    });
    socket.on('disconnect', (reason) => {
      this.stopHeartbeat();
      this.emit('disconnected', { reason });
    });
    socket.on('fit:task', (task) => this.enqueue('fit:task', task));
    socket.on('evaluate:task', (task) => this.enqueue('evaluate:task', task));
    socket.on('task:cancel', (cancel) => {
      if (cancel.taskId !== undefined) this.cancelled.add(cancel.taskId);
    });
    socket.on('protocol:error', (notice) => this.emit('refused', { event: notice.event, code: notice.error.code, message: notice.error.message }));
  }

  async stop(): Promise<void> {
    this.stopHeartbeat();
    this.socket?.disconnect();
    await this.queue;
    this.session.dispose();
  }

  /** Loads the job's latest global model version (or the given one) for `predict`; returns the version loaded. */
  async refreshModel(jobId: string, version?: number): Promise<number> {
    const target = version ?? ((await this.http.json(`/api/v1/jobs/${encodeURIComponent(jobId)}`)) as { latestModelVersion: number }).latestModelVersion;
    if (!Number.isInteger(target) || target < 0) throw new ShoalError('VALIDATION_FAILED', `model version must be a non-negative integer, got ${target}`);
    const base = `/api/v1/jobs/${encodeURIComponent(jobId)}`;
    // Runs in the task queue, so it never swaps weights under a training task.
    const loaded = this.queue.then(() => this.session.load(jobId, target, `${base}/model.json`, `${base}/models/${target}/weights`));
    this.queue = loaded.then(() => undefined, () => undefined);
    await loaded;
    return target;
  }

  /** Local inference with the global model this client holds (the last one it trained from, or refreshModel's). */
  predict(features: Float32Array, count: number): { classes: Int32Array; probabilities: Float32Array } {
    const loaded = this.session.loaded;
    if (loaded === undefined) throw new ShoalError('CONFLICT', 'no model yet: the client has not received a global model');
    return predict(loaded.model, features, count);
  }

  private async hello(): Promise<void> {
    const socket = this.socket!;
    const { train, evaluation, name, labels } = this.options;
    const reply = await socket.timeout(10_000).emitWithAck('hello', {
      ...(this.clientIdValue === undefined ? {} : { clientId: this.clientIdValue }),
      name,
      capabilities: {
        platform: `${process.platform}-${process.arch} node ${process.versions.node}`,
        backend: activeBackend() ?? 'unknown',
        agentVersion: AGENT_VERSION,
        numTrainExamples: train.count,
        numEvalExamples: evaluation?.count ?? 0,
        ...(labels === undefined ? {} : { labels }),
      },
    }).catch((error: unknown) => ({ ok: false as const, error: { code: 'INTERNAL', message: String(error) } }));
    if (!reply.ok) {
      this.emit('refused', { event: 'hello', code: reply.error.code, message: reply.error.message });
      return;
    }
    const hello = parseMessage('hello-response', reply);
    this.clientIdValue = hello.clientId;
    this.state?.save({ clientId: hello.clientId });
    this.startHeartbeat(hello.heartbeatIntervalMs);
    this.emit('registered', { clientId: hello.clientId });
  }

  private startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      this.socket?.emit('heartbeat', { sentAt: Date.now() }, () => undefined);
    }, intervalMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Tasks run one at a time, in arrival order; every inbound task is validated before use. */
  private enqueue(event: 'fit:task' | 'evaluate:task', raw: unknown): void {
    this.queue = this.queue.then(async () => {
      try {
        if (event === 'fit:task') await this.fit(parseMessage('fit-task', raw));
        else await this.evaluate(parseMessage('evaluate-task', raw));
      } catch (error) {
        const failure = ShoalError.from(error);
        this.emit('refused', { event, code: failure.code, message: failure.message });
        const task = raw as Partial<FitTask>;
        if (event === 'fit:task' && typeof task.taskId === 'string' && typeof task.jobId === 'string' && typeof task.round === 'number') {
          this.socket?.emit('fit:failure', { taskId: task.taskId, jobId: task.jobId, round: task.round, error: failure.toWire() }, () => undefined);
        }
      }
    });
  }

  private async fit(task: FitTask): Promise<void> {
    this.emit('task:fit', task);
    const started = performance.now();
    const loaded = await this.session.load(task.jobId, task.modelVersion, task.modelUrl, task.weightsUrl);
    const result = await trainLocal(loaded.model, this.options.train, {
      epochs: task.config.localEpochs,
      batchSize: task.config.batchSize,
      learningRate: task.config.learningRate,
      ...(task.config.maxExamples === undefined ? {} : { maxExamples: task.config.maxExamples }),
      ...(this.options.seed === undefined ? {} : { seed: this.options.seed + task.round }),
    });
    const delta = this.session.delta(loaded);
    this.session.restoreGlobal();
    if (task.config.privacy !== undefined) privatizeUpdate(delta, task.config.privacy);
    // Error feedback: add what compression dropped last time; the new residual is kept once the upload is accepted.
    if (task.errorFeedback === true) this.errorFeedback.compensate(task.jobId, delta);
    if (this.cancelled.delete(task.taskId)) return;
    const frame = encodeFrame('delta', delta, { id: task.uploadCodec.id, params: task.uploadCodec.params ?? {} }, this.codecs);
    const durationMs = performance.now() - started;
    const reply = await this.socket!.timeout(60_000).emitWithAck(
      'fit:result',
      {
        taskId: task.taskId,
        jobId: task.jobId,
        round: task.round,
        modelVersion: task.modelVersion,
        numExamples: result.numExamples,
        durationMs,
        metrics: { loss: result.loss, accuracy: result.accuracy },
      },
      frame,
    );
    if (!reply.ok) {
      this.emit('refused', { event: 'fit:result', code: (reply as AckError).error.code, message: (reply as AckError).error.message });
      return;
    }
    const float32Bytes = delta.reduce((sum, tensor) => sum + tensor.values.byteLength, 0);
    // A refused upload was never applied, so only an accepted one moves the residual on (computed in place in delta).
    if (task.errorFeedback === true) this.errorFeedback.commit(task.jobId, delta, frame);
    this.emit('uploaded', { jobId: task.jobId, round: task.round, bytes: frame.byteLength, float32Bytes, loss: result.loss, durationMs });
  }

  private async evaluate(task: EvaluateTask): Promise<void> {
    this.emit('task:evaluate', task);
    const data = this.options.evaluation;
    if (data === undefined || data.count === 0) throw new ShoalError('CONFLICT', 'this client holds no evaluation data');
    const loaded = await this.session.load(task.jobId, task.modelVersion, task.modelUrl, task.weightsUrl);
    const result = await evaluateModel(loaded.model, data, { batchSize: task.config.batchSize });
    const reply = await this.socket!.timeout(30_000).emitWithAck('evaluate:result', {
      taskId: task.taskId,
      jobId: task.jobId,
      round: task.round,
      modelVersion: task.modelVersion,
      numExamples: result.numExamples,
      loss: result.loss,
      accuracy: result.accuracy,
    });
    if (!reply.ok) this.emit('refused', { event: 'evaluate:result', code: reply.error.code, message: reply.error.message });
    else this.emit('evaluated', { jobId: task.jobId, round: task.round, accuracy: result.accuracy, loss: result.loss });
  }
}
