/** Coordinator options, their defaults, and validation that names the wrong option. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '@shoal/protocol';
import { MIN_ADMIN_TOKEN_LENGTH } from './auth/admin-auth.js';
import { defaultMaxConnections, descriptorLimit } from './fleet/connection-cap.js';

export interface CoordinatorSettings {
  dataDir: string;
  /** postgres:// URL: keep the store in PostgreSQL instead of SQLite under dataDir (required for a cluster). */
  databaseUrl: string | undefined;
  /** redis:// URL: run as one node of a cluster (jobs under leases, the fleet shared through the socket.io Redis adapter). */
  redisUrl: string | undefined;
  /** This node's name in the cluster (default: host name and process id). */
  nodeId: string | undefined;
  /**
   * Which proxies in front may name the client's address in X-Forwarded-For (express's 'trust proxy': 'loopback',
   * a comma-separated list of addresses or CIDRs, or a hop count); per-address limits and audit then see the device's
   * address instead of the load balancer's. Undefined: trust none.
   */
  trustProxy: string | undefined;
  /** How long a job's lease lasts without renewal: a dead leader's jobs move to another node within about this long. */
  leaseTtlMs: number;
  host: string;
  port: number;
  heartbeatIntervalMs: number;
  /** socket.io transport cap; updates above the job's own limit but below this get PAYLOAD_TOO_LARGE, above it the connection drops. */
  maxMessageBytes: number;
  maxJsonBodyBytes: number;
  logLevel: string;
  centralEvaluation: boolean;
  /** Uploads refused for their content that one client may retry within a round. */
  maxUpdateAttempts: number;
  /** The administrator token; when undefined, the stored one is kept, or one is generated and logged once. */
  adminToken: string | undefined;
  /** How long a console session lasts after login. */
  sessionTtlMs: number;
  /** The built web console served at `/`; when undefined, `/` explains how to build it. */
  consoleDir: string | undefined;
  /** PEM certificate chain and private key: when both are set the coordinator serves HTTPS and WSS only. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Accept only enrolled devices (hello must carry a key proof); otherwise unenrolled clients may join open jobs. */
  requireEnrolment: boolean;
  /**
   * What one round of a strategy that holds every update (median, trimmed mean, Krum) may keep in memory; such jobs
   * sample at most budget / (4 bytes × parameters) clients per round, and a job asking for more is refused.
   */
  aggregationMemoryBytes: number;
  /** Memory for weights frames served from cache (every download codec, deltas included); 0 builds every download anew. */
  downloadCacheBytes: number;
  /** A /fleet connection with no accepted hello by then is closed. */
  helloTimeoutMs: number;
  /** /fleet sockets held at once; beyond it CAPACITY_EXCEEDED (default: the fd soft limit less a reserve, fleet/connection-cap.ts). */
  maxConnections: number;
}

export const DEFAULT_SETTINGS: CoordinatorSettings = {
  dataDir: join('.shoal', 'coordinator'),
  databaseUrl: undefined,
  redisUrl: undefined,
  nodeId: undefined,
  leaseTtlMs: 10_000,
  trustProxy: undefined,
  host: '127.0.0.1',
  port: 7070,
  // Sign of life and status only: socket.io's ping (25 s) finds dead connections, so a large fleet's idle cost stays low.
  heartbeatIntervalMs: 15_000,
  maxMessageBytes: 64 * 1024 * 1024,
  maxJsonBodyBytes: 32 * 1024 * 1024,
  logLevel: 'info',
  centralEvaluation: true,
  maxUpdateAttempts: 3,
  adminToken: undefined,
  sessionTtlMs: 12 * 60 * 60 * 1000,
  consoleDir: undefined,
  tlsCertFile: undefined,
  tlsKeyFile: undefined,
  requireEnrolment: false,
  aggregationMemoryBytes: 1024 * 1024 * 1024,
  downloadCacheBytes: 256 * 1024 * 1024,
  helloTimeoutMs: 30_000,
  maxConnections: defaultMaxConnections(descriptorLimit()),
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function option(name: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `option ${name} ${message}`, { details: { option: name } });
}

export function resolveSettings(partial: Partial<CoordinatorSettings>): CoordinatorSettings {
  const settings = { ...DEFAULT_SETTINGS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  if (typeof settings.dataDir !== 'string' || settings.dataDir === '') throw option('dataDir', 'must be a non-empty path');
  if (settings.databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(String(settings.databaseUrl))) throw option('databaseUrl', 'must be a postgres:// or postgresql:// URL');
  if (settings.redisUrl !== undefined && !/^rediss?:\/\/./.test(String(settings.redisUrl))) throw option('redisUrl', 'must be a redis:// or rediss:// URL');
  if (settings.redisUrl !== undefined && settings.databaseUrl === undefined) {
    throw option('redisUrl', 'needs databaseUrl: the nodes of a cluster share one PostgreSQL database (SQLite is for one node)');
  }
  if (settings.nodeId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(String(settings.nodeId))) throw option('nodeId', 'must be 1-64 letters, digits, dots, dashes or underscores');
  if (!Number.isInteger(settings.leaseTtlMs) || settings.leaseTtlMs < 500 || settings.leaseTtlMs > 600_000) throw option('leaseTtlMs', 'must be an integer from 500 to 600000');
  if (settings.trustProxy !== undefined && !/^(\d{1,2}|[0-9A-Za-z.:/,\s]{1,1000})$/.test(String(settings.trustProxy))) {
    throw option('trustProxy', "must be a hop count, 'loopback', 'linklocal', 'uniquelocal', or addresses/CIDRs separated by commas");
  }
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535) throw option('port', `must be 0..65535, got ${settings.port}`);
  if (!Number.isInteger(settings.heartbeatIntervalMs) || settings.heartbeatIntervalMs < 100) throw option('heartbeatIntervalMs', 'must be an integer >= 100');
  if (!Number.isInteger(settings.maxMessageBytes) || settings.maxMessageBytes < 1 << 20) throw option('maxMessageBytes', 'must be at least 1 MiB');
  if (!Number.isInteger(settings.maxJsonBodyBytes) || settings.maxJsonBodyBytes < 1 << 10) throw option('maxJsonBodyBytes', 'must be at least 1 KiB');
  if (typeof settings.requireEnrolment !== 'boolean') throw option('requireEnrolment', 'must be true or false');
  if (!Number.isInteger(settings.maxUpdateAttempts) || settings.maxUpdateAttempts < 1) throw option('maxUpdateAttempts', 'must be an integer >= 1');
  if (!Number.isInteger(settings.helloTimeoutMs) || settings.helloTimeoutMs < 100) throw option('helloTimeoutMs', 'must be an integer >= 100');
  if (!Number.isInteger(settings.maxConnections) || settings.maxConnections < 1) throw option('maxConnections', `must be an integer >= 1, got ${settings.maxConnections}`);
  if (!Number.isInteger(settings.downloadCacheBytes) || settings.downloadCacheBytes < 0) throw option('downloadCacheBytes', 'must be an integer >= 0');
  if (!Number.isInteger(settings.aggregationMemoryBytes) || settings.aggregationMemoryBytes < 1 << 20) throw option('aggregationMemoryBytes', 'must be an integer of at least 1 MiB');
  if ((settings.tlsCertFile === undefined) !== (settings.tlsKeyFile === undefined)) {
    throw option(settings.tlsCertFile === undefined ? 'tlsCertFile' : 'tlsKeyFile', 'must be given together with the other TLS file');
  }
  for (const name of ['tlsCertFile', 'tlsKeyFile'] as const) {
    const file = settings[name];
    if (file !== undefined && !existsSync(file)) throw option(name, `names a file that does not exist: ${file}`);
  }
  if (!Number.isInteger(settings.sessionTtlMs) || settings.sessionTtlMs < 1000) throw option('sessionTtlMs', 'must be an integer >= 1000');
  if (settings.adminToken !== undefined && (typeof settings.adminToken !== 'string' || settings.adminToken.length < MIN_ADMIN_TOKEN_LENGTH)) {
    throw option('adminToken', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  if (!LOG_LEVELS.includes(settings.logLevel)) throw option('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
  return settings;
}
