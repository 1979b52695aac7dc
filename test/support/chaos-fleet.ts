/**
 * For crash tests: a coordinator in its own process (so it can be killed with SIGKILL) on a fixed port and data
 * directory, and raw protocol clients in this process that answer every fit task at once with a small delta, keep
 * their ids across restarts, and can be told to hold the tasks of a round. After the run, `audit` opens the SQLite
 * file and checks what a crash must never leave behind.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { encodeFrame } from '@shoal/codec';
import { PROTOCOL_VERSION, type FitTask, type TensorSpec } from '@shoal/protocol';
import { startCoordinator, type Started } from '../../apps/demo/src/processes.js';
import { call, connectRaw, type RawSocket } from './raw-client.js';
import { eventually, postJson, request } from './rest.js';
import { meta, tensors } from './raw-fleet.js';
import { ROUND_DEADLINE_MS } from './patience.js';
import { TINY_TOPOLOGY } from './secure-fleet.js';

export const CHAOS_ADMIN_TOKEN = 'chaos-harness-admin-token';
const admin = { authorization: `Bearer ${CHAOS_ADMIN_TOKEN}` };

export class ChaosFleet {
  private coordinator: (Started & { url: string }) | undefined;
  private port = 0;
  private readonly ids: (string | undefined)[];
  private sockets: RawSocket[] = [];
  /** Tasks of these rounds are not answered (the test kills the coordinator while they are open). */
  readonly holdRounds = new Set<number>();
  /** Fires when a held task arrives. */
  onHeld: (task: FitTask) => void = () => undefined;

  constructor(
    readonly dir: string,
    readonly clients = 3,
    /** Each answer waits up to this long (real time), so rounds last long enough for kills to land inside them. */
    readonly answerDelayMs = 0,
  ) {
    this.ids = Array.from({ length: clients });
  }

  get url(): string {
    if (this.coordinator === undefined) throw new Error('the coordinator is not running');
    return this.coordinator.url;
  }

  /** Starts (or restarts) the coordinator on the same port and data directory, and (re)connects the clients. */
  async start(): Promise<void> {
    this.coordinator = await startCoordinator(join(this.dir, 'coordinator'), { port: this.port, extraArgs: ['--admin-token', CHAOS_ADMIN_TOKEN, '--no-central-evaluation'] });
    this.port = Number(new URL(this.coordinator.url).port);
    this.sockets = [];
    for (let c = 0; c < this.clients; c++) this.sockets.push(await this.connect(c));
  }

  /** SIGKILL: no shutdown code runs, as when a machine loses power. */
  async kill(): Promise<void> {
    const child = this.coordinator?.child;
    for (const socket of this.sockets) socket.disconnect();
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.coordinator = undefined;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.disconnect();
    await this.coordinator?.stop();
    this.coordinator = undefined;
  }

  async createJob(name: string, rounds: number): Promise<string> {
    const reply = await postJson<{ id: string }>(`${this.url}/api/v1/jobs`, {
      name, model: { topology: TINY_TOPOLOGY }, rounds, minFitClients: 2, minAvailableClients: 2, fractionFit: 1, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'float32' },
    }, admin);
    if (reply.status !== 201) throw new Error(`job not created: ${JSON.stringify(reply.body)}`);
    return reply.body.id;
  }

  async jobsEnded(ids: readonly string[]): Promise<void> {
    await eventually(async () => {
      for (const id of ids) if ((await request<{ status: string }>(`${this.url}/api/v1/jobs/${id}`, { headers: admin })).body.status === 'running') return undefined;
      return true;
    }, `jobs ${ids.join(', ')} to end`);
  }

  private async connect(c: number): Promise<RawSocket> {
    const id = this.ids[c];
    const socket = await connectRaw(this.url, id === undefined ? undefined : { protocolVersion: PROTOCOL_VERSION, clientId: id });
    const specs = new Map<string, Promise<TensorSpec[]>>();
    let accessToken = '';
    // Listening before hello: a resumed job may send a task as soon as the client registers.
    socket.on('fit:task', (task: FitTask) => {
      if (this.holdRounds.has(task.round)) return this.onHeld(task);
      void (async () => {
        if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * this.answerDelayMs));
        if (!specs.has(task.jobId)) {
          specs.set(task.jobId, fetch(new URL(task.modelUrl, this.url), { headers: { authorization: `Bearer ${accessToken}` } }).then(async (r) => ((await r.json()) as { tensors: TensorSpec[] }).tensors));
        }
        const delta = tensors(await specs.get(task.jobId)!, (i) => Math.sin(i + task.round + c) * 0.001);
        await call(socket, 'fit:result', meta(task, 100), encodeFrame('delta', delta, { id: 'float32' })).catch(() => undefined);
      })().catch(() => undefined);
    });
    const reply = await call(socket, 'hello', { ...(id === undefined ? {} : { clientId: id }), name: `chaos-${c}`, capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 100, numEvalExamples: 0 } });
    if (!reply.ok) throw new Error(`hello refused: ${JSON.stringify(reply.error)}`);
    this.ids[c] = String(reply['clientId']);
    accessToken = String(reply['accessToken']);
    return socket;
  }
}

export interface AuditResult {
  integrity: string;
  jobs: { id: string; status: string; rounds: number; interrupted: number; latestVersion: number; requested: number }[];
  /** Contributions a crash left in a state no round will resolve: selected or accepted in a round that ended. */
  unresolved: number;
  openRounds: number;
}

/** Reads the stopped coordinator's database: integrity, each job's rounds and versions, unresolved contributions. */
export function audit(dir: string): AuditResult {
  const db = new Database(join(dir, 'coordinator', 'shoal.sqlite'), { readonly: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const jobs = (db.prepare('SELECT id, status, latest_version AS latestVersion, config FROM jobs').all() as { id: string; status: string; latestVersion: number; config: string }[]).map((job) => {
      const rounds = db.prepare('SELECT COUNT(*) AS n, SUM(interrupted) AS i FROM rounds WHERE job_id = ?').get(job.id) as { n: number; i: number | null };
      return { id: job.id, status: job.status, rounds: rounds.n, interrupted: rounds.i ?? 0, latestVersion: job.latestVersion, requested: (JSON.parse(job.config) as { rounds: number }).rounds };
    });
    const unresolved = (db.prepare(`SELECT COUNT(*) AS n FROM contributions c JOIN rounds r ON r.job_id = c.job_id AND r.round = c.round WHERE r.status != 'running' AND (c.status = 'selected' OR (c.status = 'accepted' AND r.status = 'failed'))`).get() as { n: number }).n;
    const openRounds = (db.prepare(`SELECT COUNT(*) AS n FROM rounds WHERE status = 'running'`).get() as { n: number }).n;
    return { integrity, jobs, unresolved, openRounds };
  } finally {
    db.close();
  }
}
