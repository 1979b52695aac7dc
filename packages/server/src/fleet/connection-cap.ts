/**
 * The fleet connection cap: how many /fleet sockets one coordinator holds, kept below the process's file-descriptor
 * limit so that REST, /healthz and /metrics still get descriptors when the fleet is at the cap.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { ShoalError } from '@shoal/protocol';
import type { CoordinatorMetrics } from '../metrics.js';
import type { Clock } from '../time/clock.js';

/** The cap when the descriptor limit cannot be read (no /proc, or an unlimited limit). */
export const FALLBACK_MAX_CONNECTIONS = 10_000;
/** Descriptors never given to fleet sockets: SQLite and its WAL, worker threads, logs, REST, /healthz, /metrics. */
const MIN_DESCRIPTOR_RESERVE = 512;
const RESERVE_FRACTION = 0.1;
const WARNING_INTERVAL_MS = 10_000;

/** The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start), or undefined off Linux. */
export function descriptorLimit(limitsFile = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(limitsFile, 'utf8').split('\n').find((text) => text.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** The default cap: the descriptor limit less a reserve of max(512, 10 %); the fallback when the limit is unknown. */
export function defaultMaxConnections(limit: number | undefined): number {
  if (limit === undefined) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(1, limit - Math.max(MIN_DESCRIPTOR_RESERVE, Math.ceil(limit * RESERVE_FRACTION)));
}

/**
 * Transports admitted beyond the cap, so that a refused client still gets a CONNECT_ERROR with the code (and console
 * sockets still connect); beyond this the engine refuses the handshake itself, before any session exists.
 */
export function transportHeadroom(maxConnections: number): number {
  return Math.max(16, Math.ceil(maxConnections * 0.01));
}

export interface ConnectionCapDependencies {
  logger: Logger;
  metrics: CoordinatorMetrics;
  clock: Clock;
}

export class ConnectionCap {
  private readonly held = new Set<string>();
  private refusedSinceWarning = 0;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private readonly refusals: Counter<'stage'>;

  constructor(
    readonly maxConnections: number,
    private readonly deps: ConnectionCapDependencies,
  ) {
    if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new ShoalError('VALIDATION_FAILED', `option maxConnections must be an integer >= 1, got ${maxConnections}`, { details: { option: 'maxConnections' } });
    const registers = [deps.metrics.registry];
    const held = this.held;
    new Gauge({ name: 'shoal_fleet_connections', help: 'Sockets connected to /fleet and held against the connection cap', registers, collect() { this.set(held.size); } });
    new Gauge({ name: 'shoal_fleet_connections_max', help: 'The fleet connection cap (--max-connections)', registers }).set(maxConnections);
    this.refusals = new Counter({ name: 'shoal_fleet_connections_refused_total', help: 'Connections refused at the cap, by stage (namespace: CONNECT_ERROR with the code; transport: the engine handshake)', labelNames: ['stage'] as const, registers });
  }

  get size(): number {
    return this.held.size;
  }

  /** The most engine transports (fleet, console and not yet joined) admitted at once. */
  get transportLimit(): number {
    return this.maxConnections + transportHeadroom(this.maxConnections);
  }

  /** Holds a slot for the socket until `release(id)`; throws CAPACITY_EXCEEDED at the cap. */
  acquire(id: string): void {
    if (this.held.size >= this.maxConnections) {
      this.refused('namespace');
      throw this.error();
    }
    this.held.add(id);
  }

  release(id: string): void {
    this.held.delete(id);
  }

  /** engine.io's allowRequest for a new transport (a handshake; upgrades of existing sessions never get here). */
  allowTransport(transports: number, callback: (message: string | null | undefined, success: boolean) => void): void {
    if (transports < this.transportLimit) return callback(null, true);
    this.refused('transport');
    callback(`CAPACITY_EXCEEDED: ${this.error().message}`, false);
  }

  private error(): ShoalError {
    return new ShoalError('CAPACITY_EXCEEDED', `the coordinator holds its maximum of ${this.maxConnections} fleet connections; retry later`, { details: { maxConnections: this.maxConnections } });
  }

  /** One warning per interval, counting the refusals since the last one. */
  private refused(stage: 'namespace' | 'transport'): void {
    this.refusals.inc({ stage });
    this.deps.metrics.rejectedMessages.inc({ code: 'CAPACITY_EXCEEDED' });
    this.refusedSinceWarning += 1;
    const now = this.deps.clock.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.deps.logger.warn(
      { maxConnections: this.maxConnections, connections: this.held.size, refused: this.refusedSinceWarning, stage },
      'refusing fleet connections at the connection cap (--max-connections)',
    );
    this.lastWarningAt = now;
    this.refusedSinceWarning = 0;
  }
}
