/**
 * The coordinator side of one `bench:fleet-scale` column: one node on SQLite (the embedded default), one node on a
 * throwaway PostgreSQL, or N nodes of a cluster sharing a throwaway PostgreSQL and a throwaway Redis (the test
 * support servers, started here and stopped by `stop()`, also when a start fails), each node a process of its own.
 * With several nodes, node 1 is started first (it migrates the database) and is the one the bench creates jobs on,
 * so it leads them.
 */
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { BenchChild, openFileLimits } from './fleet-scale-support.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface NodeSet {
  /** Node 1 first: it leads every job the bench creates. */
  nodes: BenchChild[];
  urls: string[];
  /** What the nodes run on, for the output. */
  backend: string;
  stop(): Promise<void>;
}

export interface NodeSetOptions {
  count: number;
  store: StoreKind;
  adminToken: string;
  /** Per node. */
  maxConnections: number;
  /** Undefined: the coordinator's default. */
  leaseTtlMs: number | undefined;
}

export async function startNodes(options: NodeSetOptions): Promise<NodeSet> {
  const { count, store } = options;
  if (count > 1 && store !== 'postgres') throw new Error('several coordinator nodes need PostgreSQL');
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const nodes: BenchChild[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await Promise.all([redis?.stop(), postgres?.stop()]);
  };
  try {
    [postgres, redis] = await Promise.all([store === 'postgres' ? startPostgres() : undefined, count > 1 ? startRedisServer() : undefined]);
    const urls: string[] = [];
    for (let n = 1; n <= count; n++) {
      const node = BenchChild.start(new URL('./fleet-scale-coordinator.ts', import.meta.url), count === 1 ? 'coordinator' : `node-${n}`, { profile: true, exposeGc: true });
      nodes.push(node);
      const { url, logFile } = await node.request<{ url: string; logFile: string }>('start', {
        adminToken: options.adminToken,
        maxConnections: options.maxConnections,
        databaseUrl: postgres?.url,
        redisUrl: redis?.url,
        nodeId: count === 1 ? undefined : `node-${n}`,
        leaseTtlMs: options.leaseTtlMs,
      });
      urls.push(url);
      const limits = openFileLimits(node.pid);
      console.log(`${count === 1 ? 'coordinator' : `node-${n}`} pid ${node.pid} at ${url} (log ${logFile}); open files soft ${limits.soft}, hard ${limits.hard}; --max-connections ${options.maxConnections}`);
      if (options.maxConnections * 1.01 + 256 > limits.soft) console.log(`warning: ${options.maxConnections} connections plus the transport headroom come close to the node's ${limits.soft} descriptors: expect EMFILE at the wall`);
    }
    const backend = count > 1 ? `PostgreSQL ${postgres!.url} + Redis ${redis!.url}` : store === 'postgres' ? `PostgreSQL ${postgres!.url}` : 'SQLite (temporary directory)';
    return { nodes, urls, backend, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
