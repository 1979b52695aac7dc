/**
 * The plumbing of `bench:fleet-scale`: child processes that answer numbered IPC requests and die with their parent,
 * /proc readings of another process's CPU time and resident set, a node's /healthz and /metrics, and percentiles.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What a child process answers to one request: the request's id and either a result or an error message. */
interface Reply {
  id: number;
  error?: string;
  result?: unknown;
}

/** What one device process's devices did in one round of one job (times in ms since the epoch, comparable across processes). */
export interface RoundTally {
  /** fit:task messages received. */
  tasks: number;
  downloads: number;
  downloadBytes: number;
  etags: string[];
  cacheControl: string[];
  uploads: number;
  uploadBytes: number;
  accepted: number;
  /** null until the first upload. */
  firstUploadAt: number | null;
  lastAckAt: number;
  problems: Record<string, number>;
}

const children = new Set<ChildProcess>();

/** Kills every child this process started (by its own handle, nothing else), once, on any way out. */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}
process.once('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** Splits `total` over `parts` as evenly as integers allow. */
export const share = (total: number, parts: number, part: number) => Math.floor(total / parts) + (part < total % parts ? 1 : 0);

/** A device process and the node (an index into the column's node URLs) its devices connect to. */
export interface DeviceProcess {
  child: BenchChild;
  node: number;
}

export class BenchChild {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** Messages the child sends unasked (the coordinator's round events). */
  onNotice: (message: Record<string, unknown>) => void = () => undefined;

  /** Resolves when the child exits, with how it ended. */
  readonly exited: Promise<string>;

  private constructor(readonly child: ChildProcess, readonly name: string) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(`${name} exited (code ${code}, signal ${signal})`)));
    child.on('message', (message: Reply & Record<string, unknown>) => {
      const waiting = this.pending.get(message.id);
      if (waiting === undefined) return this.onNotice(message);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting.reject(new Error(`${name}: ${message.error}`));
      else waiting.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  /** Forks `file` under tsx with an IPC channel; the child is killed when this process ends. */
  static start(file: URL, name: string, options: { profile?: boolean; exposeGc?: boolean } = {}): BenchChild {
    // SHOAL_BENCH_CPU_PROF=<dir>: the children started with `profile` write a V8 CPU profile there as they exit.
    const profileDir = options.profile === true ? process.env['SHOAL_BENCH_CPU_PROF'] : undefined;
    const profiling = profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
    const child = fork(file.pathname, [], { execArgv: ['--import', 'tsx', ...(options.exposeGc === true ? ['--expose-gc'] : []), ...profiling], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, SHOAL_BENCH_CHILD: name } });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return new BenchChild(child, name);
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command, ...args });
    });
  }

  /** Closes the IPC channel (the child then cleans up and exits) and waits up to 15 s before killing it. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The child side: answers each request with `handle`'s result, and exits when the parent goes away. */
export function serveRequests(handle: (command: string, args: Record<string, unknown>) => Promise<unknown>, onParentGone: () => Promise<void> | void = () => undefined): void {
  watchStalls(process.env['SHOAL_BENCH_CHILD'] ?? 'child');
  process.on('message', (message: { id: number; command: string } & Record<string, unknown>) => {
    handle(message.command, message).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.once('disconnect', () => {
    const forced = setTimeout(() => process.exit(0), 10_000);
    forced.unref();
    void Promise.resolve(onParentGone()).finally(() => process.exit(0));
  });
}

/**
 * Says on stderr when this process's event loop did not turn for 5 s or more (a 1 s timer came late): a stalled node
 * or device process is what drops whole shares of devices with socket.io ping timeouts, so the output names it.
 */
function watchStalls(name: string): void {
  let last = performance.now();
  const timer = setInterval(() => {
    const at = performance.now();
    const late = at - last - 1000;
    last = at;
    if (late >= 5000) console.error(`${name} (pid ${process.pid}): event loop stalled ${(late / 1000).toFixed(1)} s (RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`);
  }, 1000);
  timer.unref();
}

/** Seconds of CPU (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

/** The soft and hard open-file limits of a process, from /proc/<pid>/limits. */
export function openFileLimits(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((text) => text.startsWith('Max open files'))!;
  const [soft, hard] = line.slice('Max open files'.length).trim().split(/\s+/).map(Number);
  return { soft: soft!, hard: hard! };
}

/** The q-quantile (0..1) of `values` by the nearest-rank rule. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A node's /healthz: its status, how long it took, and the clients connected to it (on a cluster node: its own). */
export async function healthz(url: string): Promise<{ status: number; ms: number; clientsConnected: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/healthz`);
  const body = (await response.json()) as { clientsConnected: number };
  return { status: response.status, ms: performance.now() - started, clientsConnected: body.clientsConnected };
}

/** The fleet as a node sees it (GET /api/v1/clients `online`: on a cluster node, every node's clients). */
export async function fleetSeen(url: string, adminToken: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/clients?limit=1`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!response.ok) throw new Error(`GET /api/v1/clients answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { online: number }).online;
}

/** Until no node sees a client: its own gone, and the other nodes' departures reached it. */
export async function drained(urls: readonly string[], adminToken: string): Promise<void> {
  for (const url of urls) for (let wait = 0; wait < 240 && (await fleetSeen(url, adminToken)) > 0; wait++) await sleep(500);
}

/**
 * The sum of a Prometheus counter's samples on a node's /metrics, over the samples whose labels include `label`
 * (e.g. `path="summed"`) or over all of them; 0 when the counter has no sample yet.
 */
export async function metric(url: string, name: string, label?: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const labels = line[name.length] === '{' ? line.slice(name.length, line.indexOf('}') + 1) : '';
    if (label === undefined || labels.includes(label)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
