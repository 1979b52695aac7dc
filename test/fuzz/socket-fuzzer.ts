/**
 * A bounded, seeded fuzzer for the /fleet namespace: a pool of raw socket.io connections, some registered, sends
 * known and unknown events with payloads mutated from valid ones (wrong types, missing and extra fields, long strings,
 * deep nesting, odd numbers), binary attachments where they belong and where they do not, and messages above the
 * pre-hello cap. It records what the coordinator answered and flags what it must never do: answer with a code outside
 * the error table or with INTERNAL, leave an acknowledgement unanswered, or drop a registered connection that sent
 * nothing over its limits. The only time limit is a hang guard.
 */
import { ERROR_CODES, PROTOCOL_VERSION, isErrorCode } from '@shoal/protocol';
import { encodeFrame } from '@shoal/codec';
import { createRandom, type Random } from '@shoal/codec/testing';
import { io, type Socket } from 'socket.io-client';
import { PATIENCE_MS } from '../support/patience.js';

export interface SocketFuzzOptions {
  url: string;
  messages: number;
  seed: number;
  /** Connections in the pool (default 16). */
  connections?: number;
  /** Messages in flight at once (default 8). */
  concurrency?: number;
}

export interface SocketFuzzReport {
  messages: number;
  seed: number;
  byCode: Record<string, number>;
  findings: string[];
  /** Connections the coordinator closed, by why we expected it (pre-hello oversized message) or did not. */
  closed: { expected: number; unexpected: number };
}

const EVENTS = ['hello', 'heartbeat', 'fit:result', 'fit:failure', 'evaluate:result', 'telemetry:report', 'secagg:advertise', 'secagg:share-keys', 'secagg:masked-input', 'secagg:unmask'];
const CAPABILITIES = { platform: 'fuzz', backend: 'none', agentVersion: 'fuzz', numTrainExamples: 0, numEvalExamples: 0 };
const TINY_FRAME = encodeFrame('delta', [{ name: 'out/kernel', shape: [2], values: Float32Array.of(0.1, -0.1) }], { id: 'float32' });

/** A plausible payload of each event, for the mutations to start from. */
function template(event: string, random: Random): Record<string, unknown> {
  const task = { taskId: `t${random.next().toString(36).slice(2, 8)}`, jobId: random.next() < 0.5 ? 'job-0000000000' : 'job-fuzz', round: 1 + Math.floor(random.next() * 3) };
  switch (event) {
    case 'hello':
      return { name: 'fuzz', capabilities: { ...CAPABILITIES } };
    case 'heartbeat':
      return { sentAt: Date.now() };
    case 'fit:result':
      return { ...task, modelVersion: 0, numExamples: 10, durationMs: 1, metrics: { loss: 1 } };
    case 'fit:failure':
      return { ...task, error: { code: 'INTERNAL', message: 'fuzz' } };
    case 'evaluate:result':
      return { ...task, modelVersion: 1, numExamples: 10, metrics: { loss: 1, accuracy: 0.5 } };
    case 'telemetry:report':
      return { deploymentId: 'dep-000000000000', jobId: 'job-fuzz', version: 1, windowStartMs: 0, windowEndMs: 1, requests: 1, errors: 0 };
    default:
      return { ...task };
  }
}

const ODD_VALUES: unknown[] = [null, true, -1, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.5, '', 'x'.repeat(300), '\u0000\uffff', [], {}, [[[[]]]], 'NaN', 'Infinity'];

function deep(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function mutate(payload: Record<string, unknown>, random: Random): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random.next() * list.length)]!;
  const keys = Object.keys(payload);
  switch (Math.floor(random.next() * 9)) {
    case 0:
      return payload; // valid-shaped
    case 1:
      if (keys.length > 0) delete payload[pick(keys)];
      return payload;
    case 2:
      if (keys.length > 0) payload[pick(keys)] = pick(ODD_VALUES);
      return payload;
    case 3:
      payload[`extra${Math.floor(random.next() * 3)}`] = pick(ODD_VALUES);
      return payload;
    case 4:
      payload['name'] = 'n'.repeat(Math.floor(random.next() * 40_000));
      return payload;
    case 5:
      payload['nested'] = deep(1 + Math.floor(random.next() * 200));
      return payload;
    case 6:
      return pick(ODD_VALUES);
    case 7:
      return { ...payload, capabilities: { ...CAPABILITIES, numTrainExamples: pick([1e15, -5, 0.5, 'many']) } };
    default:
      return JSON.parse(JSON.stringify(payload).replace(/"round":\d+/, `"round":${pick([0, -1, 1e9, 1.5])}`)) as unknown;
  }
}

function attachment(random: Random): Uint8Array | undefined {
  const draw = random.next();
  if (draw < 0.5) return undefined;
  if (draw < 0.7) return TINY_FRAME;
  const bytes = new Uint8Array(Math.floor(random.next() * 32 * 1024));
  for (let i = 0; i < bytes.length; i += 97) bytes[i] = Math.floor(random.next() * 256);
  return bytes;
}

interface PoolEntry {
  socket: Socket;
  registered: boolean;
  /** Set once this connection sent something the coordinator may close it for. */
  mayBeClosed: boolean;
}

async function open(url: string): Promise<Socket> {
  const socket = io(new URL('/fleet', url).href, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocolVersion: PROTOCOL_VERSION } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function fuzzSockets(options: SocketFuzzOptions): Promise<SocketFuzzReport> {
  const random = createRandom(options.seed);
  const report: SocketFuzzReport = { messages: 0, seed: options.seed, byCode: {}, findings: [], closed: { expected: 0, unexpected: 0 } };
  const pool: PoolEntry[] = [];
  const tally = (key: string) => void (report.byCode[key] = (report.byCode[key] ?? 0) + 1);
  const watch = (entry: PoolEntry) =>
    entry.socket.once('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      if (entry.mayBeClosed || !entry.registered) report.closed.expected++;
      else {
        report.closed.unexpected++;
        report.findings.push(`a registered connection was closed (${reason}) without having sent anything over its limits`);
      }
    });
  const replace = async (index: number) => {
    const entry: PoolEntry = { socket: await open(options.url), registered: false, mayBeClosed: false };
    watch(entry);
    pool[index] = entry;
  };
  for (let i = 0; i < (options.connections ?? 16); i++) await replace(i);

  const one = async (n: number) => {
    const index = Math.floor(random.next() * pool.length);
    let entry = pool[index]!;
    if (!entry.socket.connected) {
      await replace(index);
      entry = pool[index]!;
    }
    const known = random.next() < 0.9;
    const event = known ? EVENTS[Math.floor(random.next() * EVENTS.length)]! : ['ping', 'HELLO', 'fit:results', '__proto__', '💥', 'hello '][Math.floor(random.next() * 6)]!;
    const payload = mutate(template(event, random), random);
    const binary = attachment(random);
    const oversized = random.next() < 0.02;
    const args: unknown[] = [payload];
    if (oversized) {
      args.push(new Uint8Array(100 * 1024)); // over the 64 KiB pre-hello cap, well under the transport cap
      if (!entry.registered) entry.mayBeClosed = true;
    } else if (binary !== undefined) args.push(binary);
    const withAck = random.next() < 0.85;
    report.messages++;
    if (!withAck) {
      entry.socket.emit(event, ...args);
      return;
    }
    try {
      const reply = (await entry.socket.timeout(PATIENCE_MS).emitWithAck(event, ...args)) as { ok?: boolean; clientId?: string; error?: { code?: unknown } };
      if (reply?.ok === true) {
        tally('ok');
        if (event === 'hello') entry.registered = true;
        return;
      }
      const code = reply?.error?.code;
      tally(String(code));
      if (!isErrorCode(code)) report.findings.push(`message ${n} (${event}): answered with an undocumented code ${JSON.stringify(code)}`);
      else if (code === 'INTERNAL') report.findings.push(`message ${n} (${event}): answered INTERNAL`);
    } catch {
      // No ack: fine only if the connection was closed for a reason we expect.
      if (!entry.socket.connected && (entry.mayBeClosed || oversized)) tally('closed');
      else report.findings.push(`message ${n} (${event}): no acknowledgement within ${PATIENCE_MS} ms`);
    }
  };

  const concurrency = options.concurrency ?? 8;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < options.messages) await one(next++);
    }),
  );
  for (const entry of pool) entry.socket.disconnect();
  return report;
}

/** The codes the table knows, for reports. */
export const KNOWN_CODES = Object.keys(ERROR_CODES);
