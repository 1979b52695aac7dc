/**
 * What JobService needs of the cluster when several coordinator nodes share one database: a lease per job it runs,
 * and a way to hand a client message or an administrator's command for a job led elsewhere to the node that leads
 * it. One node alone has none (JobService runs every job itself).
 */
import type { EvaluateResult, FitResult, MessageOf } from '@shoal/protocol';
import type { PartialSum } from '@shoal/strategy';
import type { RemoteJudgement } from '../rounds/fit-round.js';
import type { SecureInbound } from '../rounds/secure/secure-round-inbound.js';
import type { JobRecord } from '../store/records.js';

/** An upload another node checked for a hierarchical round (its bytes stay there), as the leader judges it. */
export interface RemoteFitReport {
  clientId: string;
  result: FitResult;
  bytes: number;
  judgement: RemoteJudgement;
}

/** A client's message for a job, as it crosses to the job's leader. */
export type ForwardedMessage =
  | { kind: 'fit:result'; clientId: string; result: FitResult; update: Uint8Array }
  | { kind: 'fit:failure'; clientId: string; failure: MessageOf<'fit-failure'> }
  | { kind: 'evaluate:result'; clientId: string; result: EvaluateResult }
  | { kind: 'secagg'; clientId: string; inbound: SecureInbound };

export type JobCommand = 'stop' | 'pause' | 'resume';

/** A plain round whose uploads every node judges for its own clients, keeping a partial sum for the leader. */
export interface HierarchicalRound {
  jobId: string;
  round: number;
  baseVersion: number;
  maxUpdateNorm: number;
  sketch: { buckets: number; seed: number };
}

export interface JobCluster {
  /** Announces a hierarchical round to the other nodes. */
  roundOpened(round: HierarchicalRound): void;
  /**
   * After the round closed: the partial sums of the nodes holding accepted updates (`holders`: node → client ids);
   * `lost` says which node did not deliver (the round then releases nothing).
   */
  collectPartials(jobId: string, round: number, holders: ReadonlyMap<string, ReadonlySet<string>>): Promise<{ partials: PartialSum[]; lost: string | undefined }>;
  /** Takes the job's lease for this node; false while another node holds it. */
  claim(jobId: string): boolean;
  /** Gives the lease up (the job ended here, or this node stops): another node may take it at once. */
  release(jobId: string): void;
  /** Hands the message to the job's leader; resolves once it accepted it, or rejects with its refusal. */
  forward(jobId: string, message: ForwardedMessage): Promise<void>;
  /** Runs an administrator's command on the job's leader. */
  command(jobId: string, command: JobCommand): Promise<JobRecord>;
  /** Tells the leader of bytes served by this node for one of its tasks (a download from any node counts; sent in batches). */
  download(jobId: string, taskId: string | undefined, bytes: number, delta: boolean): void;
  /** Whether this node checks uploads for the job's round, which another node leads (hierarchical aggregation). */
  judges(jobId: string, round: number): boolean;
}
