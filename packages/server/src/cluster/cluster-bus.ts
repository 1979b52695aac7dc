/**
 * How coordinator nodes talk to each other: one-way messages to every other node or to one, and requests to one
 * node answered by a reply (correlated by id, with a timeout). The socket.io binding rides on the Redis adapter's
 * server-side events; MemoryBusHub (memory-bus.ts) connects buses in one process for tests.
 */
import { randomBytes } from 'node:crypto';
import { ShoalError, type WireError } from '@shoal/protocol';

export type BusHandler = (payload: unknown, from: string) => unknown;

/** What travels between nodes; `to` undefined means every other node. */
export interface BusEnvelope {
  type: string;
  from: string;
  to?: string | undefined;
  /** Set on requests; a reply carries the same id. */
  requestId?: string | undefined;
  reply?: { ok: true; value: unknown } | { ok: false; error: WireError } | undefined;
  payload?: unknown;
}

/** Carries envelopes to the other nodes (never back to the sender). */
export interface BusTransport {
  send(envelope: BusEnvelope): void;
  onEnvelope(listener: (envelope: BusEnvelope) => void): void;
}

interface Pending {
  to: string;
  resolve: (value: unknown) => void;
  reject: (error: ShoalError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ClusterBus {
  private readonly handlers = new Map<string, BusHandler>();
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    readonly nodeId: string,
    private readonly transport: BusTransport,
    private readonly onHandlerError: (type: string, error: unknown) => void = () => {},
  ) {
    transport.onEnvelope((envelope) => this.receive(envelope));
  }

  /** One handler per message type; a request's reply is what it returns (or resolves to); a throw is the refusal. */
  handle(type: string, handler: BusHandler): void {
    if (this.handlers.has(type)) throw new ShoalError('INTERNAL', `bus message type ${type} already has a handler`);
    this.handlers.set(type, handler);
  }

  /** To every other node (`to` undefined) or to one; no answer. */
  send(type: string, payload: unknown, to?: string): void {
    if (!this.closed) this.transport.send({ type, from: this.nodeId, to, payload });
  }

  /** Asks one node; NODE_UNAVAILABLE when it does not answer within `timeoutMs`, its refusal as a ShoalError. */
  request<T>(to: string, type: string, payload: unknown, timeoutMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new ShoalError('NODE_UNAVAILABLE', 'this node is shutting down'));
    const requestId = randomBytes(9).toString('base64url');
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ShoalError('NODE_UNAVAILABLE', `node ${to} did not answer ${type} within ${timeoutMs} ms`, { details: { node: to, type } }));
      }, timeoutMs);
      this.pending.set(requestId, { to, resolve: resolve as (value: unknown) => void, reject, timer });
      this.transport.send({ type, from: this.nodeId, to, requestId, payload });
    });
  }

  /** The node is gone (it stopped announcing itself): its requests fail now rather than at their timeout. */
  abandon(nodeId: string, reason: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.to !== nodeId) continue;
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new ShoalError('NODE_UNAVAILABLE', `node ${nodeId} ${reason}`, { details: { node: nodeId } }));
    }
  }

  /** Fails every request still waiting; later messages are dropped. */
  close(): void {
    this.closed = true;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new ShoalError('NODE_UNAVAILABLE', 'this node is shutting down'));
      this.pending.delete(id);
    }
  }

  private receive(envelope: BusEnvelope): void {
    if (this.closed || (envelope.to !== undefined && envelope.to !== this.nodeId)) return;
    if (envelope.reply !== undefined) {
      const pending = envelope.requestId === undefined ? undefined : this.pending.get(envelope.requestId);
      if (pending === undefined) return;
      this.pending.delete(envelope.requestId!);
      clearTimeout(pending.timer);
      if (envelope.reply.ok) pending.resolve(envelope.reply.value);
      else pending.reject(ShoalError.fromWire(envelope.reply.error));
      return;
    }
    const handler = this.handlers.get(envelope.type);
    const answer = (reply: BusEnvelope['reply']) => {
      if (envelope.requestId !== undefined && !this.closed) this.transport.send({ type: envelope.type, from: this.nodeId, to: envelope.from, requestId: envelope.requestId, reply });
    };
    if (handler === undefined) {
      answer({ ok: false, error: new ShoalError('INTERNAL', `node ${this.nodeId} has no handler for ${envelope.type}`).toWire() });
      return;
    }
    let result: unknown;
    try {
      result = handler(envelope.payload, envelope.from);
    } catch (error) {
      if (envelope.requestId === undefined) this.onHandlerError(envelope.type, error);
      answer({ ok: false, error: ShoalError.from(error).toWire() });
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => answer({ ok: true, value }),
        (error: unknown) => {
          if (envelope.requestId === undefined) this.onHandlerError(envelope.type, error);
          answer({ ok: false, error: ShoalError.from(error).toWire() });
        },
      );
    } else answer({ ok: true, value: result });
  }
}

/** The socket.io server's server-side events (through the Redis adapter) as the bus transport. */
export interface ServerSideEvents {
  serverSideEmit(event: string, ...args: unknown[]): boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export const BUS_EVENT = 'shoal:bus';

/** The Redis adapter sends server-side events as JSON: bytes (updates, partial sums) travel as base64 strings. */
export function socketIoTransport(io: ServerSideEvents): BusTransport {
  return {
    send: (envelope) => void io.serverSideEmit(BUS_EVENT, withBase64(envelope)),
    onEnvelope: (listener) => void io.on(BUS_EVENT, (envelope: unknown) => {
      if (isEnvelope(envelope)) listener(withBytes(envelope) as BusEnvelope);
    }),
  };
}

const BYTES_KEY = '$bytes';

function withBase64(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_KEY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(withBase64);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withBase64(entry)]));
  return value;
}

function withBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withBytes);
  if (typeof value !== 'object' || value === null) return value;
  const encoded = (value as Record<string, unknown>)[BYTES_KEY];
  if (typeof encoded === 'string' && Object.keys(value).length === 1) return new Uint8Array(Buffer.from(encoded, 'base64'));
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withBytes(entry)]));
}

function isEnvelope(value: unknown): value is BusEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const { type, from } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof from === 'string';
}
