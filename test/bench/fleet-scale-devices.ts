/**
 * A process of simulated devices for `bench:fleet-scale`: thousands of lightweight raw socket.io clients (websocket
 * transport, a minimal hello, heartbeats as hello's reply asks) that answer fit tasks by downloading the weights over
 * HTTP and uploading one pre-computed delta frame per job, and a raw TCP sender for the loopback baseline.
 */
import { Agent, request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { defaultCodecRegistry, encodeFrame, readFrameHeader } from '@shoal/codec';
import { FLEET_NAMESPACE, PROTOCOL_VERSION, type FitTask } from '@shoal/protocol';
import { deltaLike } from './bench-support.js';
import { serveRequests, type RoundTally } from './fleet-scale-support.js';

const PATIENCE_MS = 600_000;
const CAPABILITIES = { platform: 'bench', backend: 'none', agentVersion: 'bench', numTrainExamples: 100, numEvalExamples: 0 };
const now = () => performance.timeOrigin + performance.now();
const codecs = defaultCodecRegistry();
/** Downloads share a few keep-alive connections per process, as devices behind one gateway would. */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

interface Device {
  socket: Socket;
  accessToken: string;
  heartbeat: NodeJS.Timeout | undefined;
}

const devices: Device[] = [];
let dropped = 0;
/** Why the dropped devices' sockets closed (socket.io's disconnect reasons: ping timeout, transport close, …). */
let dropReasons: Record<string, number> = {};
let url = '';
const updates = new Map<string, Uint8Array>();
const rounds = new Map<string, RoundTally>();

const count = (tally: Record<string, number>, key: string) => (tally[key] = (tally[key] ?? 0) + 1);

function errorCode(error: unknown): string {
  const data = (error as { data?: { code?: string } }).data;
  return data?.code ?? (error instanceof Error ? error.message : String(error));
}

/** Connects one device and says hello; resolves with the milliseconds from the connect call to hello's ack. */
async function connectDevice(name: string, keep: boolean): Promise<number> {
  const started = performance.now();
  const socket = io(new URL(FLEET_NAMESPACE, url).href, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: PATIENCE_MS, auth: { protocolVersion: PROTOCOL_VERSION } });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const reply = (await socket.timeout(PATIENCE_MS).emitWithAck('hello', { name, capabilities: CAPABILITIES })) as { ok: boolean; error?: { code: string }; accessToken?: string; heartbeatIntervalMs?: number };
    if (!reply.ok) throw Object.assign(new Error('hello refused'), { data: reply.error });
    const elapsed = performance.now() - started;
    if (!keep) {
      socket.disconnect();
      return elapsed;
    }
    const device: Device = { socket, accessToken: reply.accessToken!, heartbeat: undefined };
    const interval = reply.heartbeatIntervalMs!;
    // A random phase, so a process's devices do not beat in step.
    device.heartbeat = setTimeout(() => {
      device.heartbeat = setInterval(() => socket.emit('heartbeat', { sentAt: Date.now(), status: 'idle' }, () => undefined), interval);
    }, Math.random() * interval);
    socket.on('fit:task', (task: FitTask) => void answer(device, task));
    socket.on('disconnect', (reason) => {
      clearTimeout(device.heartbeat);
      clearInterval(device.heartbeat);
      if (reason === 'io client disconnect') return;
      dropped += 1;
      dropReasons[reason] = (dropReasons[reason] ?? 0) + 1;
    });
    devices.push(device);
    return elapsed;
  } catch (error) {
    socket.disconnect();
    throw error;
  }
}

/** Connects `count` devices, `inFlight` at a time; hello latencies and refusals by code. */
async function connectMany(args: Record<string, unknown>, keep: boolean) {
  url = String(args['url']);
  const total = Number(args['count']);
  // No new connection after the deadline (epoch ms), if the parent set one.
  const deadlineAt = args['deadlineAt'] === undefined ? Number.POSITIVE_INFINITY : Number(args['deadlineAt']);
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(args['inFlight']) }, async () => {
    while (next < total && Date.now() < deadlineAt) {
      const index = next++;
      try {
        latencies.push(await connectDevice(`${String(args['prefix'])}-${index}`, keep));
      } catch (error) {
        count(failures, errorCode(error));
      }
    }
  }));
  return { latencies, failures, seconds: (performance.now() - started) / 1000, held: devices.length, notTried: total - next };
}

/** A download that neither answers nor fails within this long is abandoned and retried (a device would give up too). */
const DOWNLOAD_TIMEOUT_MS = 60_000;
const DOWNLOAD_ATTEMPTS = 3;
/** Problems seen once per process: the first of each kind goes to stderr, so a stalled round says why. */
const reported = new Set<string>();

function reportOnce(code: string, what: string): void {
  if (reported.has(code)) return;
  reported.add(code);
  console.error(`devices (pid ${process.pid}): ${what}: ${code}`);
}

/** GET weights, retried on a network error or a stall (a keep-alive socket the server closed as it was reused). */
async function download(path: string, accessToken: string): Promise<{ bytes: Buffer; etag: string; cacheControl: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(path, accessToken);
    } catch (error) {
      if (attempt >= DOWNLOAD_ATTEMPTS || (error as { status?: number }).status !== undefined) throw error;
      reportOnce(errorCode(error), `a weights download failed and is retried`);
    }
  }
}

function downloadOnce(path: string, accessToken: string): Promise<{ bytes: Buffer; etag: string; cacheControl: string }> {
  return new Promise((resolve, reject) => {
    const call = request(new URL(path, url), { agent, timeout: DOWNLOAD_TIMEOUT_MS, headers: { authorization: `Bearer ${accessToken}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return reject(Object.assign(new Error(`GET weights answered ${response.statusCode}`), { status: response.statusCode }));
        resolve({ bytes: Buffer.concat(chunks), etag: String(response.headers.etag), cacheControl: String(response.headers['cache-control']) });
      });
      response.on('error', reject);
    });
    call.on('error', reject);
    call.on('timeout', () => call.destroy(new Error(`no answer within ${DOWNLOAD_TIMEOUT_MS} ms`)));
    call.end();
  });
}

/** The job's update, encoded once per process in the task's upload codec from the downloaded frame's tensor names and shapes. */
function updateFor(task: FitTask, weights: Uint8Array): Uint8Array {
  let frame = updates.get(task.jobId);
  if (frame === undefined) {
    const specs = readFrameHeader(weights, { registry: codecs }).tensors.map(({ name, shape }) => ({ name, shape }));
    frame = encodeFrame('delta', deltaLike(specs, 7), task.uploadCodec, codecs);
    updates.set(task.jobId, frame);
  }
  return frame;
}

function tallyFor(task: FitTask): RoundTally {
  const key = `${task.jobId}/${task.round}`;
  let tally = rounds.get(key);
  if (tally === undefined) {
    tally = { tasks: 0, downloads: 0, downloadBytes: 0, etags: [], cacheControl: [], uploads: 0, uploadBytes: 0, accepted: 0, firstUploadAt: null, lastAckAt: 0, problems: {} };
    rounds.set(key, tally);
  }
  return tally;
}

async function answer(device: Device, task: FitTask): Promise<void> {
  const tally = tallyFor(task);
  tally.tasks += 1;
  try {
    const weights = await download(task.weightsUrl, device.accessToken);
    tally.downloads += 1;
    tally.downloadBytes += weights.bytes.byteLength;
    if (!tally.etags.includes(weights.etag)) tally.etags.push(weights.etag);
    if (!tally.cacheControl.includes(weights.cacheControl)) tally.cacheControl.push(weights.cacheControl);
    const frame = updateFor(task, weights.bytes);
    const meta = { taskId: task.taskId, jobId: task.jobId, round: task.round, modelVersion: task.modelVersion, numExamples: 100, durationMs: 1, metrics: { loss: 1 } };
    tally.firstUploadAt = Math.min(tally.firstUploadAt ?? Number.POSITIVE_INFINITY, now());
    tally.uploads += 1;
    tally.uploadBytes += frame.byteLength;
    const reply = (await device.socket.timeout(PATIENCE_MS).emitWithAck('fit:result', meta, frame)) as { ok: boolean; error?: { code: string } };
    tally.lastAckAt = Math.max(tally.lastAckAt, now());
    if (reply.ok) tally.accepted += 1;
    else {
      reportOnce(reply.error?.code ?? 'refused', 'an upload was refused');
      count(tally.problems, reply.error?.code ?? 'refused');
    }
  } catch (error) {
    const code = errorCode(error);
    reportOnce(code, 'a device failed its task');
    count(tally.problems, code);
  }
}

function disconnectAll(): { disconnected: number; dropped: number; dropReasons: Record<string, number> } {
  const disconnected = devices.length;
  for (const device of devices.splice(0)) device.socket.disconnect();
  const result = { disconnected, dropped, dropReasons };
  dropped = 0;
  dropReasons = {};
  return result;
}

/** Pushes `bytes` over one raw TCP connection to host:port in chunks of `chunkBytes`, honouring back-pressure. */
function push(args: Record<string, unknown>): Promise<void> {
  const total = Number(args['bytes']);
  const chunk = Buffer.alloc(Number(args['chunkBytes']), 7);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(args['port']), String(args['host']), () => {
      let sent = 0;
      const write = () => {
        while (sent < total) {
          const piece = sent + chunk.byteLength <= total ? chunk : chunk.subarray(0, total - sent);
          sent += piece.byteLength;
          if (!socket.write(piece)) return void socket.once('drain', write);
        }
        socket.end();
      };
      write();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

serveRequests(async (command, args) => {
  switch (command) {
    case 'connect':
      return connectMany(args, true);
    case 'probe':
      // Connections beyond the cap: each is closed as soon as it is answered.
      return connectMany(args, false);
    case 'rounds': {
      const result = Object.fromEntries(rounds);
      rounds.clear();
      return result;
    }
    case 'disconnect':
      return disconnectAll();
    case 'push':
      return push(args);
    default:
      throw new Error(`unknown command ${command}`);
  }
}, () => void disconnectAll());
