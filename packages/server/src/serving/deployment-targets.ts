/** What a deployment serves: a job's version, or an edge artifact built from it, checked to exist; and its reference distribution. */
import { ShoalError } from '@shoal/protocol';
import type { Logger } from 'pino';
import type { JobRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ReferenceProfile } from './deployment.js';
import type { ReferenceProfiler } from './reference-profiler.js';

/** What the coordinator knows of an edge artifact (built by the artifact builder from a job's version). */
export interface ArtifactSummary {
  id: string;
  jobId: string;
  version: number;
}
export type ArtifactLookup = (artifactId: string) => ArtifactSummary | undefined;

export interface DeploymentTarget {
  job: JobRecord;
  version: number;
  artifactId: string | undefined;
  /** Output classes of the model: the last tensor is the classifier's bias. */
  numClasses: number;
}

export const describeTarget = (target: Pick<DeploymentTarget, 'version' | 'artifactId'> & { jobId: string }): string =>
  `${target.jobId} v${target.version}${target.artifactId === undefined ? '' : ` (artifact ${target.artifactId})`}`;

export class DeploymentTargets {
  private readonly references = new Map<string, Promise<ReferenceProfile | undefined>>();

  constructor(
    private readonly deps: { store: Store; profiler: ReferenceProfiler; lookupArtifact: ArtifactLookup; logger: Logger; referenceExamples: number },
  ) {}

  /** NOT_FOUND for a missing job, version or artifact; VALIDATION_FAILED for an artifact of another version. */
  resolve(jobId: string, version: number, artifactId: string | undefined): DeploymentTarget {
    const job = this.deps.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    if (this.deps.store.getVersion(jobId, version) === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} has no model version ${version}`);
    if (artifactId !== undefined) {
      const artifact = this.deps.lookupArtifact(artifactId);
      if (artifact === undefined) throw new ShoalError('NOT_FOUND', `artifact ${artifactId} does not exist`);
      if (artifact.jobId !== jobId || artifact.version !== version) {
        throw new ShoalError('VALIDATION_FAILED', `artifact ${artifactId} was built from ${artifact.jobId} v${artifact.version}, not ${jobId} v${version}`, {
          details: { problems: [{ field: '/artifactId', message: 'must be built from the named job and version' }] },
        });
      }
    }
    return { job, version, artifactId, numClasses: job.tensorSpecs.at(-1)?.shape.at(-1) ?? 1 };
  }

  /**
   * The reference distribution, measured once per job version (an artifact is a compressed form of its version, so the
   * version is measured); undefined, with a warning, when the model cannot be measured on MNIST images.
   */
  reference(target: DeploymentTarget): Promise<ReferenceProfile | undefined> {
    const key = `${target.job.id}:${target.version}`;
    let reference = this.references.get(key);
    if (reference === undefined) {
      const weights = this.deps.store.getVersionWeights(target.job.id, target.version)!;
      reference = this.deps.profiler
        .profile({ jobId: target.job.id, topology: target.job.topology, weights: new Uint8Array(weights), examples: this.deps.referenceExamples })
        .catch((error: unknown) => {
          this.references.delete(key);
          this.deps.logger.warn({ err: error, jobId: target.job.id, version: target.version }, 'no reference distribution: drift cannot be measured for this version');
          return undefined;
        });
      this.references.set(key, reference);
    }
    return reference;
  }
}

