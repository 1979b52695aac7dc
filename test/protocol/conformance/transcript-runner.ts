/**
 * Runs one `transcript` of protocols/v1/conformance against a live coordinator, following the runner contract of
 * its README: steps in order, each connection's server events buffered from the moment it connects, waits bounded
 * only by a hang guard. Throws, naming the step, at the first step whose outcome differs.
 */
import { io, type Socket } from 'socket.io-client';
import { encodeFrame } from '@shoal/codec';
import { FLEET_NAMESPACE, parseMessage, ShoalError, type MessageName, type TensorSpec } from '@shoal/protocol';
import { PATIENCE_MS } from '../../support/patience.js';
import { readRelative, vectorsOf } from './read-vectors.js';
import { mismatches, resolve, type Json, type KeySeeds, type Variables } from './transcript-values.js';
import { fromHex, sha256Hex } from './vector-set.js';
import { connectOverWire } from './wire-connect.js';

type FrameSource = ({ file: string } | { hex: string } | { float32: { kind: 'weights' | 'delta'; tensors: TensorSpec[]; fill: number } }) & { as?: string };

export type TranscriptStep =
  | { step: 'connect'; client: string; auth: Json; connected?: true; connectError?: Json }
  | { step: 'emit'; client: string; event: string; payload: Json; frame?: FrameSource; ack?: Json; closes?: true; as?: string }
  | { step: 'await'; client: string; event: string; payload?: Json; as?: string }
  | { step: 'rest'; method: string; path: string; auth?: string; body?: Json; status: number; reply?: Json; schema?: string; poll?: true; as?: string }
  | { step: 'disconnect'; client: string };

export interface Transcript {
  name: string;
  description: string;
  covers: string[];
  setup: TranscriptStep[];
  steps: TranscriptStep[];
  /** The index file that holds it, for frame files named relative to it. */
  index: string;
}

export interface TranscriptTarget {
  url: string;
  adminToken: string;
}

const POLL_PAUSE_MS = 100;

/** One connection: every server event it receives, in order, until a step consumes it. */
class Connection {
  private readonly buffered: Array<{ event: string; payload: unknown }> = [];
  private readonly waiters: Array<() => void> = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => {
      this.buffered.push({ event, payload });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async next(event: string): Promise<unknown> {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      const at = this.buffered.findIndex((received) => received.event === event);
      if (at >= 0) return this.buffered.splice(at, 1)[0]!.payload;
      if (Date.now() > deadline) throw new Error(`no '${event}' after ${PATIENCE_MS} ms (received: ${this.buffered.map((received) => received.event).join(', ') || 'nothing'})`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, PATIENCE_MS);
        this.waiters.push(() => (clearTimeout(timer), wake()));
      });
    }
  }
}

function expectMatch(expected: Json, actual: unknown, what: string): void {
  const problems = mismatches(expected, actual);
  if (problems.length > 0) throw new Error(`${what} differs:\n  ${problems.join('\n  ')}\nreceived ${JSON.stringify(actual)}`);
}

export class TranscriptRunner {
  private readonly variables: Variables;
  private readonly connections = new Map<string, Connection>();
  private readonly seeds: KeySeeds = new Map(vectorsOf<{ name: string; seed: string }>('ed25519-key').map((key) => [key.name, key.seed]));

  constructor(
    private readonly transcript: Transcript,
    private readonly target: TranscriptTarget,
  ) {
    this.variables = new Map([['adminToken', target.adminToken]]);
  }

  async run(): Promise<void> {
    const steps = [...this.transcript.setup.map((step, at) => ({ step, label: `setup step ${at + 1}` })), ...this.transcript.steps.map((step, at) => ({ step, label: `step ${at + 1}` }))];
    try {
      for (const { step, label } of steps) {
        this.variables.set('nowMs', Date.now());
        try {
          await this.execute(step);
        } catch (error) {
          throw new Error(`${this.transcript.name}, ${label} (${step.step}${'event' in step ? ` ${step.event}` : ''}${'path' in step ? ` ${step.method} ${step.path}` : ''}): ${(error as Error).message}`, { cause: error });
        }
      }
    } finally {
      for (const { socket } of this.connections.values()) socket.disconnect();
    }
  }

  private resolve<T>(template: Json): T {
    return resolve(template, this.variables, this.seeds) as T;
  }

  private bind(name: string | undefined, value: unknown): void {
    if (name !== undefined) this.variables.set(name, value as Json);
  }

  private connection(client: string): Connection {
    const connection = this.connections.get(client);
    if (connection === undefined) throw new Error(`client '${client}' is not connected`);
    return connection;
  }

  private async execute(step: TranscriptStep): Promise<void> {
    switch (step.step) {
      case 'connect':
        return step.connectError === undefined ? this.connect(step.client, this.resolve(step.auth)) : this.refusedConnect(step.auth, step.connectError);
      case 'emit':
        return this.emit(step);
      case 'await': {
        const payload = await this.connection(step.client).next(step.event);
        if (step.payload !== undefined) expectMatch(this.resolve(step.payload), payload, `the '${step.event}' payload`);
        return this.bind(step.as, payload);
      }
      case 'rest':
        return this.rest(step);
      case 'disconnect':
        this.connection(step.client).socket.disconnect();
        this.connections.delete(step.client);
    }
  }

  private async connect(client: string, auth: Record<string, unknown>): Promise<void> {
    const socket = io(new URL(FLEET_NAMESPACE, this.target.url).href, { transports: ['websocket'], reconnection: false, auth });
    const connection = new Connection(socket);
    await new Promise<void>((connected, refused) => {
      socket.once('connect', () => connected());
      socket.once('connect_error', (error: Error & { data?: unknown }) => refused(new Error(`connection refused: ${JSON.stringify(error.data ?? error.message)}`)));
    });
    this.connections.set(client, connection);
  }

  /** A refusal is checked as the raw CONNECT_ERROR payload a bare WebSocket receives. */
  private async refusedConnect(auth: Json, expected: Json): Promise<void> {
    const outcome = await connectOverWire(this.target.url, this.resolve(auth));
    if (!('connectError' in outcome)) throw new Error('the coordinator accepted the connection');
    expectMatch(this.resolve(expected), outcome.connectError, 'the CONNECT_ERROR payload');
  }

  private frame(source: FrameSource): Uint8Array {
    const resolved = this.resolve<FrameSource>(source as unknown as Json);
    let bytes: Uint8Array;
    if ('file' in resolved) bytes = readRelative(this.transcript.index, resolved.file);
    else if ('hex' in resolved) bytes = fromHex(resolved.hex);
    else {
      const { kind, tensors, fill } = resolved.float32;
      bytes = encodeFrame(kind, tensors.map(({ name, shape }) => ({ name, shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) })), { id: 'float32' });
    }
    this.bind(resolved.as, { bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
    return bytes;
  }

  private async emit(step: Extract<TranscriptStep, { step: 'emit' }>): Promise<void> {
    const { socket } = this.connection(step.client);
    const args: unknown[] = [this.resolve(step.payload), ...(step.frame === undefined ? [] : [this.frame(step.frame)])];
    if (step.closes === true) {
      const closed = new Promise<string>((done) => socket.once('disconnect', done));
      socket.emit(step.event, ...args);
      await closed;
      this.connections.delete(step.client);
      return;
    }
    const ack: unknown = await socket.timeout(PATIENCE_MS).emitWithAck(step.event, ...args);
    expectMatch(this.resolve(step.ack ?? { ok: true }), ack, `the '${step.event}' ack`);
    this.bind(step.as, ack);
  }

  private async rest(step: Extract<TranscriptStep, { step: 'rest' }>): Promise<void> {
    const deadline = Date.now() + PATIENCE_MS;
    const body = step.body === undefined ? undefined : JSON.stringify(this.resolve(step.body));
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (step.auth !== undefined) headers['authorization'] = `Bearer ${this.resolve<string>(step.auth)}`;
    for (;;) {
      const response = await fetch(new URL(this.resolve<string>(step.path), this.target.url), { method: step.method, headers, body });
      const text = await response.text();
      const reply: unknown = text === '' ? undefined : JSON.parse(text);
      const problems = [
        ...(response.status === step.status ? [] : [`status: expected ${step.status}, got ${response.status}`]),
        ...(step.reply === undefined ? [] : mismatches(this.resolve(step.reply), reply)),
        ...(step.schema === undefined ? [] : schemaProblems(step.schema, reply)),
      ];
      if (problems.length === 0) return this.bind(step.as, reply);
      if (step.poll !== true || Date.now() > deadline) throw new Error(`the reply differs${step.poll === true ? ` after polling for ${PATIENCE_MS} ms` : ''}:\n  ${problems.join('\n  ')}\nreceived ${text}`);
      await new Promise((wait) => setTimeout(wait, POLL_PAUSE_MS));
    }
  }
}

function schemaProblems(schema: string, reply: unknown): string[] {
  try {
    parseMessage(schema as MessageName, reply);
    return [];
  } catch (error) {
    return [`schema ${schema}: ${error instanceof ShoalError ? error.message : String(error)}`];
  }
}

/** Every transcript of the manifest's `transcript` indexes, in manifest order. */
export function transcripts(): Transcript[] {
  return vectorsOf<Omit<Transcript, 'index'>>('transcript');
}

