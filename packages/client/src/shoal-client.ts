/** The Shoal edge client SDK: connects to a coordinator, trains on local data, uploads compressed deltas, predicts. */
import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';
import {
  FLEET_NAMESPACE,
  PROTOCOL_VERSION,
  ShoalError,
  parseMessage,
  type ClientToServerEvents,
  type EvaluateTask,
  type FitTask,
  type ServerToClientEvents,
} from '@shoal/protocol';
import { defaultCodecRegistry, type CodecRegistry } from '@shoal/codec';
import { initBackend, predict, trainLocal } from '@shoal/ml';
import { ClientStateStore } from './client-state.js';
import { CoordinatorHttp } from './coordinator-http.js';
import { DeviceCredentials } from './device-credentials.js';
import { AGENT_VERSION, helloOutcome, helloRequest } from './hello.js';
import { gate } from './gate.js';
import { uploadDelta, type PlainUploadLink } from './plain-upload.js';
import { runEvaluateTask } from './evaluate-task.js';
import { ErrorFeedback } from './error-feedback.js';
import { ModelSession } from './model-session.js';
import { SecureUploads } from './secure-upload.js';
import { ServingService } from './serving-service.js';
import { listenForAssignments, telemetryOver } from './serving-link.js';
import { OnlineLearning, type LabelledSampleReceipt } from './online-learning.js';
import { DEFAULT_RECONNECT, type ShoalClientEvents, type ShoalClientOptions } from './client-options.js';
import { Reconnector, judgeConnectError } from './connection-retry.js';

export { AGENT_VERSION };

export class ShoalClient extends EventEmitter<ShoalClientEvents> {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private readonly http: CoordinatorHttp;
  private readonly codecs: CodecRegistry;
  private readonly session: ModelSession;
  private readonly state: ClientStateStore | undefined;
  private readonly errorFeedback: ErrorFeedback;
  private clientIdValue: string | undefined;
  /** Set once this client is an enrolled device: hellos carry its key proof and uploads its signature. */
  private device: DeviceCredentials | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnector: Reconnector | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Opens once the current connection's hello was answered. */
  private registration = gate();
  private readonly cancelled = new Set<string>();
  private readonly plainUploads: PlainUploadLink;
  private readonly secure = new SecureUploads({
    socket: () => this.socket,
    clientId: () => this.clientIdValue,
    notify: (event) => this.emit('secagg:phase', event),
    sign: (upload, payload) => this.device?.signUpload({ ...upload, clientId: this.clientIdValue! }, payload),
  });
  /** Inference with the version the coordinator assigned for serving (not the model this client trains). */
  readonly serving: ServingService;
  private readonly online: OnlineLearning;

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
    const saved = this.state?.load();
    this.clientIdValue = saved?.clientId;
    if (saved?.enrolled === true) this.device = DeviceCredentials.load(options.stateDir);
    this.errorFeedback = new ErrorFeedback(this.codecs, this.state, (message) => this.warn(message));
    this.plainUploads = {
      socket: () => this.socket,
      codecs: this.codecs,
      errorFeedback: this.errorFeedback,
      sign: (task, frame) => this.device?.signUpload({ ...task, clientId: this.clientIdValue! }, frame),
      cancelled: (taskId) => this.cancelled.delete(taskId),
    };
    const warn = (message: string) => this.warn(message);
    this.serving = new ServingService(this.http, this.codecs, { ...options.serving, sendTelemetry: telemetryOver(() => this.socket), warn });
    this.online = new OnlineLearning(options.train, this.serving, { ...options.onlineLearning, state: this.state });
  }

  private warn(message: string): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', { message });
    else process.emitWarning(message, 'ShoalWarning');
  }

  get clientId(): string | undefined {
    return this.clientIdValue;
  }

  /** True once this client is an enrolled device (its hellos and uploads are signed). */
  get enrolled(): boolean {
    return this.device !== undefined;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  async start(): Promise<void> {
    await initBackend();
    if (this.options.joinToken !== undefined && this.device === undefined) {
      const credentials = DeviceCredentials.load(this.options.stateDir);
      this.clientIdValue = (await credentials.enrol(this.http, this.options.joinToken, this.options.name)).clientId;
      this.device = credentials;
      this.state?.save({ clientId: this.clientIdValue, enrolled: true });
    }
    const policy = { ...DEFAULT_RECONNECT, ...this.options.reconnect };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(new URL(FLEET_NAMESPACE, this.options.coordinatorUrl).href, {
      transports: ['websocket'],
      // Node-only TLS options of engine.io-client: verify the coordinator, against a pinned CA when given.
      rejectUnauthorized: true,
      ...(this.options.tls?.ca === undefined ? {} : { ca: Buffer.from(this.options.tls.ca).toString('utf8') }),
      // The client schedules its own retries (socket.io's reconnection hides the delay), so it can report each one.
      reconnection: false,
      auth: (send) => send({ protocolVersion: PROTOCOL_VERSION, ...(this.clientIdValue === undefined ? {} : { clientId: this.clientIdValue }) }),
    });
    this.socket = socket;
    this.secure.attach(socket);
    const reconnector = new Reconnector(policy, this.options.coordinatorUrl, (retry) => this.emit('retrying', retry), () => socket.connect());
    this.reconnector = reconnector;
    socket.on('connect', () => {
      reconnector.connected();
      // A task can arrive before the hello ack (the coordinator may start a round as soon as we register): tasks
      // wait for the ack, which carries the REST credential their downloads need.
      this.registration = gate();
      void this.hello();
    });
    socket.on('connect_error', (error) => {
      const judged = judgeConnectError(error, this.options.coordinatorUrl, this.options.tls?.ca !== undefined);
      if ('retry' in judged) return reconnector.failed(judged.retry);
      socket.disconnect();
      this.emit('fatal', judged.fatal);
    });
    socket.on('disconnect', (reason) => {
      this.stopHeartbeat();
      this.emit('disconnected', { reason });
      if (reason === 'io client disconnect') return;
      // The coordinator closed the connection on purpose; only a device reconnects, to hear from its hello whether it was revoked.
      if (reason === 'io server disconnect' && this.device === undefined) return;
      reconnector.failed({ error: reason, code: undefined, tls: false });
    });
    socket.on('fit:task', (task) => this.enqueue('fit:task', task));
    socket.on('evaluate:task', (task) => this.enqueue('evaluate:task', task));
    socket.on('task:cancel', (cancel) => {
      if (cancel.taskId !== undefined) this.cancelled.add(cancel.taskId);
    });
    listenForAssignments(socket, this.serving, (error) => this.emit('refused', { event: 'serving:assign', code: error.code, message: error.message }));
    socket.on('protocol:error', (notice) => this.emit('refused', { event: notice.event, code: notice.error.code, message: notice.error.message }));
  }

  async stop(): Promise<void> {
    this.reconnector?.stop();
    this.stopHeartbeat();
    this.socket?.disconnect();
    await this.queue;
    this.session.dispose();
    this.serving.dispose();
    this.online.flush();
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

  /** Keeps a labelled example for later rounds (online learning); a served prediction's id also counts it into accuracy. */
  addLabelledSample(input: unknown, label: unknown, options: { predictionId?: string } = {}): LabelledSampleReceipt {
    return this.online.add(input, label, options);
  }

  get labelledSampleCount(): number {
    return this.online.count;
  }

  /** Inference with the training model (the last global version it trained from, or refreshModel's); `serving` serves the promoted version. */
  predict(features: Float32Array, count: number): { classes: Int32Array; probabilities: Float32Array } {
    const loaded = this.session.loaded;
    if (loaded === undefined) throw new ShoalError('CONFLICT', 'no model yet: the client has not received a global model');
    return predict(loaded.model, features, count);
  }

  private async hello(): Promise<void> {
    const registered = this.registration;
    try {
      const { train, evaluation, name, labels } = this.options;
      const request = helloRequest({ name, train, evaluation, labels, clientId: this.clientIdValue, device: this.device });
      const reply: unknown = await this.socket!.timeout(10_000).emitWithAck('hello', request)
        .catch((error: unknown) => ({ ok: false as const, error: { code: 'INTERNAL', message: String(error) } }));
      const outcome = helloOutcome(reply);
      if (!outcome.ok && outcome.error.code === 'DEVICE_REVOKED') {
        this.reconnector?.stop();
        this.socket?.disconnect();
        this.emit('fatal', new ShoalError('DEVICE_REVOKED', outcome.error.message));
        return;
      }
      if (!outcome.ok) {
        this.emit('refused', { event: 'hello', code: outcome.error.code, message: outcome.error.message });
        return;
      }
      const { hello } = outcome;
      this.clientIdValue = hello.clientId;
      this.http.setAccessToken(hello.accessToken);
      this.state?.save({ clientId: hello.clientId, ...(this.device === undefined ? {} : { enrolled: true }) });
      this.startHeartbeat(hello.heartbeatIntervalMs);
      this.emit('registered', { clientId: hello.clientId });
    } finally {
      registered.open();
    }
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
    const registered = this.registration.opened;
    this.queue = this.queue.then(async () => {
      await registered;
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
    const result = await trainLocal(loaded.model, this.online.trainingExamples(), {
      epochs: task.config.localEpochs,
      batchSize: task.config.batchSize,
      learningRate: task.config.learningRate,
      ...(task.config.maxExamples === undefined ? {} : { maxExamples: task.config.maxExamples }),
      ...(task.config.proximalMu === undefined ? {} : { proximalMu: task.config.proximalMu }),
      ...(this.options.seed === undefined ? {} : { seed: this.options.seed + task.round }),
    });
    const delta = this.session.delta(loaded);
    this.session.restoreGlobal();
    // Each upload path bounds the update itself (updateClipNorm, client DP), the plain one after error feedback.
    if (task.secureAggregation !== undefined) {
      const uploaded = await this.secure.upload(task, delta, { ...result, durationMs: performance.now() - started });
      this.cancelled.delete(task.taskId);
      if (uploaded !== undefined) this.emit('uploaded', uploaded);
      return;
    }
    const uploaded = await uploadDelta(this.plainUploads, task, delta, { ...result, durationMs: performance.now() - started });
    // A refused upload: the coordinator knows, so no fit:failure follows.
    if (uploaded !== undefined && 'refused' in uploaded) this.emit('refused', { event: 'fit:result', code: uploaded.refused.code, message: uploaded.refused.message });
    else if (uploaded !== undefined) this.emit('uploaded', uploaded);
  }

  private async evaluate(task: EvaluateTask): Promise<void> {
    this.emit('task:evaluate', task);
    const outcome = await runEvaluateTask(task, { data: this.options.evaluation, session: this.session, socket: this.socket! });
    if (!outcome.ok) this.emit('refused', { event: 'evaluate:result', code: outcome.error.code, message: outcome.error.message });
    else this.emit('evaluated', { jobId: task.jobId, round: task.round, accuracy: outcome.accuracy, loss: outcome.loss });
  }
}
