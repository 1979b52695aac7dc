/**
 * The client side of a secure-aggregation round (protocols/v1/secure-aggregation.md): the trained delta is bounded
 * (the L2 clip to updateClipNorm, then client DP), weighted, clipped per value to clipRange and encoded into the ring,
 * then masked with SecAggClient while the client answers the coordinator's four phases. The coordinator never
 * receives the delta itself, so it cannot bound its norm: the client's L2 clip is the only one there is.
 */
import type { Socket } from 'socket.io-client';
import { ShoalError, parseMessage, type Ack, type ClientToServerEvents, type FitTask, type MessageName, type NamedTensor, type ServerToClientEvents } from '@shoal/protocol';
import {
  SecAggClient,
  advertiseToWire,
  deliveriesFromWire,
  encodeWeightedInput,
  inputWeight,
  ringToBytes,
  rosterFromWire,
  shareKeysToWire,
  unmaskToWire,
} from '@shoal/secagg';
import { boundUpdate } from './bound-update.js';
import { SecureInbox, SessionEnded, type SecureRequests } from './secure-inbox.js';

type FleetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Announced before the client acts in each phase; a listener may disconnect the client (tests) or log progress. */
export interface SecurePhaseEvent {
  jobId: string;
  round: number;
  taskId: string;
  phase: 'advertise' | 'share-keys' | 'masked-input' | 'unmask' | 'done';
  /**
   * With 'masked-input': what this client is about to mask — its flat delta (after its bounds), its weight f, and the
   * ring vector [f·clip(Δ) ‖ f]. The client's own data, on the device, for audits and tests; never sent as such.
   */
  input?: { delta: Float32Array; weight: number; ring: Uint32Array };
}

export interface TrainingReport {
  numExamples: number;
  loss: number;
  accuracy: number;
  durationMs: number;
}

export interface SecureUploadLink {
  socket(): FleetSocket | undefined;
  clientId(): string | undefined;
  notify(event: SecurePhaseEvent): void;
  /** Enrolled devices sign the masked input's bytes as they sign fit:result frames; undefined otherwise. */
  sign(upload: { jobId: string; round: number; taskId: string }, payload: Uint8Array): string | undefined;
}

const REQUESTS = {
  'secagg:roster': 'secagg-roster',
  'secagg:masked-input-request': 'secagg-masked-input-request',
  'secagg:unmask-request': 'secagg-unmask-request',
} as const satisfies Record<keyof SecureRequests, MessageName>;

export class SecureUploads {
  private session: { task: FitTask; inbox: SecureInbox } | undefined;

  constructor(private readonly link: SecureUploadLink) {}

  /** Listens on the client's socket for the coordinator's requests, cancellations and the connection's loss. */
  attach(socket: FleetSocket): void {
    for (const [event, schema] of Object.entries(REQUESTS) as [keyof typeof REQUESTS, MessageName][]) {
      socket.on(event, (payload: unknown) => this.deliver(event, schema, payload));
    }
    socket.on('task:cancel', (cancel) => {
      const session = this.session;
      if (session !== undefined && cancel.taskId === session.task.taskId) session.inbox.end(new SessionEnded(`cancelled: ${cancel.reason}`));
    });
    socket.on('disconnect', (reason) => this.session?.inbox.end(new SessionEnded(`disconnected: ${reason}`)));
  }

  /**
   * Runs the phases for one task on `delta` (which it bounds in place); resolves with what was sent, or undefined when
   * the round went on without this client. `normal` is the DP noise source, for tests.
   */
  async upload(task: FitTask, delta: NamedTensor[], report: TrainingReport, normal?: () => number) {
    const block = task.secureAggregation;
    const clientId = this.link.clientId();
    if (block === undefined || clientId === undefined) throw new ShoalError('CONFLICT', 'not a secure-aggregation task, or not registered');
    boundUpdate(delta, task.config, normal);
    const inbox = new SecureInbox(task.deadlineAt + 4 * block.phaseTimeoutMs);
    this.session = { task, inbox };
    const base = { jobId: task.jobId, round: task.round, taskId: task.taskId };
    const flat = flatten(delta);
    if (flat.length + 1 !== block.length) throw new ShoalError('SHAPE_MISMATCH', `the update has ${flat.length} values; the round expects ${block.length - 1} and the weight`);
    const weight = inputWeight(report.numExamples, block.weightCap);
    const ring = encodeWeightedInput(flat, weight, { ringBits: block.ringBits, clipRange: block.clipRange, maxClients: block.maxClients });
    const secagg = new SecAggClient(clientId, { context: block.context, threshold: block.threshold, ringBits: block.ringBits, length: block.length });
    let bytes = 0;
    const connected = () => {
      const socket = this.link.socket();
      if (socket?.connected !== true) throw new SessionEnded('disconnected');
      return socket.timeout(60_000);
    };
    const sent = async (reply: Promise<Ack>, message: object, binary?: Uint8Array) => {
      const answer = await inbox.race(reply);
      if (!answer.ok) throw ShoalError.fromWire(answer.error);
      bytes += Buffer.byteLength(JSON.stringify(message)) + (binary?.byteLength ?? 0);
    };
    const phase = (name: SecurePhaseEvent['phase'], input?: SecurePhaseEvent['input']) => {
      this.link.notify({ ...base, phase: name, ...(input === undefined ? {} : { input }) });
      inbox.throwIfEnded();
    };
    try {
      phase('advertise');
      const advertise = { ...base, ...advertiseToWire(secagg.advertise()) };
      await sent(connected().emitWithAck('secagg:advertise', advertise), advertise);
      const roster = await inbox.next('secagg:roster');
      phase('share-keys');
      const shares = { ...base, shares: shareKeysToWire(secagg.shareKeys(rosterFromWire(roster.clients))) };
      await sent(connected().emitWithAck('secagg:share-keys', shares), shares);
      const request = await inbox.next('secagg:masked-input-request');
      phase('masked-input', { delta: flat, weight, ring });
      const masked = maskedInputPayload(secagg.maskedInput(deliveriesFromWire(clientId, request.shares), request.survivors, ring).masked, block.ringBits);
      const metrics = { loss: report.loss, accuracy: report.accuracy };
      const signature = this.link.sign(base, masked);
      const input = { ...base, modelVersion: task.modelVersion, numExamples: report.numExamples, durationMs: report.durationMs, metrics, ...(signature === undefined ? {} : { signature }) };
      await sent(connected().emitWithAck('secagg:masked-input', input, masked), input, masked);
      const unmaskRequest = await inbox.next('secagg:unmask-request');
      phase('unmask');
      const unmask = { ...base, ...unmaskToWire(secagg.unmask(unmaskRequest.included)) };
      await sent(connected().emitWithAck('secagg:unmask', unmask), unmask);
      phase('done');
      return { jobId: task.jobId, round: task.round, bytes, float32Bytes: flat.byteLength, loss: report.loss, durationMs: report.durationMs };
    } catch (error) {
      if (error instanceof SessionEnded) return undefined;
      throw error;
    } finally {
      inbox.end(new SessionEnded('finished'));
      if (this.session?.inbox === inbox) this.session = undefined;
    }
  }

  /** Every request is validated at the boundary and must name the task in progress; anything else is ignored. */
  private deliver(event: keyof typeof REQUESTS, schema: MessageName, payload: unknown): void {
    const session = this.session;
    if (session === undefined) return;
    try {
      const message = parseMessage(schema, payload) as SecureRequests[typeof event];
      if (message.taskId !== session.task.taskId || message.jobId !== session.task.jobId || message.round !== session.task.round) return;
      session.inbox.put(event, message);
    } catch (error) {
      session.inbox.end(ShoalError.from(error));
    }
  }
}

/** The masked vector's wire bytes (little-endian, ringBits/8 per element); enrolled devices sign their SHA-256. */
function maskedInputPayload(masked: Uint32Array, ringBits: 16 | 32): Uint8Array {
  return ringToBytes(masked, ringBits);
}

function flatten(tensors: readonly NamedTensor[]): Float32Array {
  const flat = new Float32Array(tensors.reduce((total, tensor) => total + tensor.values.length, 0));
  let offset = 0;
  for (const tensor of tensors) {
    flat.set(tensor.values, offset);
    offset += tensor.values.length;
  }
  return flat;
}
