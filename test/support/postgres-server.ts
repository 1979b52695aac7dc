/**
 * A throwaway PostgreSQL server for one test file: Debian's binaries, a cluster in a temporary directory, a free
 * port on 127.0.0.1, its socket in the same directory, trust authentication. No system service is used; stop()
 * (also run at process exit) stops the server and removes the directory. initdb refuses root, so as root the
 * server runs as the unprivileged `postgres` user the Debian package creates (or `nobody`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './owned-process.js';

const run = promisify(execFile);
const SUPERUSER = 'shoal';

export interface PostgresServer {
  /** postgresql:// URL of the server's `shoal` database. */
  readonly url: string;
  readonly port: number;
  /** Creates another empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

function binDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config: look where Debian puts the server
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error('PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin): install Debian\'s postgresql (.ci/system-deps.sh)');
  return join(root, newest, 'bin');
}

/** As root: the user to run PostgreSQL as, with its uid and gid. */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
      return { name, uid, gid };
    } catch {
      // try the next
    }
  }
  throw new Error('running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as');
}


export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-postgres-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const asServer = (tool: string, args: string[]) =>
    user === undefined ? run(join(bin, tool), args) : run('runuser', ['-u', user.name, '--', join(bin, tool), ...args]);
  const stopNow = () => {
    try {
      if (existsSync(join(data, 'postmaster.pid'))) {
        const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
        execFileSync(user === undefined ? join(bin, 'pg_ctl') : 'runuser', user === undefined ? args : ['-u', user.name, '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
      }
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  let port = 0;
  try {
    await asServer('initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
    // A free port may be taken between the probe and the bind: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await asServer('pg_ctl', ['-D', data, '-l', log, '-o', settings, '-w', '-t', '120', 'start']);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, SUPERUSER]);
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
    stopNow();
    process.removeListener('exit', stopNow);
    throw new Error(`could not start a test PostgreSQL: ${(error as Error).message}\n${serverLog}`, { cause: error });
  }
  const urlOf = (database: string) => `postgresql://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url: urlOf(SUPERUSER),
    port,
    async createDatabase(name) {
      await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, name]);
      return urlOf(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopNow);
      stopNow();
    },
  };
}
