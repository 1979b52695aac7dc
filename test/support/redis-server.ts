/**
 * A throwaway Redis for one test file: Debian's redis-server as a child of the test process, on a free port of
 * 127.0.0.1, its working directory and pidfile in a temporary directory, no persistence. No system service is used;
 * stop() (also run at process exit) stops the server and removes the directory.
 *
 * The child-process plumbing is owned-process.ts's, shared with nginx-server.ts.
 */
import { join } from 'node:path';
import { firstLine, startOwnedServer } from './owned-process.js';

const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The redis-server process (gone once stop() has resolved). */
  readonly pid: number;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** A server process this test process started and owns (see startOwnedServer). */
export async function startRedisServer(): Promise<RedisServer> {
  const server = await startOwnedServer({
    name: 'redis-server',
    bin: REDIS_SERVER,
    prepare: (port, dir) => [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--pidfile', join(dir, 'redis.pid'),
      '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    ],
    answers: async (port) => (await firstLine(port, 'PING\r\n')) === '+PONG',
  });
  return { url: `redis://127.0.0.1:${server.port}`, port: server.port, pid: server.pid, stop: () => server.stop() };
}
