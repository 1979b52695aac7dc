import { describe, expect, it } from 'vitest';
import { decodeFrame, defaultCodecRegistry, encodeFrame, readFrameHeader, type CodecSelection } from '@shoal/codec';
import type { TensorSpec } from '@shoal/protocol';
import { normalizeJobConfig } from '../jobs/job-config.js';
import type { JobRecord, ModelVersionRecord } from '../store/records.js';
import { DownloadFrames } from './download-frames.js';

const codecs = defaultCodecRegistry();
const specs: TensorSpec[] = [{ name: 'dense/kernel', shape: [3, 4] }, { name: 'dense/bias', shape: [4] }];

function weightsFrame(version: number): Uint8Array {
  return encodeFrame('weights', specs.map((spec, t) => ({ ...spec, values: Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.1 * t + 0.01 * i + 0.001 * version) })), { id: 'float32' }, codecs);
}

/** A store of jobs and their versions that counts every read (a job named `default-…` names no download codec). */
function countingStore(downloadCodecs: Record<string, CodecSelection | undefined>, versionCount = 3) {
  const reads = { getJob: 0, getVersion: 0, getVersionWeights: 0 };
  const versions = new Map<string, Uint8Array>();
  const jobs = new Map<string, JobRecord>();
  for (const [id, downloadCodec] of Object.entries(downloadCodecs)) {
    const config = normalizeJobConfig({ name: id, model: { preset: 'mnist-2nn' }, rounds: 3, ...(downloadCodec === undefined ? {} : { downloadCodec }) });
    jobs.set(id, { id, config, tensorSpecs: specs } as JobRecord);
    for (let version = 0; version < versionCount; version++) versions.set(`${id}/${version}`, weightsFrame(version));
  }
  const store = {
    getJob: (id: string) => (reads.getJob++, jobs.get(id)),
    getVersion: (jobId: string, version: number) => (reads.getVersion++, versions.has(`${jobId}/${version}`) ? ({ version } as ModelVersionRecord) : undefined),
    getVersionWeights: (jobId: string, version: number) => (reads.getVersionWeights++, versions.get(`${jobId}/${version}`)),
  };
  const total = () => reads.getJob + reads.getVersion + reads.getVersionWeights;
  return { store, reads, total, remove: (jobId: string, version: number) => versions.delete(`${jobId}/${version}`) };
}

describe('DownloadFrames', () => {
  it('tags each frame by its content: stable, and different per version, codec and base', () => {
    const { store } = countingStore({ f: { id: 'float32' }, q: { id: 'int8' } });
    const frames = new DownloadFrames(store, codecs);

    const tags = [frames.frameFor('f', 1, undefined), frames.frameFor('f', 2, undefined), frames.frameFor('q', 1, undefined), frames.frameFor('q', 2, 0), frames.frameFor('q', 2, 1)].map((frame) => frame.etag);
    const again = new DownloadFrames(store, codecs).frameFor('q', 2, 0).etag;

    expect(new Set(tags).size).toBe(5);
    expect(again).toBe(tags[3]);
  });

  it('serves the stored float32 frame itself, and a delta from a base the job holds', () => {
    const { store } = countingStore({ f: { id: 'float32' } });
    const frames = new DownloadFrames(store, codecs);

    const full = frames.frameFor('f', 2, undefined);
    const delta = frames.frameFor('f', 2, 1);

    expect([full.delta, Array.from(full.bytes)]).toEqual([false, Array.from(weightsFrame(2))]);
    expect([delta.delta, readFrameHeader(delta.bytes).kind]).toEqual([true, 'delta']);
    expect(decodeFrame(delta.bytes).tensors[1]!.values[0]).toBeCloseTo(0.001, 6);
  });

  it('by default serves the full model exactly (float32) and a delta from the anchor in int8, a full model again for an old anchor', () => {
    const { store } = countingStore({ d: undefined }, 14);
    const frames = new DownloadFrames(store, codecs);
    const full = frames.frameFor('d', 12, undefined);
    const delta = frames.frameFor('d', 12, 2);
    const stale = frames.frameFor('d', 13, 2);

    expect(Array.from(full.bytes)).toEqual(Array.from(weightsFrame(12)));
    expect([delta.delta, readFrameHeader(delta.bytes).codec.id]).toEqual([true, 'int8']);
    // anchor + decoded delta is within half an int8 step of the version (per tensor: max|Δ|/254).
    const anchor = decodeFrame(weightsFrame(2)).tensors;
    const target = decodeFrame(weightsFrame(12)).tensors;
    decodeFrame(delta.bytes).tensors.forEach((tensor, t) => {
      const step = Math.max(...target[t]!.values.map((value, i) => Math.abs(value - anchor[t]!.values[i]!))) / 127;
      tensor.values.forEach((value, i) => expect(Math.abs(anchor[t]!.values[i]! + value - target[t]!.values[i]!)).toBeLessThanOrEqual(step / 2 + 1e-7));
    });
    // 11 versions behind: the full model, the client's new anchor.
    expect([stale.delta, Array.from(stale.bytes)]).toEqual([false, Array.from(weightsFrame(13))]);
  });

  for (const codec of [{ id: 'float32' }, { id: 'int8' }] as const) {
    it(`serves a cached ${codec.id} frame without reading the store`, () => {
      const { store, total } = countingStore({ j: codec });
      const frames = new DownloadFrames(store, codecs);
      const first = [frames.frameFor('j', 2, undefined), frames.frameFor('j', 2, 1), frames.frameFor('j', 2, 0)];
      const readsBefore = total();

      const again = [frames.frameFor('j', 2, undefined), frames.frameFor('j', 2, 1), frames.frameFor('j', 2, 0)];

      expect(total()).toBe(readsBefore);
      expect(again.map((frame) => frame.bytes)).toEqual(first.map((frame) => frame.bytes));
    });
  }

  it('reads the job once, and keeps the full model under the key of a base the job does not hold', () => {
    const { store, reads, remove } = countingStore({ j: { id: 'int8' } });
    remove('j', 0);
    const frames = new DownloadFrames(store, codecs);

    const first = frames.frameFor('j', 2, 0);
    const reads0 = { ...reads };
    const second = frames.frameFor('j', 2, 0);
    frames.frameFor('j', 1, undefined);

    expect([first.delta, second.etag]).toEqual([false, first.etag]);
    expect(reads.getJob).toBe(1);
    expect(reads.getVersion).toBe(reads0.getVersion);
  });

  it('refuses an unknown job or version with NOT_FOUND, and a forgotten version once the store dropped it', () => {
    const { store, remove } = countingStore({ j: { id: 'float32' } });
    const frames = new DownloadFrames(store, codecs);
    frames.frameFor('j', 1, undefined);
    frames.frameFor('j', 2, 1);
    const code = (work: () => unknown) => {
      try {
        work();
        return 'served';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };

    remove('j', 1);
    frames.forgetVersion('j', 1);

    expect([code(() => frames.frameFor('nope', 0, undefined)), code(() => frames.frameFor('j', 7, undefined)), code(() => frames.frameFor('j', 7, 1))]).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect(code(() => frames.frameFor('j', 1, undefined))).toBe('NOT_FOUND');
    expect(frames.frameFor('j', 2, 1).delta).toBe(false);
  });

  it('forgets, on revalidation, the cached frames of versions the store no longer holds, and only those', () => {
    const { store, remove } = countingStore({ j: { id: 'int8' } });
    const frames = new DownloadFrames(store, codecs);
    const kept = frames.frameFor('j', 2, undefined);
    frames.frameFor('j', 1, undefined);
    frames.frameFor('j', 2, 1);

    remove('j', 1);
    frames.revalidate('j');

    expect(() => frames.frameFor('j', 1, undefined)).toThrow(/no model version 1/);
    expect(frames.frameFor('j', 2, 1).delta).toBe(false);
    expect(frames.frameFor('j', 2, undefined)).toBe(kept);
  });

  it('keeps its frames within the byte budget, least recently used out first', () => {
    const { store, reads } = countingStore({ f: { id: 'float32' } });
    const frameBytes = weightsFrame(0).byteLength;
    const frames = new DownloadFrames(store, codecs, 2 * frameBytes);

    for (const version of [0, 1, 2]) frames.frameFor('f', version, undefined);
    const readsBefore = reads.getVersionWeights;
    frames.frameFor('f', 2, undefined);
    frames.frameFor('f', 0, undefined);

    expect(frames.cachedBytes).toBeLessThanOrEqual(2 * frameBytes);
    expect(reads.getVersionWeights).toBe(readsBefore + 1);
  });
});
