/**
 * A server program of Debian's as a child of the test process (redis-server, nginx): a free port of 127.0.0.1, a
 * temporary directory for everything it writes, readiness by probing its port, and stop() (also run at process exit)
 * that ends it and removes the directory. No system service is used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATIENCE_MS } from './patience.js';

/** How long stop() lets a server shut down after SIGTERM before it kills it: a hang guard, never reached normally. */
const SHUTDOWN_GUARD_MS = 30_000;

export interface OwnedServer {
  readonly port: number;
  readonly pid: number;
  /** The temporary directory the server keeps everything in. */
  readonly dir: string;
  /** SIGTERM, waits for the exit, removes the directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface OwnedServerSpec {
  /** Named in failures and in the temporary directory's name. */
  name: string;
  bin: string;
  /** Writes what the server needs into `dir` and returns its arguments for listening on 127.0.0.1:`port`. */
  prepare(port: number, dir: string): string[];
  /** Whether the server on `port` answers yet (false while it is starting). */
  answers(port: number): Promise<boolean>;
}

/** A port that was free a moment ago (the caller retries when it is taken before the server binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends `request` to 127.0.0.1:`port` and resolves the first line of the reply ('' when refused or closed). */
export function firstLine(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (line: string) => {
      socket.destroy();
      resolve(line);
    };
    socket.once('connect', () => (request === '' ? done('connected') : socket.write(request)));
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      const end = reply.indexOf('\r\n');
      if (end >= 0) done(reply.slice(0, end));
    });
    socket.once('error', () => done(''));
    socket.once('close', () => done(''));
  });
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function waitForExit(child: ChildProcess): Promise<void> {
  return exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Runs `spec.bin` in the foreground as a child of this process (so a Ctrl-C of the test run reaches it too), its
 * output in `<dir>/output.log`, and waits until it answers. A port taken between the probe and the bind makes the
 * server exit: it is retried on another port, three times in all. stop() is also run at process exit.
 */
export async function startOwnedServer(spec: OwnedServerSpec): Promise<OwnedServer> {
  if (!existsSync(spec.bin)) throw new Error(`${spec.bin} not found: install Debian's ${spec.name} (.ci/system-deps.sh)`);
  const dir = mkdtempSync(join(tmpdir(), `shoal-${spec.name}-`));
  const log = join(dir, 'output.log');
  let child: ChildProcess | undefined;
  const stopNow = () => {
    if (child !== undefined && !exited(child)) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  const fail = (why: string): never => {
    const output = existsSync(log) ? readFileSync(log, 'utf8') : '';
    stopNow();
    process.removeListener('exit', stopNow);
    throw new Error(`could not start a test ${spec.name}: ${why}\n${output}`);
  };
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    let args: string[];
    try {
      args = spec.prepare(port, dir);
    } catch (error) {
      return fail((error as Error).message);
    }
    const out = openSync(log, 'a');
    const started: ChildProcess = spawn(spec.bin, args, { cwd: dir, stdio: ['ignore', out, out] });
    closeSync(out);
    started.once('error', () => undefined); // a spawn failure also ends in 'exit'
    // Unreferenced, so a test file that forgets stop() still exits (and the exit handler stops the server).
    started.unref();
    child = started;
    const deadline = Date.now() + PATIENCE_MS;
    while (!exited(started) && !(await spec.answers(port))) {
      if (Date.now() > deadline) fail(`it did not answer on port ${port} after ${PATIENCE_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!exited(started)) break;
    if (attempt >= 3) fail(`it exited (${started.exitCode ?? started.signalCode}) three times`);
  }
  const running = child;
  let stopped = false;
  return {
    port,
    pid: running.pid ?? 0,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopNow);
      running.ref(); // keep the event loop alive until the exit is seen
      if (!exited(running)) running.kill('SIGTERM');
      const guard = setTimeout(() => running.kill('SIGKILL'), SHUTDOWN_GUARD_MS);
      await waitForExit(running);
      clearTimeout(guard);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

