/** Starts the coordinator and agent programs as child processes (the demo composes programs, not their code). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const APPS = fileURLToPath(new URL('../../', import.meta.url));
export const COORDINATOR_BIN = join(APPS, 'coordinator', 'bin', 'shoal-coordinator.mjs');
export const AGENT_BIN = join(APPS, 'agent', 'bin', 'shoal-agent.mjs');

export interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `node bin args`, copying its output to logFile; `onLine` sees each stdout line. */
export function startProgram(bin: string, args: string[], logFile: string, onLine?: (line: string) => void): Started {
  mkdirSync(join(logFile, '..'), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log, { end: false });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    log.write(`${line}\n`);
    onLine?.(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

/** Starts a coordinator (on a free port unless one is given) and resolves with its URL once it logs 'listening'. */
export function startCoordinator(dataDir: string, options: { port?: number; extraArgs?: string[] } = {}): Promise<Started & { url: string }> {
  return new Promise((resolve, reject) => {
    const args = ['--port', String(options.port ?? 0), '--data-dir', dataDir, ...(options.extraArgs ?? [])];
    const started = startProgram(COORDINATOR_BIN, args, join(dataDir, 'coordinator.log'), (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url !== undefined) resolve({ ...started, url: entry.url });
      } catch {
        // not a JSON log line
      }
    });
    started.child.once('exit', (code) => reject(new Error(`coordinator exited with code ${code}; see ${join(dataDir, 'coordinator.log')}`)));
  });
}
