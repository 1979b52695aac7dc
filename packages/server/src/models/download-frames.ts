/**
 * What the coordinator sends for a weights download. A client that names no usable base gets the
 * full model in the job's download codec; that full model, decoded, is the client's *anchor* for
 * the version. A client that names the version of its anchor as base gets the requested version as
 * a delta from that anchor: encode(W(v) − anchor(base)). The client adds the decoded delta to its
 * anchor, so error never accumulates across downloads: every reconstruction is one codec step
 * from the true weights. Stochastic codecs draw from a stream seeded by the job seed and the
 * versions, so every client asking for the same thing gets the same bytes: every frame is an
 * immutable blob, kept in one byte-bounded cache (float32 included) with its content ETag.
 */
import { encodeFrame, type CodecRegistry } from '@shoal/codec';
import { ShoalError, type NamedTensor } from '@shoal/protocol';
import { createRng } from '@shoal/data';
import type { Store } from '../store/store.js';
import type { JobRecord } from '../store/records.js';
import { decodeWeights } from './model-versions.js';
import { BlobCache, contentTag, type Blob } from './blob-cache.js';

/** A round's clients all ask for the same version (and mostly the same base): 256 MiB holds hundreds of 2NN frames. */
export const DEFAULT_DOWNLOAD_CACHE_BYTES = 256 * 1024 * 1024;
/** Jobs whose download facts are kept; a job's config and tensor specs never change once it is created. */
const KEPT_JOBS = 1024;

export interface DownloadFrame extends Blob {
  /** A delta from the client's base, not the full model. */
  delta: boolean;
}

/** What a weights download answers: the frame and its tag, or "not modified" when the client already holds that tag. */
export interface WeightsDownload {
  frame: Uint8Array;
  etag: string;
  notModified: boolean;
}

type JobFacts = Pick<JobRecord, 'id' | 'config' | 'tensorSpecs'>;
type VersionReads = Pick<Store, 'getJob' | 'getVersion' | 'getVersionWeights'>;

const fullKey = (jobId: string, version: number) => `f\n${jobId}\n${version}`;
/** The oldest anchor a delta is made from (versions behind the one asked for). */
export const MAX_ANCHOR_AGE = 10;

const deltaKey = (jobId: string, version: number, base: number) => `d\n${jobId}\n${version}\n${base}`;

export class DownloadFrames {
  private readonly cache: BlobCache<DownloadFrame>;
  private readonly jobs = new Map<string, JobFacts>();

  constructor(
    private readonly store: VersionReads,
    private readonly codecs: CodecRegistry,
    maxCacheBytes = DEFAULT_DOWNLOAD_CACHE_BYTES,
  ) {
    this.cache = new BlobCache(maxCacheBytes);
  }

  /**
   * The frame for `version`: a delta from `base` when the job holds that earlier version, else the full model. A cached
   * frame is served without reading the store; NOT_FOUND for an unknown job or version.
   */
  frameFor(jobId: string, version: number, base: number | undefined): DownloadFrame {
    if (base === undefined || base >= version) return this.full(jobId, version);
    const key = deltaKey(jobId, version, base);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const job = this.job(jobId);
    this.requireVersion(job, version);
    // A base the job does not hold never appears later (versions only grow), so the full model is kept under its key too.
    // The same holds for a base whose weights the retention policy pruned.
    const held = this.store.getVersion(jobId, base);
    // An old anchor gets the full model instead: it becomes the client's new anchor, so a lossy delta's error stays
    // that of one delta over at most MAX_ANCHOR_AGE versions of training.
    if (held === undefined || held.prunedAt !== undefined || version - base > MAX_ANCHOR_AGE) return this.cache.set(key, this.full(jobId, version));
    return this.cache.set(key, blob(this.delta(job, version, base), true));
  }

  /** The full model of `version` in the job's download codec (the stored float32 frame itself when that is the codec). */
  full(jobId: string, version: number): DownloadFrame {
    const key = fullKey(jobId, version);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const job = this.job(jobId);
    const { downloadCodec } = job.config;
    const frame =
      downloadCodec.id === 'float32' && Object.keys(downloadCodec.params).length === 0
        ? this.stored(job, version)
        : encodeFrame('weights', this.weights(job, version), downloadCodec, this.codecs, this.random(job, `full:${version}`));
    return this.cache.set(key, blob(frame, false));
  }

  /** A version is gone (retention removed it): its frames, and deltas from it, are no longer served from memory. */
  forgetVersion(jobId: string, version: number): void {
    this.cache.deleteWhere((key) => {
      const [, job, target, base] = key.split('\n');
      return job === jobId && (target === String(version) || base === String(version));
    });
  }

  /**
   * Forgets the cached frames of the job's versions the store no longer holds (retention pruned them): one store read
   * per distinct cached version, once per round rather than per request.
   */
  revalidate(jobId: string): void {
    const versions = new Set<number>();
    for (const key of this.cache.keys()) {
      const [, job, target, base] = key.split('\n');
      if (job !== jobId) continue;
      versions.add(Number(target));
      if (base !== undefined) versions.add(Number(base));
    }
    for (const version of versions) if (this.store.getVersion(jobId, version) === undefined) this.forgetVersion(jobId, version);
  }

  /** The bytes the frame cache holds now. */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  /** The model a client holds after receiving the full model of `version`: its anchor for later deltas. */
  private anchor(job: JobFacts, version: number): NamedTensor[] {
    return decodeWeights(this.full(job.id, version).bytes, job.tensorSpecs, this.codecs);
  }

  private delta(job: JobFacts, version: number, base: number): Uint8Array {
    const anchor = this.anchor(job, base);
    const difference = this.weights(job, version).map((tensor, t) => {
      const values = new Float32Array(tensor.values.length);
      const from = anchor[t]!.values;
      for (let i = 0; i < values.length; i++) values[i] = tensor.values[i]! - from[i]!;
      return { ...tensor, values };
    });
    return encodeFrame('delta', difference, job.config.downloadDeltaCodec, this.codecs, this.random(job, `delta:${base}:${version}`));
  }

  /** The job's download facts: read from the store once per job, as they never change. */
  private job(jobId: string): JobFacts {
    const kept = this.jobs.get(jobId);
    if (kept !== undefined) return kept;
    const job = this.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    if (this.jobs.size >= KEPT_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
    const facts = { id: job.id, config: job.config, tensorSpecs: job.tensorSpecs };
    this.jobs.set(jobId, facts);
    return facts;
  }

  private requireVersion(job: JobFacts, version: number): void {
    if (this.store.getVersion(job.id, version) === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${version}`);
  }

  private stored(job: JobFacts, version: number): Uint8Array {
    const frame = this.store.getVersionWeights(job.id, version);
    if (frame === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${version}`);
    return frame;
  }

  private weights(job: JobFacts, version: number): NamedTensor[] {
    return decodeWeights(this.stored(job, version), job.tensorSpecs, this.codecs);
  }

  private random(job: JobFacts, label: string): () => number {
    const rng = createRng(job.config.seed).fork(label);
    return () => rng.next();
  }
}

function blob(bytes: Uint8Array, delta: boolean): DownloadFrame {
  return { bytes, etag: contentTag(bytes), delta };
}
