/**
 * What the coordinator sends for a weights download. A client that names no usable base gets the
 * full model in the job's download codec; that full model, decoded, is the client's *anchor* for
 * the version. A client that names the version of its anchor as base gets the requested version as
 * a delta from that anchor: encode(W(v) − anchor(base)). The client adds the decoded delta to its
 * anchor, so error never accumulates across downloads: every reconstruction is one codec step
 * from the true weights. Stochastic codecs draw from a stream seeded by the job seed and the
 * versions, so every client asking for the same thing gets the same bytes (and they are cached).
 */
import { encodeFrame, type CodecRegistry } from '@shoal/codec';
import { ShoalError, type NamedTensor } from '@shoal/protocol';
import { createRng } from '@shoal/data';
import type { Store } from '../store/store.js';
import type { JobRecord } from '../store/records.js';
import { decodeWeights } from './model-versions.js';

/** Frames kept for reuse: a round's clients all ask for the same version (and mostly the same base). */
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class DownloadFrames {
  private readonly cache = new Map<string, Uint8Array>();
  private cachedBytes = 0;

  constructor(
    private readonly store: Store,
    private readonly codecs: CodecRegistry,
    private readonly maxCacheBytes = DEFAULT_CACHE_BYTES,
  ) {}

  /** The frame for `version`: a delta from `base` when the job holds that earlier version, else the full model. */
  frameFor(job: JobRecord, version: number, base: number | undefined): { frame: Uint8Array; delta: boolean } {
    if (base !== undefined && base < version && this.store.getVersion(job.id, base) !== undefined) return { frame: this.delta(job, version, base), delta: true };
    return { frame: this.full(job, version), delta: false };
  }

  /** The full model of `version` in the job's download codec (the stored float32 frame itself when that is the codec). */
  full(job: JobRecord, version: number): Uint8Array {
    const { downloadCodec } = job.config;
    if (downloadCodec.id === 'float32' && Object.keys(downloadCodec.params).length === 0) return this.stored(job, version);
    return this.cached(`${job.id}/${version}`, () =>
      encodeFrame('weights', this.weights(job, version), downloadCodec, this.codecs, this.random(job, `full:${version}`)),
    );
  }

  /** The model a client holds after receiving the full model of `version`: its anchor for later deltas. */
  anchor(job: JobRecord, version: number): NamedTensor[] {
    return decodeWeights(this.full(job, version), job.tensorSpecs, this.codecs);
  }

  private delta(job: JobRecord, version: number, base: number): Uint8Array {
    return this.cached(`${job.id}/${version}/${base}`, () => {
      const anchor = this.anchor(job, base);
      const difference = this.weights(job, version).map((tensor, t) => {
        const values = new Float32Array(tensor.values.length);
        const from = anchor[t]!.values;
        for (let i = 0; i < values.length; i++) values[i] = tensor.values[i]! - from[i]!;
        return { ...tensor, values };
      });
      return encodeFrame('delta', difference, job.config.downloadCodec, this.codecs, this.random(job, `delta:${base}:${version}`));
    });
  }

  private stored(job: JobRecord, version: number): Uint8Array {
    const frame = this.store.getVersionWeights(job.id, version);
    if (frame === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${version}`);
    return frame;
  }

  private weights(job: JobRecord, version: number): NamedTensor[] {
    return decodeWeights(this.stored(job, version), job.tensorSpecs, this.codecs);
  }

  private random(job: JobRecord, label: string): () => number {
    const rng = createRng(job.config.seed).fork(label);
    return () => rng.next();
  }

  private cached(key: string, build: () => Uint8Array): Uint8Array {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const frame = build();
    this.cache.set(key, frame);
    this.cachedBytes += frame.byteLength;
    for (const [oldest, bytes] of this.cache) {
      if (this.cachedBytes <= this.maxCacheBytes || oldest === key) break;
      this.cache.delete(oldest);
      this.cachedBytes -= bytes.byteLength;
    }
    return frame;
  }
}
