/**
 * A throwaway nginx reverse proxy for one test file: Debian's nginx as a child of the test process (master and one
 * worker), on a free port of 127.0.0.1, its config, pid, logs and temp paths in a temporary directory. No system
 * service is used; stop() (also run at process exit) stops it and removes the directory.
 *
 * Its proxy settings are the cluster deployment's own (docs/deploy/nginx-cluster.conf) with the upstream servers and
 * the listen address replaced, so the tests exercise the WebSocket upgrade, timeouts and failover that docker-compose's
 * `cluster` profile deploys.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, startOwnedServer } from './owned-process.js';

const NGINX = '/usr/sbin/nginx';
export const CLUSTER_CONF = fileURLToPath(new URL('../../docs/deploy/nginx-cluster.conf', import.meta.url));

export interface NginxOptions {
  /** The upstream servers, 'host:port'. */
  upstreams: string[];
  /** `hash $remote_addr consistent` instead of round robin: a client address always reaches the same upstream. */
  sticky?: boolean;
}

export interface NginxServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The master process (it and its workers are gone once stop() has resolved). */
  readonly pid: number;
  /** Stops nginx (SIGTERM, then waits for the master, which waits for its workers) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const SERVER_LINE = /^([ \t]*)server[ \t]+node-\d+:7070\b([^;\n]*);[ \t]*\n/gm;
const LISTEN_LINE = /^([ \t]*)listen[ \t]+8080;/m;

/**
 * The http-context proxy settings of docs/deploy/nginx-cluster.conf with `upstreams` in place of node-1..3 (each with
 * the nodes' server parameters), listening on 127.0.0.1:`port`, and `hash $remote_addr consistent` when sticky.
 */
export function clusterProxyConfig(options: NginxOptions & { port: number }): string {
  const template = readFileSync(CLUSTER_CONF, 'utf8');
  const servers = [...template.matchAll(SERVER_LINE)];
  const first = servers[0];
  if (first === undefined || !LISTEN_LINE.test(template)) throw new Error(`${CLUSTER_CONF} has no \`server node-N:7070 ...;\` or no \`listen 8080;\` line`);
  if (options.upstreams.length === 0) throw new Error('nginx needs at least one upstream');
  const [, indent = '', parameters = ''] = first;
  const replacement = [
    ...(options.sticky === true ? [`${indent}hash $remote_addr consistent;\n`] : []),
    ...options.upstreams.map((upstream) => `${indent}server ${upstream}${parameters};\n`),
  ].join('');
  let index = 0;
  return template
    .replace(SERVER_LINE, () => (index++ === 0 ? replacement : ''))
    .replace(LISTEN_LINE, (_line, listenIndent: string) => `${listenIndent}listen 127.0.0.1:${options.port};`);
}

/** A whole nginx.conf: the process, its files in `dir`, and the cluster's proxy settings inside http {}. */
function nginxConf(dir: string, proxy: string): string {
  const path = (name: string) => JSON.stringify(join(dir, name));
  return [
    // As root the master would run its workers as `nobody`, which cannot enter a root-owned 0700 temp dir.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    `pid ${path('nginx.pid')};`,
    `error_log ${path('error.log')} warn;`,
    'events {',
    '  worker_connections 1024;',
    '}',
    'http {',
    `  access_log ${path('access.log')};`,
    `  client_body_temp_path ${path('client-body')};`,
    `  proxy_temp_path ${path('proxy')};`,
    `  fastcgi_temp_path ${path('fastcgi')};`,
    `  uwsgi_temp_path ${path('uwsgi')};`,
    `  scgi_temp_path ${path('scgi')};`,
    proxy,
    '}',
    '',
  ].join('\n');
}

export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  const server = await startOwnedServer({
    name: 'nginx',
    bin: NGINX,
    prepare: (port, dir) => {
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, nginxConf(dir, clusterProxyConfig({ ...options, port })));
      // -e: the log nginx writes before it has read the config (the compiled-in one is not writable as non-root).
      return ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log')];
    },
    answers: async (port) => (await firstLine(port, '')) === 'connected',
  });
  return { url: `http://127.0.0.1:${server.port}`, port: server.port, pid: server.pid, stop: () => server.stop() };
}
