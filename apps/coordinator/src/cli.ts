/** shoal-coordinator: the coordinator process (see `--help`); every option also reads a SHOAL_* variable. */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { Coordinator } from '@shoal/server';
import { ShoalError } from '@shoal/protocol';

const env = process.env;
/** The console this repository ships (apps/console/dist, built by `npm run build:console`). */
const SHIPPED_CONSOLE = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const command = new Command('shoal-coordinator')
  .description('Shoal coordinator: REST under /api/v1 and socket.io /fleet on one port, SQLite in the data directory')
  .option('--host <host>', 'interface to listen on (0.0.0.0 for containers)', env['SHOAL_HOST'] ?? '127.0.0.1')
  .option('--port <port>', 'port; 0 picks a free one', env['SHOAL_PORT'] ?? '7070')
  .option('--data-dir <path>', 'SQLite database and state', env['SHOAL_DATA_DIR'] ?? '.shoal/coordinator')
  .option('--database-url <url>', 'keep the store in PostgreSQL (postgres://user@host:port/db) instead of SQLite in --data-dir', env['SHOAL_DATABASE_URL'])
  .option('--redis-url <url>', 'run as one node of a cluster: nodes share --database-url and this Redis (redis://host:port)', env['SHOAL_REDIS_URL'])
  .option('--node-id <id>', 'this node\'s name in the cluster (default: host name and process id)', env['SHOAL_NODE_ID'])
  .option('--lease-ttl-ms <ms>', 'a job lease\'s lifetime without renewal: a dead node\'s jobs move to another within about this long', env['SHOAL_LEASE_TTL_MS'] ?? '10000')
  .option('--trust-proxy <proxies>', "load balancers whose X-Forwarded-For names the client: 'loopback', addresses/CIDRs (comma-separated) or a hop count", env['SHOAL_TRUST_PROXY'])
  .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent', env['SHOAL_LOG_LEVEL'] ?? 'info')
  .option('--heartbeat-interval-ms <ms>', 'how often clients send heartbeats', env['SHOAL_HEARTBEAT_INTERVAL_MS'] ?? '15000')
  .option('--max-message-mb <mb>', 'largest socket message (model-sized updates need more than socket.io\'s 1 MB default)', env['SHOAL_MAX_MESSAGE_MB'] ?? '64')
  .option('--max-json-body-mb <mb>', 'largest JSON request body', env['SHOAL_MAX_JSON_BODY_MB'] ?? '32')
  .option('--no-central-evaluation', 'do not evaluate new versions on a held-out set')
  .option('--admin-token <token>', 'admin token for the console and changing REST calls (>= 16 characters); without it the stored one is kept, or one is generated and logged once', env['SHOAL_ADMIN_TOKEN'])
  .option('--session-ttl-minutes <minutes>', 'how long a console login lasts', env['SHOAL_SESSION_TTL_MINUTES'] ?? '720')
  .option('--console-dir <path>', 'the built web console to serve at /', env['SHOAL_CONSOLE_DIR'] ?? SHIPPED_CONSOLE)
  .option('--no-console', 'do not serve the web console')
  .option('--tls-cert <file>', 'PEM certificate chain: serve HTTPS/WSS (with --tls-key)', env['SHOAL_TLS_CERT'])
  .option('--tls-key <file>', 'PEM private key of --tls-cert', env['SHOAL_TLS_KEY'])
  .option('--require-enrolment', 'accept only devices enrolled with a join token (SHOAL_REQUIRE_ENROLMENT=1)', env['SHOAL_REQUIRE_ENROLMENT'] === '1')
  .option('--max-connections <n>', '/fleet sockets held at once; beyond it CAPACITY_EXCEEDED (default: the open-file limit less max(512, 10 %))', env['SHOAL_MAX_CONNECTIONS'])
  .option('--hello-timeout-ms <ms>', 'close a /fleet connection that has had no hello accepted by then', env['SHOAL_HELLO_TIMEOUT_MS'] ?? '30000')
  .option('--max-update-attempts <n>', 'uploads refused for their content that one client may retry within a round', env['SHOAL_MAX_UPDATE_ATTEMPTS'] ?? '3')
  .option('--aggregation-memory-mb <mb>', 'memory one round of a median / trimmed-mean / Krum job may hold (it samples at most this / (4 B × parameters) clients)', env['SHOAL_AGGREGATION_MEMORY_MB'] ?? '1024')
  .option('--download-cache-mib <mib>', 'memory for weights downloads served from cache (0: build every download anew)', env['SHOAL_DOWNLOAD_CACHE_MIB'] ?? '256')
  .parse();

const raw = command.opts();
let coordinator: Coordinator;
try {
  coordinator = new Coordinator({
    host: String(raw['host']),
    port: Number(raw['port']),
    dataDir: String(raw['dataDir']),
    databaseUrl: typeof raw['databaseUrl'] === 'string' ? raw['databaseUrl'] : undefined,
    redisUrl: typeof raw['redisUrl'] === 'string' ? raw['redisUrl'] : undefined,
    nodeId: typeof raw['nodeId'] === 'string' ? raw['nodeId'] : undefined,
    leaseTtlMs: Number(raw['leaseTtlMs']),
    trustProxy: typeof raw['trustProxy'] === 'string' ? raw['trustProxy'] : undefined,
    logLevel: String(raw['logLevel']),
    heartbeatIntervalMs: Number(raw['heartbeatIntervalMs']),
    maxMessageBytes: Math.round(Number(raw['maxMessageMb']) * 1024 * 1024),
    maxJsonBodyBytes: Math.round(Number(raw['maxJsonBodyMb']) * 1024 * 1024),
    centralEvaluation: raw['centralEvaluation'] !== false,
    adminToken: raw['adminToken'] === undefined ? undefined : String(raw['adminToken']),
    sessionTtlMs: Math.round(Number(raw['sessionTtlMinutes']) * 60_000),
    consoleDir: raw['console'] === false ? undefined : String(raw['consoleDir']),
    tlsCertFile: typeof raw['tlsCert'] === 'string' ? raw['tlsCert'] : undefined,
    tlsKeyFile: typeof raw['tlsKey'] === 'string' ? raw['tlsKey'] : undefined,
    requireEnrolment: raw['requireEnrolment'] === true,
    aggregationMemoryBytes: Math.round(Number(raw['aggregationMemoryMb']) * 1024 * 1024),
    downloadCacheBytes: Math.round(Number(raw['downloadCacheMib']) * 1024 * 1024),
    helloTimeoutMs: Number(raw['helloTimeoutMs']),
    maxConnections: raw['maxConnections'] === undefined ? undefined : Number(raw['maxConnections']),
    maxUpdateAttempts: Number(raw['maxUpdateAttempts']),
  });
} catch (error) {
  console.error(`shoal-coordinator: ${ShoalError.from(error).message}`);
  process.exit(2);
}

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  coordinator.logger.info({ signal }, 'shutting down');
  void coordinator.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
await coordinator.start();
