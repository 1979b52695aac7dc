/**
 * The throwaway Redis and nginx that the cluster tests run on (test/support/redis-server.ts, nginx-server.ts): Redis
 * answers commands; nginx, with the cluster deployment's proxy settings, balances over its upstreams, passes WebSocket
 * upgrades, skips a dead upstream; and stop() leaves no process behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { WebSocket, WebSocketServer } from 'ws';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startNginx, type NginxServer } from '../support/nginx-server.js';

/** Whether a process with this pid exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces) in parentheses: state, then the parent's pid.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // the process has gone meanwhile
    }
  }
  return children;
}

interface Upstream {
  name: string;
  address: string;
  stop(): Promise<void>;
}

/** An http server on 127.0.0.1 that answers its name (and the X-Forwarded-For it saw), and echoes WebSocket messages. */
async function upstream(name: string): Promise<Upstream> {
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ name, forwardedFor: request.headers['x-forwarded-for'] ?? null }));
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name}: ${String(data)}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    address: `127.0.0.1:${port}`,
    async stop() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function nameVia(nginx: NginxServer): Promise<string> {
  const response = await fetch(`${nginx.url}/`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { name: string; forwardedFor: string | null };
  expect(body.forwardedFor).toBe('127.0.0.1');
  return body.name;
}

describe('startRedisServer', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('answers PING, SET and GET on its redis:// URL', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await client.ping()).toBe('PONG');
    expect(await client.set('shoal:test', 'value')).toBe('OK');
    expect(await client.get('shoal:test')).toBe('value');
  });

  it('is a separate instance with no persistence', async () => {
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(Number(await client.dbsize())).toBe(1);
  });

  it('stop() leaves no process behind', async () => {
    client.disconnect();
    expect(alive(redis.pid)).toBe(true);
    await redis.stop();
    expect(alive(redis.pid)).toBe(false);
    await redis.stop(); // twice is fine
  });
});

describe('startNginx', () => {
  let a: Upstream;
  let b: Upstream;
  let nginx: NginxServer;
  let sticky: NginxServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    [nginx, sticky] = await Promise.all([
      startNginx({ upstreams: [a.address, b.address] }),
      startNginx({ upstreams: [a.address, b.address], sticky: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([nginx?.stop(), sticky?.stop(), a?.stop(), b?.stop()]);
  });

  it('balances requests over both upstreams round robin, with X-Forwarded-For', async () => {
    expect(nginx.url).toBe(`http://127.0.0.1:${nginx.port}`);
    const seen = new Set<string>();
    for (let request = 0; request < 10 && seen.size < 2; request++) seen.add(await nameVia(nginx));
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('keeps one client address on one upstream when sticky', async () => {
    const names = new Set<string>();
    for (let request = 0; request < 6; request++) names.add(await nameVia(sticky));
    expect(names.size).toBe(1);
  });

  it('passes a WebSocket upgrade through to an upstream', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${nginx.port}/fleet`);
    const upgraded = new Promise<number>((resolve, reject) => {
      socket.once('upgrade', (response) => resolve(response.statusCode ?? 0));
      socket.once('error', reject);
    });
    expect(await upgraded).toBe(101);
    await new Promise<void>((resolve) => (socket.readyState === WebSocket.OPEN ? resolve() : socket.once('open', () => resolve())));
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send('hello');
    expect(await reply).toMatch(/^[ab]: hello$/);
    socket.close();
  });

  it('still answers through the other upstream when one has stopped', async () => {
    await b.stop();
    for (let request = 0; request < 6; request++) expect(await nameVia(nginx)).toBe('a');
  });

  it('stop() leaves no process behind (master and workers)', async () => {
    const workers = childrenOf(nginx.pid);
    expect(workers.length).toBeGreaterThan(0);
    expect([nginx.pid, ...workers].every(alive)).toBe(true);
    await nginx.stop();
    expect([nginx.pid, ...workers].filter(alive)).toEqual([]);
    await nginx.stop(); // twice is fine
  });
});
