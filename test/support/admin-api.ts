/** For tests of admin features: REST calls that always carry the admin token, and a job trained by raw clients. */
import { expect } from 'vitest';
import { encodeFrame } from '@shoal/codec';
import type { FitTask, JobView } from '@shoal/protocol';
import { call, connectRaw, helloRaw, nextTask, type RawSocket } from './raw-client.js';
import { meta, tensors } from './raw-fleet.js';
import { eventually, request, type RestReply } from './rest.js';
import { ROUND_DEADLINE_MS } from './patience.js';

export class AdminApi {
  /** `baseUrl` is asked on every call, so the api follows a coordinator restarted on another address. */
  constructor(
    private readonly baseUrl: () => string,
    private readonly token: string,
  ) {}

  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RestReply<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return request<T>(`${this.baseUrl()}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  }

  async get<T>(path: string): Promise<T> {
    const reply = await this.call<T>('GET', path);
    if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  }
}

/** Creates a 2NN job and answers its rounds with two unlabelled raw clients, so it has versions 0 to `rounds`. */
export async function trainJob(api: AdminApi, url: string, rounds: number): Promise<{ jobId: string; trainers: RawSocket[] }> {
  const trainers = [await connectRaw(url), await connectRaw(url)];
  for (const [i, socket] of trainers.entries()) await helloRaw(socket, `trainer-${i}`, 100);
  let tasks = Promise.all(trainers.map(nextTask));
  const created = await api.call<JobView>('POST', '/jobs', { name: 'served', model: { preset: 'mnist-2nn' }, rounds, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS });
  expect(created.status).toBe(201);
  const jobId = created.body.id;
  const specs = (await api.get<{ tensors: { name: string; shape: number[] }[] }>(`/jobs/${jobId}/model.json`)).tensors;
  for (let round = 1; round <= rounds; round++) {
    const received: FitTask[] = await tasks;
    tasks = Promise.all(trainers.map(nextTask));
    for (const [c, task] of received.entries()) {
      const frame = encodeFrame('delta', tensors(specs, (i) => ((i % 7) - 3) * 0.001 * round), { id: 'int8' });
      expect((await call(trainers[c]!, 'fit:result', meta(task, 100), frame)).ok).toBe(true);
    }
  }
  await eventually(async () => ((await api.get<JobView>(`/jobs/${jobId}`)).status === 'completed' ? true : undefined), 'the job to complete');
  return { jobId, trainers };
}
