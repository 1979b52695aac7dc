/**
 * Serves the version the coordinator assigned, separately from the model a client trains: validated predictions,
 * optional micro-batching, hot swaps that never fail a request in flight (a request keeps the version it started
 * on; a replaced version is disposed once idle), and per-version telemetry windows.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { ShoalError, type ServingAssign } from '@shoal/protocol';
import type { CodecRegistry } from '@shoal/codec';
import { predict } from '@shoal/ml';
import { MicroBatcher, ModelSlot } from '@shoal/edge';
import type { CoordinatorHttp } from './coordinator-http.js';
import { flattenExample, flattenExamples, type ExampleInput } from './serving-input.js';
import { downloadServedVersion, prepareServedVersion, sameServedIdentity, type ServedIdentity, type ServedVersion, type ServingModel } from './served-version.js';
import { TelemetryReporter, type SendTelemetry } from './telemetry-reporter.js';

export interface ServingOptions {
  /** Collect single predictions into batches of up to maxBatch, waiting at most maxWaitMs. Off by default. */
  microBatch?: { maxBatch: number; maxWaitMs: number };
  /** Most examples one predictMany call may hold (default 256). */
  maxExamplesPerRequest?: number;
  /** Delivers telemetry reports; without it windows are kept but never sent. */
  sendTelemetry?: SendTelemetry;
  warn?: (message: string) => void;
}

export interface ServedPrediction {
  classId: number;
  probabilities: number[];
  /** Pass it with the true label to addLabelledSample to count on-device accuracy. */
  predictionId: string;
}

/** One prediction, and the version that made it. */
export interface SinglePrediction extends ServedIdentity, ServedPrediction {}

export interface BatchPrediction extends ServedIdentity {
  predictions: ServedPrediction[];
}

export interface ServingStatus {
  serving: boolean;
  deploymentId?: string;
  jobId?: string;
  version?: number;
  artifactId?: string;
  inputShape?: number[];
  numClasses?: number;
  servedSince?: number;
}

export interface ServingEvents {
  swapped: [ServingStatus];
}

type RowOutcome = { served: ServedVersion; classId: number; probabilities: Float32Array } | { served: ServedVersion; error: ShoalError };

const RECENT_PREDICTIONS = 10_000;

export class ServingService extends EventEmitter<ServingEvents> {
  private readonly slot = new ModelSlot<ServedVersion>((served) => served.model.dispose());
  private current: ServedVersion | undefined;
  private readonly batcher: MicroBatcher<Float32Array, RowOutcome> | undefined;
  private readonly reporter: TelemetryReporter;
  private readonly recent = new Map<string, { served: ServedVersion; classId: number }>();
  private readonly idPrefix = randomBytes(4).toString('hex');
  private predictionCount = 0;
  private assignments: Promise<unknown> = Promise.resolve();
  private latestTicket = 0;

  constructor(
    private readonly http: Pick<CoordinatorHttp, 'json' | 'bytes'>,
    private readonly codecs: CodecRegistry,
    private readonly options: ServingOptions = {},
  ) {
    super();
    const batch = options.microBatch;
    this.batcher = batch === undefined ? undefined : new MicroBatcher((rows) => this.slot.use(({ model: pinned }) => this.runRows(pinned, rows)), batch);
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'ShoalWarning'));
    this.reporter = new TelemetryReporter({ current: () => this.current, send: options.sendTelemetry, warn });
  }

  status(): ServingStatus {
    const served = this.current;
    if (served === undefined) return { serving: false };
    const { deploymentId, jobId, version, artifactId, inputShape, numClasses, servedSince } = served;
    return { serving: true, deploymentId, jobId, version, ...(artifactId === undefined ? {} : { artifactId }), inputShape, numClasses, servedSince };
  }

  /**
   * Downloads, builds and warms the assigned version, then swaps it in; assignments apply in order, a superseded one
   * is skipped. When it fails, the previous version (if any) keeps serving.
   */
  assign(assignment: ServingAssign): Promise<void> {
    const ticket = ++this.latestTicket;
    const superseded = () => ticket !== this.latestTicket;
    const run = this.assignments.then(async () => {
      if (superseded()) return;
      if (!sameServedIdentity(this.current, assignment)) {
        const served = await downloadServedVersion(this.http, this.codecs, assignment);
        if (superseded()) {
          served.model.dispose();
          return;
        }
        this.swapIn(served);
      }
      this.reporter.start(assignment.telemetryIntervalMs);
    });
    this.assignments = run.catch(() => undefined);
    return run;
  }

  /** Serves a model built in this process (SDK use without a coordinator, and tests); it is disposed when replaced. */
  install(model: ServingModel, identity: ServedIdentity): void {
    this.swapIn(prepareServedVersion(model, identity));
  }

  private swapIn(next: ServedVersion): void {
    const previous = this.current;
    this.current = next;
    this.reporter.swapped(previous, next);
    this.slot.swap({ version: `${next.deploymentId}/${next.version}`, model: next });
    this.emit('swapped', this.status());
  }

  private served(): ServedVersion {
    const served = this.current;
    if (served === undefined) throw new ShoalError('UNAVAILABLE', 'no model version is served yet: the coordinator has not assigned one to this client');
    return served;
  }

  /** One example (flat, nested or a typed array) → its class, probabilities and the version that answered. */
  async predict(input: ExampleInput): Promise<SinglePrediction> {
    const started = performance.now();
    const served = this.served();
    const features = this.refusingBadInput(served, () => flattenExample(input, served.inputShape));
    const answer = this.batcher === undefined ? this.slot.use(({ model: pinned }) => this.runRows(pinned, [features])).then((outcomes) => outcomes[0]!) : this.batcher.submit(features);
    const outcome = await answer.catch((error: unknown) => this.failure(served, error));
    return { ...identityOf(outcome.served), ...this.record(outcome, features, started) };
  }

  /** A request's `inputs` (one example, or a list of them), answered by one version. */
  async predictMany(inputs: unknown): Promise<BatchPrediction> {
    const started = performance.now();
    const served = this.served();
    const rows = this.refusingBadInput(served, () => flattenExamples(inputs, served.inputShape, this.options.maxExamplesPerRequest ?? 256));
    const outcomes = await this.slot.use(({ model: pinned }) => this.runRows(pinned, rows)).catch((error: unknown) => this.failure(served, error));
    const predictions = outcomes.map((outcome, i) => this.record(outcome, rows[i]!, started));
    return { ...identityOf(outcomes[0]!.served), predictions };
  }

  /** Counts a labelled example into on-device accuracy if it was predicted here recently; true when it was. */
  recordLabel(predictionId: string, label: number): boolean {
    const entry = this.recent.get(predictionId);
    if (entry === undefined) return false;
    this.recent.delete(predictionId);
    this.reporter.windowOf(entry.served).recordLabel(entry.classId === label);
    return true;
  }

  /** Sends the open telemetry windows now (done every telemetryIntervalMs once the coordinator assigned a version). */
  flushTelemetry(): Promise<void> {
    return this.reporter.flush();
  }

  dispose(): void {
    this.latestTicket += 1; // an assignment still downloading is dropped instead of swapped in
    this.reporter.stop();
    this.current?.model.dispose();
    this.current = undefined;
  }

  private refusingBadInput<T>(served: ServedVersion, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      return this.failure(served, error);
    }
  }

  /** Counts a refused or failed request against the version that was asked, and passes the error on. */
  private failure(served: ServedVersion, error: unknown): never {
    this.reporter.windowOf(served).recordError();
    throw ShoalError.from(error);
  }

  /** Predicts rows of one version; a row sized for another version (queued across a swap) fails alone. */
  private runRows(served: ServedVersion, rows: Float32Array[]): RowOutcome[] {
    const fitting = rows.filter((row) => row.length === served.featureSize);
    const features = new Float32Array(fitting.length * served.featureSize);
    fitting.forEach((row, i) => features.set(row, i * served.featureSize));
    const { classes, probabilities } = predict(served.model, features, fitting.length);
    let next = 0;
    return rows.map((row) => {
      if (row.length !== served.featureSize) {
        return { served, error: new ShoalError('SHAPE_MISMATCH', `the served version ${served.version} takes ${served.featureSize} values per example; this input has ${row.length}`) };
      }
      const i = next++;
      return { served, classId: classes[i]!, probabilities: probabilities.subarray(i * served.numClasses, (i + 1) * served.numClasses) };
    });
  }

  private record(outcome: RowOutcome, features: Float32Array, started: number): ServedPrediction {
    const window = this.reporter.windowOf(outcome.served);
    if ('error' in outcome) {
      window.recordError();
      throw outcome.error;
    }
    window.recordPrediction(performance.now() - started, outcome.classId, features);
    return { classId: outcome.classId, probabilities: Array.from(outcome.probabilities), predictionId: this.remember(outcome.served, outcome.classId) };
  }

  private remember(served: ServedVersion, classId: number): string {
    const predictionId = `${this.idPrefix}-${(++this.predictionCount).toString(36)}`;
    this.recent.set(predictionId, { served, classId });
    if (this.recent.size > RECENT_PREDICTIONS) this.recent.delete(this.recent.keys().next().value!);
    return predictionId;
  }
}

function identityOf(served: ServedVersion): ServedIdentity {
  const { deploymentId, jobId, version, artifactId } = served;
  return { deploymentId, jobId, version, ...(artifactId === undefined ? {} : { artifactId }) };
}
