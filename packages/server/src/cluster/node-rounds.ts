/**
 * Hierarchical aggregation, on the nodes that do not lead a job: for each hierarchical round the leader announced,
 * this node checks its own clients' uploads (signature, frame, norm) exactly as the leader would, asks the leader to
 * judge the upload for the round (classification happens once, there; the checked uploads go in batches, one in
 * flight at a time), adds an accepted one to a partial sum of this node's share, and hands the leader that sum when
 * the round closes. Only O(model) crosses per node and round.
 */
import { ShoalError, type FitResult, type WireError } from '@shoal/protocol';
import type { CodecRegistry, FrameLimits } from '@shoal/codec';
import { PartialSumAggregation, type PartialEntry, type PartialSum } from '@shoal/strategy';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { UpdateVerifier } from '../identity/update-verifier.js';
import type { HierarchicalRound } from '../jobs/job-cluster.js';
import type { AcceptedUpdate } from '../rounds/round-state.js';
import { jobIntake } from '../rounds/round-opening.js';
import type { UpdateIntake } from '../rounds/update-intake.js';
import type { JobRecord } from '../store/records.js';
import type { ClusterBus } from './cluster-bus.js';

/** A node's report to the leader (its `result` without the update bytes, which stay on the node). */
export interface FitReportMessage {
  clientId: string;
  result: FitResult;
  bytes: number;
  accepted?: AcceptedUpdate | undefined;
  refusal?: WireError | undefined;
}

/** A partial sum as it crosses the bus: tensors and sketches as bytes. */
export interface WirePartial {
  sum: Uint8Array[];
  entries: (Omit<PartialEntry, 'sketch' | 'accuracy'> & { accuracy: number | null; sketch: Uint8Array })[];
}

/** An upload checked here, waiting in the share's outbox for the leader's verdict. */
interface Outgoing {
  report: FitReportMessage;
  /** An accepted upload's decoded update (a copy: the intake reuses its arrays) and its weight. */
  entry?: { values: Float32Array[]; l2Norm: number; weight: number; metrics: FitResult['metrics'] };
  resolve: () => void;
  reject: (error: ShoalError) => void;
}

interface OpenShare {
  announcement: HierarchicalRound;
  leader: string;
  job: JobRecord;
  partial: PartialSumAggregation;
  /** Uploads are checked one after another (the intake's scratch arrays are shared). */
  queue: Promise<void>;
  /** Checked uploads not yet sent to the leader; one batch of them is in flight at a time. */
  outbox: Outgoing[];
  sending: boolean;
  /** The wait for a fuller batch (REPORT_LINGER_MS), while one is running. */
  linger?: ReturnType<typeof setTimeout> | undefined;
  /** Woken whenever a batch leaves the outbox or is answered. */
  wake: (() => void)[];
  /** Set when the leader stopped answering: the uploads still queued are refused at once, not one timeout each. */
  leaderGone?: ShoalError;
}

export interface NodeRoundsDeps {
  bus: ClusterBus;
  getJob: (jobId: string) => JobRecord | undefined;
  registry: Pick<ClientRegistry, 'get'>;
  updates: UpdateVerifier;
  codecs: CodecRegistry;
  frameLimits: FrameLimits;
  reportTimeoutMs: number;
}

/**
 * At most this many checked uploads wait per share (their decoded copies are what this node holds beyond the partial
 * sum), and one batch to the leader carries at most this many: the leader judges a batch in one go, with one write.
 */
export const MAX_REPORT_BATCH = 64;
/** A batch that is not full waits this long for more uploads (at most), so the leader's work per batch is shared. */
export const REPORT_LINGER_MS = 50;

const woken = (share: OpenShare): Promise<void> => new Promise((resolve) => share.wake.push(resolve));

export class NodeRounds {
  private readonly open = new Map<string, OpenShare>();
  private readonly intakes = new Map<string, UpdateIntake>();

  constructor(private readonly deps: NodeRoundsDeps) {
    deps.bus.handle('round:open', (payload, from) => this.opened(payload as HierarchicalRound, from));
    deps.bus.handle('round:partial', async (payload) => {
      const { jobId, round } = payload as { jobId: string; round: number };
      return this.take(jobId, round);
    });
  }

  /** Whether this node judges uploads for the job's round (else they are forwarded whole to the leader). */
  judges(jobId: string, round: number): boolean {
    return this.open.get(jobId)?.announcement.round === round;
  }

  /** Checks the upload here, has the leader judge it, and keeps it in this node's share; throws the client's refusal. */
  receive(clientId: string, result: FitResult, update: Uint8Array): Promise<void> {
    const share = this.open.get(result.jobId)!;
    const checked = share.queue.then(() => this.check(share, clientId, result, update));
    share.queue = checked.then(
      () => undefined,
      () => undefined,
    );
    return checked.then(({ answered }) => answered);
  }

  private async check(share: OpenShare, clientId: string, result: FitResult, update: Uint8Array): Promise<{ answered: Promise<void> }> {
    while (share.outbox.length >= MAX_REPORT_BATCH) await woken(share);
    if (share.leaderGone !== undefined) throw share.leaderGone;
    const { job, announcement } = share;
    let accepted: AcceptedUpdate | undefined;
    let refusal: ShoalError | undefined;
    let entry: Outgoing['entry'];
    try {
      const verified = this.deps.updates.verify(
        { jobId: job.id, round: announcement.round, clientId, taskId: result.taskId, signature: result.signature, payload: update },
        { requireEnrolled: job.config.requireEnrolledDevices },
      );
      const decoded = this.intakeOf(job).decode(update, announcement.maxUpdateNorm);
      const declared = this.deps.registry.get(clientId)?.capabilities.numTrainExamples ?? result.numExamples;
      const weight = Math.min(result.numExamples, job.config.maxExamplesPerClient, declared);
      accepted = {
        clientId,
        numExamples: result.numExamples,
        weight,
        updateNorm: decoded.l2Norm,
        bytes: update.byteLength,
        loss: result.metrics.loss,
        accuracy: result.metrics.accuracy,
        durationMs: result.durationMs,
        payloadSha256: verified.payloadSha256,
      };
      entry = { values: decoded.values.map((tensor) => tensor.slice()), l2Norm: decoded.l2Norm, weight, metrics: result.metrics };
    } catch (error) {
      refusal = ShoalError.from(error);
    }
    let settle!: Pick<Outgoing, 'resolve' | 'reject'>;
    const answered = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    share.outbox.push({ report: { clientId, result, bytes: update.byteLength, accepted, refusal: refusal?.toWire() }, entry, ...settle });
    this.send(share);
    return { answered };
  }

  /** A full batch goes at once; a smaller one after REPORT_LINGER_MS; either only when none is in flight. */
  private send(share: OpenShare): void {
    if (share.sending || share.outbox.length === 0) return;
    if (share.outbox.length >= MAX_REPORT_BATCH) this.dispatch(share);
    else share.linger ??= setTimeout(() => this.dispatch(share), REPORT_LINGER_MS);
  }

  /** Sends the next batch: the leader's refusal (duplicate, not selected, round closed, …) is what each client gets. */
  private dispatch(share: OpenShare): void {
    clearTimeout(share.linger);
    share.linger = undefined;
    if (share.sending || share.outbox.length === 0) return;
    share.sending = true;
    const batch = share.outbox.splice(0, MAX_REPORT_BATCH);
    this.wakeAll(share);
    const reports = batch.map(({ report }) => report);
    const request = this.deps.bus.request<(WireError | null)[]>(share.leader, 'round:reports', { jobId: share.job.id, reports }, this.deps.reportTimeoutMs);
    void request
      .then(
        (answers) => batch.forEach((outgoing, i) => this.settle(share, outgoing, answers[i])),
        (error: unknown) => {
          const failure = ShoalError.from(error);
          if (failure.code === 'NODE_UNAVAILABLE') {
            share.leaderGone = failure;
            if (this.open.get(share.job.id) === share) this.open.delete(share.job.id);
            for (const waiting of share.outbox.splice(0)) waiting.reject(failure);
          }
          for (const outgoing of batch) outgoing.reject(failure);
        },
      )
      // A verdict that could not be applied here fails the uploads not yet answered (settled ones stay as they are).
      .catch((error: unknown) => batch.forEach((outgoing) => outgoing.reject(ShoalError.from(error))))
      .finally(() => {
        share.sending = false;
        this.wakeAll(share);
        this.send(share);
      });
  }

  private settle(share: OpenShare, outgoing: Outgoing, answer: WireError | null | undefined): void {
    if (answer === undefined) return outgoing.reject(new ShoalError('INTERNAL', 'the leader answered fewer reports than it was sent'));
    if (answer !== null) return outgoing.reject(ShoalError.fromWire(answer));
    const { report, entry } = outgoing;
    if (entry === undefined) return outgoing.reject(ShoalError.fromWire(report.refusal));
    share.partial.add({ clientId: report.clientId, numExamples: entry.weight, metrics: entry.metrics, values: entry.values, l2Norm: entry.l2Norm });
    outgoing.resolve();
  }

  private wakeAll(share: OpenShare): void {
    for (const wake of share.wake.splice(0)) wake();
  }

  private opened(announcement: HierarchicalRound, leader: string): void {
    const job = this.deps.getJob(announcement.jobId);
    if (job === undefined) return;
    const lengths = job.tensorSpecs.map((spec) => spec.shape.reduce((a, b) => a * b, 1));
    // A newer round replaces the job's previous share: the leader collected it, or gave up on it.
    this.open.set(job.id, { announcement, leader, job, partial: new PartialSumAggregation(lengths, announcement.sketch), queue: Promise.resolve(), outbox: [], sending: false, wake: [] });
  }

  private async take(jobId: string, round: number): Promise<WirePartial> {
    const share = this.open.get(jobId);
    if (share === undefined || share.announcement.round !== round) return { sum: [], entries: [] };
    await share.queue;
    while (share.sending || share.outbox.length > 0) await woken(share);
    this.open.delete(jobId);
    return toWire(share.partial.take());
  }

  private intakeOf(job: JobRecord): UpdateIntake {
    let intake = this.intakes.get(job.id);
    if (intake === undefined) this.intakes.set(job.id, (intake = jobIntake(job, this.deps.codecs, this.deps.frameLimits)));
    return intake;
  }
}

const bytesOf = (array: Float32Array): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** Copies into aligned arrays: bytes from the bus may sit at any offset of a larger buffer. */
const floatsOf = (bytes: Uint8Array): Float32Array => {
  if (bytes.byteLength % 4 !== 0) throw new ShoalError('VALIDATION_FAILED', `a partial sum tensor of ${bytes.byteLength} bytes is not float32`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
};

export function toWire(partial: PartialSum): WirePartial {
  return {
    sum: partial.entries.length === 0 ? [] : partial.sum.map(bytesOf),
    entries: partial.entries.map((entry) => ({ ...entry, accuracy: entry.accuracy ?? null, sketch: bytesOf(entry.sketch) })),
  };
}

/** A partial sum from the bus, checked against the model's tensor lengths before it can reach a sum. */
export function fromWire(wire: WirePartial, lengths: readonly number[]): PartialSum {
  const entries = wire.entries.map((entry) => ({ ...entry, accuracy: entry.accuracy ?? undefined, sketch: floatsOf(entry.sketch) }));
  if (entries.length === 0) return { sum: [], entries };
  const sum = wire.sum.map(floatsOf);
  if (sum.length !== lengths.length || sum.some((tensor, t) => tensor.length !== lengths[t])) throw new ShoalError('SHAPE_MISMATCH', 'a partial sum does not match the model');
  for (const tensor of sum) for (const value of tensor) if (!Number.isFinite(value)) throw new ShoalError('NON_FINITE_VALUES', 'a partial sum holds NaN or Infinity');
  return { sum, entries };
}
