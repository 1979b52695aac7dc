/**
 * Weights downloads as immutable blobs against a real coordinator: a content ETag and a year of private caching on
 * every frame, 304 with no body (and no bytes counted) for an If-None-Match that names the tag, and the round's
 * bytes-down metric still exact with the contribution rows written in batches.
 */
import { describe, expect, it } from 'vitest';
import { defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { createRandom } from '@shoal/codec/testing';
import { RAW_FLEET_ADMIN_TOKEN, EXAMPLES, meta, tensors, useRawFleet } from '../support/raw-fleet.js';
import { call, nextTask } from '../support/raw-client.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const codecs = defaultCodecRegistry();
const fleet = useRawFleet();

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${fleet().url}${path}`, { headers: { authorization: `Bearer ${RAW_FLEET_ADMIN_TOKEN}`, ...headers } });

describe('cacheable downloads', () => {
  it('tags every weights frame, answers a matching If-None-Match with 304, and counts the round’s bytes down exactly', async () => {
    const { coordinator, raw } = fleet();
    const tasks = Promise.all(raw.map(nextTask));
    const job = await coordinator.jobs.create({ name: 'cacheable', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS, downloadCodec: { id: 'int8' } });
    const received = await tasks;
    const finished = new Promise<void>((resolve) => coordinator.events.on('round:finished', (event) => event.jobId === job.id && resolve()));

    const first = await get(received[0]!.weightsUrl);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    const repeat = await get(received[0]!.weightsUrl, { 'if-none-match': etag });
    const other = await get(received[1]!.weightsUrl, { 'if-none-match': '"sha256-not-this-one"' });
    const otherBytes = new Uint8Array(await other.arrayBuffer());
    for (const [c, task] of received.entries()) {
      const frame = encodeFrame('delta', tensors(job.tensorSpecs, (i, t) => 0.001 * (c + 1) * Math.sin(i + t)), job.config.uploadCodec, codecs, createRandom(c).next);
      expect((await call(raw[c]!, 'fit:result', meta(task, EXAMPLES[c]!), frame)).ok).toBe(true);
    }
    await finished;

    expect([first.status, first.headers.get('cache-control'), etag]).toEqual([200, 'private, max-age=31536000, immutable', expect.stringMatching(/^"sha256-[\w-]{43}"$/)]);
    expect([repeat.status, repeat.headers.get('etag'), (await repeat.arrayBuffer()).byteLength]).toEqual([304, etag, 0]);
    expect([other.status, other.headers.get('etag')]).toEqual([200, etag]);
    expect(otherBytes).toEqual(firstBytes);
    const contributions = coordinator.store.listContributions(job.id, 1);
    expect(contributions.map((c) => c.bytesDown)).toEqual([firstBytes.byteLength, firstBytes.byteLength]);
    expect(coordinator.store.getRound(job.id, 1)!.metrics.bytesDown).toBe(2 * firstBytes.byteLength);
  });

  it('gives each version, codec and base its own tag, the same on every request, and 404 for a version the job lacks', async () => {
    const job = coordinator().store.listJobs().find((candidate) => candidate.name === 'cacheable')!;
    await waitForVersion(job.id, 1);
    const tag = async (query: string, version = 1) => (await get(`/api/v1/jobs/${job.id}/models/${version}/weights${query}`)).headers.get('etag');

    const tags = [await tag('', 0), await tag(''), await tag('?base=0'), await tag('')];
    const missing = await get(`/api/v1/jobs/${job.id}/models/99/weights`, { 'if-none-match': '*' });

    expect(new Set(tags.slice(0, 3)).size).toBe(3);
    expect(tags[3]).toBe(tags[1]);
    expect(missing.status).toBe(404);
    expect([missing.headers.get('etag') ?? '', missing.headers.get('cache-control')]).toEqual([expect.not.stringMatching(/sha256/), null]);
  });
});

const coordinator = () => fleet().coordinator;

async function waitForVersion(jobId: string, version: number): Promise<void> {
  while ((coordinator().store.getJob(jobId)?.latestVersion ?? -1) < version) await new Promise((resolve) => setTimeout(resolve, 50));
}
