/**
 * docker-compose.yml is valid for Debian's docker-compose and describes the documented deployments: the single
 * coordinator with its agents (no profile), and the `cluster` profile's three nodes on PostgreSQL and Redis behind
 * nginx (docs/deploy/nginx-cluster.conf).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLUSTER_CONF } from '../support/nginx-server.js';
import { PATIENCE_MS } from '../support/patience.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'cluster-test-admin-token';
const NODES = ['node-1', 'node-2', 'node-3'];

interface ComposeService {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: { published: number; target: number }[];
  volumes?: string[];
}

/** The environment of a docker-compose child: this one's, with SHOAL_ADMIN_TOKEN set to `token` or removed. */
function composeEnv(token: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['SHOAL_ADMIN_TOKEN'];
  return token === undefined ? env : { ...env, SHOAL_ADMIN_TOKEN: token };
}

function compose(args: string[], token: string | undefined): string {
  return execFileSync('docker-compose', args, { cwd: root, encoding: 'utf8', env: composeEnv(token) });
}

/** `docker-compose [args] config`, parsed with the PyYAML that Debian's docker-compose (a python3 program) depends on. */
function resolvedServices(args: string[], token: string | undefined): Record<string, ComposeService> {
  const yaml = compose([...args, 'config'], token);
  const toJson = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
  return (JSON.parse(execFileSync('python3', ['-c', toJson], { input: yaml, encoding: 'utf8' })) as { services: Record<string, ComposeService> }).services;
}

/** The services in `profile`, or (undefined) those in none: what a plain `docker-compose up` starts. */
const withProfile = (services: Record<string, ComposeService>, profile: string | undefined) =>
  Object.keys(services).filter((name) => {
    const profiles = services[name]?.profiles;
    return profile === undefined ? profiles === undefined : profiles?.includes(profile) === true;
  }).sort();

function service(services: Record<string, ComposeService>, name: string): ComposeService {
  const found = services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
}

describe('docker-compose.yml', () => {
  it('passes `docker-compose config` and has a coordinator with a data volume and three agents', () => {
    // Without SHOAL_ADMIN_TOKEN: the cluster profile's services must not make the single-node deployment refuse.
    const services = resolvedServices([], undefined);
    expect(withProfile(services, undefined)).toEqual(['agent-0', 'agent-1', 'agent-2', 'coordinator']);
    expect(compose(['config', '--profiles'], undefined).trim().split('\n')).toEqual(['cluster']);
    const config = compose(['config'], undefined);
    expect(config).toMatch(/coordinator-data:\/data/);
    expect(config).toMatch(/SHOAL_COORDINATOR: http:\/\/coordinator:7070/);
    expect(config).toMatch(/condition: service_healthy/);
    const coordinator = service(services, 'coordinator');
    expect(coordinator.environment?.['SHOAL_DATABASE_URL']).toBeUndefined();
    expect(coordinator.environment?.['SHOAL_REDIS_URL']).toBeUndefined();
    for (let shard = 0; shard < 3; shard++) {
      const agent = service(services, `agent-${shard}`);
      expect(agent.environment?.['SHOAL_COORDINATOR']).toBe('http://coordinator:7070');
      expect(agent.command).toEqual(expect.arrayContaining(['--shard', `${shard}/3`]));
    }
  });

  it('has a `cluster` profile: PostgreSQL, Redis, three nodes, nginx and three agents', () => {
    const services = resolvedServices(['--profile', 'cluster'], TOKEN);
    expect(withProfile(services, 'cluster')).toEqual(['cluster-agent-0', 'cluster-agent-1', 'cluster-agent-2', 'nginx', ...NODES, 'postgres', 'redis']);
    const postgres = service(services, 'postgres');
    expect(postgres.image).toBe('postgres:15');
    expect(postgres.healthcheck?.test).toContain('pg_isready');
    expect(postgres.volumes?.some((volume) => volume.includes(':/var/lib/postgresql/data'))).toBe(true);
    const redis = service(services, 'redis');
    expect(redis.image).toBe('redis:7');
    expect(redis.healthcheck?.test.join(' ')).toMatch(/redis-cli ping/);

    const nodes = NODES.map((name) => service(services, name));
    expect(nodes.map((node) => node.environment?.['SHOAL_NODE_ID'])).toEqual(NODES);
    const env = postgres.environment ?? {};
    const databaseUrl = `postgres://${env['POSTGRES_USER']}:${env['POSTGRES_PASSWORD']}@postgres:5432/${env['POSTGRES_DB']}`;
    for (const node of nodes) {
      expect(node.image).toBe(service(services, 'coordinator').image);
      expect(node.environment).toMatchObject({
        SHOAL_HOST: '0.0.0.0',
        SHOAL_PORT: '7070',
        SHOAL_DATABASE_URL: databaseUrl,
        SHOAL_REDIS_URL: 'redis://redis:6379',
        SHOAL_ADMIN_TOKEN: TOKEN,
      });
      expect(node.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(node.healthcheck?.test.join(' ')).toMatch(/healthz/);
    }

    const nginx = service(services, 'nginx');
    expect(nginx.ports).toEqual([{ published: 8080, target: 8080 }]);
    expect(nginx.volumes).toEqual([`${CLUSTER_CONF}:/etc/nginx/conf.d/default.conf:ro`]);
    expect(Object.keys(nginx.depends_on ?? {}).sort()).toEqual(NODES);
    for (let shard = 0; shard < 3; shard++) {
      const agent = service(services, `cluster-agent-${shard}`);
      expect(agent.environment?.['SHOAL_COORDINATOR']).toBe('http://nginx:8080');
      expect(agent.command).toEqual(expect.arrayContaining(['--shard', `${shard}/3`, '--name', `cluster-agent-${shard}`]));
    }
  });

  it('proxies nginx to node-1..3 on 7070 with WebSocket upgrades, listening on the published 8080', () => {
    // The file runs for real in front of local servers in test/integration/test-servers.test.ts (nginx-server.ts
    // swaps in their addresses); node-1..3 resolve only inside the compose network, so here its text is checked.
    const conf = readFileSync(CLUSTER_CONF, 'utf8').replace(/#.*$/gm, '');
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf);
    expect([...(upstream?.[2] ?? '').matchAll(/server\s+([\w.-]+:\d+)/g)].map((match) => match[1])).toEqual(NODES.map((node) => `${node}:7070`));
    expect(conf).toContain(`proxy_pass http://${upstream?.[1]};`);
    expect(conf).toMatch(/^\s*listen 8080;/m);
    expect(conf).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(conf).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade/);
  });

  it('leaves the cluster nodes unable to start without SHOAL_ADMIN_TOKEN (the coordinator refuses an empty one)', () => {
    const services = resolvedServices(['--profile', 'cluster'], undefined);
    expect(service(services, 'node-1').environment?.['SHOAL_ADMIN_TOKEN']).toBe('');
    const dataDir = mkdtempSync(join(tmpdir(), 'shoal-compose-token-'));
    try {
      const env = { ...composeEnv(''), SHOAL_DATA_DIR: dataDir, SHOAL_PORT: '0' };
      const run = spawnSync('node', ['apps/coordinator/bin/shoal-coordinator.mjs'], { cwd: root, env, encoding: 'utf8', timeout: PATIENCE_MS });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/adminToken must be at least 16 characters/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
