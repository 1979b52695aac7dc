/**
 * A real coordinator to fuzz (port 0, temporary data directory), with everything a fuzzer needs made through its
 * public interfaces: an admin token, a viewer token and a console session (REST), a waiting job, and a connected
 * client's device access token (hello over socket.io).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { Coordinator } from '@shoal/server';
import { PROTOCOL_VERSION } from '@shoal/protocol';
import { call, connectRaw, type RawSocket } from '../support/raw-client.js';
import type { FuzzCredentials } from './rest-requests.js';
import { startCoordinator } from '../../apps/demo/src/processes.js';

export interface FuzzTarget {
  url: string;
  /** The coordinator's process, when it runs in its own (its RSS is then the coordinator's alone). */
  pid: number | undefined;
  credentials: FuzzCredentials;
  ids: Record<string, string[]>;
  close(): Promise<void>;
}

const ADMIN_TOKEN = 'rest-fuzz-admin-token';

async function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; cookie: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie: response.headers.get('set-cookie') };
}

export async function startFuzzTarget(options: { logger?: Logger; maxJsonBodyBytes?: number } = {}): Promise<FuzzTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-rest-fuzz-'));
  const coordinator = new Coordinator({
    port: 0,
    dataDir,
    logger: options.logger ?? pino({ level: 'silent' }),
    centralEvaluation: false,
    adminToken: ADMIN_TOKEN,
    maxJsonBodyBytes: options.maxJsonBodyBytes ?? 1024 * 1024,
  });
  const { url } = await coordinator.start();
  return prepareTarget(url, undefined, async () => {
    await coordinator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/** The same target with the coordinator in a child process (`shoal-coordinator`), for measuring its memory. */
export async function startFuzzTargetProcess(): Promise<FuzzTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-fuzz-process-'));
  const started = await startCoordinator(join(dataDir, 'coordinator'), { extraArgs: ['--admin-token', ADMIN_TOKEN, '--no-central-evaluation', '--max-json-body-mb', '1'] });
  return prepareTarget(started.url, started.child.pid, async () => {
    await started.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/** Creates the credentials and ids a fuzzer needs through the API of the coordinator at `url`. */
async function prepareTarget(url: string, pid: number | undefined, stop: () => Promise<void>): Promise<FuzzTarget> {
  const sockets: RawSocket[] = [];
  const close = async () => {
    for (const socket of sockets) socket.disconnect();
    await stop();
  };
  try {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const viewer = await postJson(`${url}/api/v1/tokens`, { name: 'fuzz viewer', role: 'viewer' }, admin);
    if (viewer.status !== 201) throw new Error(`creating the viewer token answered ${viewer.status}: ${JSON.stringify(viewer.body)}`);
    const session = await postJson(`${url}/api/v1/session`, { token: ADMIN_TOKEN }, {});
    const adminSession = /shoal_session=([^;]+)/.exec(session.cookie ?? '')?.[1];
    const job = await postJson(`${url}/api/v1/jobs`, { name: 'fuzzed', model: { preset: 'mnist-2nn' }, rounds: 2, minFitClients: 1000 }, admin);
    if (job.status !== 201) throw new Error(`creating the job answered ${job.status}: ${JSON.stringify(job.body)}`);
    const socket = await connectRaw(url, { protocolVersion: PROTOCOL_VERSION });
    sockets.push(socket);
    const hello = await call(socket, 'hello', { name: 'fuzz-device', capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 10, numEvalExamples: 0 } });
    if (!hello.ok) throw new Error(`hello refused: ${JSON.stringify(hello.error)}`);
    return {
      url,
      pid,
      credentials: { admin: ADMIN_TOKEN, viewer: String(viewer.body['token']), adminSession, device: String(hello['accessToken']) },
      ids: { jobId: [String(job.body['id'])], clientId: [String(hello['clientId'])] },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
