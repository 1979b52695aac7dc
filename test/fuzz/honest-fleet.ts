/**
 * A job that keeps training while the fuzzers run: enrolled devices (join token, Ed25519 keys) answering every fit
 * task of the job at once with a small signed delta, and the job itself (the tiny model, enrolled devices only, so
 * no fuzzed client is ever sampled into it). `finished()` resolves with the job's final state.
 */
import nacl from 'tweetnacl';
import { CoordinatorHttp, DeviceCredentials } from '@shoal/client';
import { encodeFrame } from '@shoal/codec';
import type { FitTask, JobView } from '@shoal/protocol';
import { call, connectRaw, type RawSocket } from '../support/raw-client.js';
import { eventually } from '../support/rest.js';
import { meta, tensors } from '../support/raw-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';
import { TINY_TOPOLOGY } from '../support/secure-fleet.js';

const SPECS = [{ name: 'out/kernel', shape: [784, 10] }, { name: 'out/bias', shape: [10] }];

export interface HonestFleet {
  jobId: string;
  rounds: number;
  finished(): Promise<JobView>;
  close(): void;
}

export async function startHonestFleet(url: string, adminToken: string, options: { devices?: number; rounds?: number } = {}): Promise<HonestFleet> {
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const count = options.devices ?? 2;
  const rounds = options.rounds ?? 5;
  const { token } = await post<{ token: string }>('/api/v1/join-tokens', { uses: count, ttlMs: 3_600_000 });
  const sockets: RawSocket[] = [];
  for (let d = 0; d < count; d++) {
    const credentials = new DeviceCredentials(nacl.sign.keyPair());
    const { clientId } = await credentials.enrol(new CoordinatorHttp(url), token, `honest-${d}`);
    const socket = await connectRaw(url);
    socket.on('fit:task', (task: FitTask) => {
      const frame = encodeFrame('delta', tensors(SPECS, (i) => Math.sin(i + task.round + d) * 0.001), { id: 'float32' });
      const signature = credentials.signUpload({ ...task, clientId }, frame);
      void call(socket, 'fit:result', { ...meta(task, 100), signature }, frame).catch(() => undefined);
    });
    const reply = await call(socket, 'hello', { clientId, name: `honest-${d}`, capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 100, numEvalExamples: 0 }, identity: credentials.helloProof(clientId) });
    if (!reply.ok) throw new Error(`hello of honest-${d} refused: ${JSON.stringify(reply.error)}`);
    sockets.push(socket);
  }
  const job = await post<JobView>('/api/v1/jobs', {
    name: 'trains alongside', model: { topology: TINY_TOPOLOGY }, rounds, minFitClients: count, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'float32' }, requireEnrolledDevices: true,
  });
  return {
    jobId: job.id,
    rounds,
    finished: () =>
      eventually(async () => {
        const view = (await (await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: admin })).json()) as JobView;
        return view.status === 'running' ? undefined : view;
      }, `job ${job.id} to end`),
    close: () => sockets.forEach((socket) => socket.disconnect()),
  };
}
