/**
 * The one answer to "is this message for the open round?" for fit:result, fit:failure and secagg:*, in the check
 * order of protocols/v1/README.md §3: the job, then the last closed round (duplicate, task over, late), then the open
 * round (selected, delivered, task, version). Pure: it reads the rounds' state and changes nothing.
 */
import type { ErrorCode } from '@shoal/protocol';
import type { ClosedRound, RoundKind } from './round-state.js';

export interface InboundMessage {
  event: 'fit:result' | 'fit:failure' | 'secagg';
  clientId: string;
  jobId: string;
  round: number;
  /** fit:result only. */
  taskId?: string;
  modelVersion?: number;
}

/** What the classification reads of the open round. */
export interface OpenRoundView {
  kind: RoundKind;
  round: number;
  baseVersion: number;
  open: boolean;
  tasks: ReadonlyMap<string, string>;
  pending: ReadonlySet<string>;
  delivered: ReadonlySet<string>;
  closedTasks: ReadonlySet<string>;
  maxUpdateAttempts: number;
}

export type JobView =
  | { status: 'unknown' }
  | { status: 'ended'; jobStatus: string }
  | { status: 'running'; open: OpenRoundView | undefined; lastClosed: ClosedRound };

export type Refusal = {
  verdict: 'refused';
  code: ErrorCode;
  message: string;
  /** The open round saw it: the refusal counts in the update metrics and the round's progress is announced. */
  inOpenRound: boolean;
  /** A selected client's upload refused by the open round: its contribution becomes 'rejected' (bytes counted). */
  recordRejected: boolean;
  /** A dropped client's update for the round just closed: its contribution becomes 'late', once. */
  recordLate: boolean;
};

export type Classification = { verdict: 'open' } | Refusal;

const OPEN: Classification = { verdict: 'open' };

function refused(code: ErrorCode, message: string, flags: Partial<Pick<Refusal, 'inOpenRound' | 'recordRejected' | 'recordLate'>> = {}): Refusal {
  return { verdict: 'refused', code, message, inOpenRound: false, recordRejected: false, recordLate: false, ...flags };
}

/** The message a fit:failure for a task that is no longer pending gets (also the secure round's answer to one). */
export function taskOverRefusal(taskClosed: boolean, clientId: string, round: number): Refusal {
  return taskClosed
    ? refused('TASK_CLOSED', `client ${clientId}'s task for round ${round} is already over`)
    : refused('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${round}`);
}

/** §3 step 1, for every message that names a job: it exists, and is running. */
export function classifyJob(jobId: string, job: JobView): Refusal | undefined {
  if (job.status === 'unknown') return refused('UNKNOWN_JOB', `job ${jobId} does not exist`);
  // Anything sent for a job that has ended arrived after its last round closed.
  if (job.status === 'ended') return refused('LATE_UPDATE', `job ${jobId} is ${job.jobStatus}; its rounds are closed`);
  return undefined;
}

export function classifyInbound(message: InboundMessage, job: JobView): Classification {
  const { clientId, jobId, round } = message;
  if (job.status !== 'running') return classifyJob(jobId, job)!;
  const { open, lastClosed } = job;
  const isOpen = open !== undefined && open.open && open.round === round;
  switch (message.event) {
    case 'fit:result':
      return isOpen ? classifyForOpenRound(message, open) : classifyForClosedRound(message, lastClosed);
    case 'fit:failure':
      if (!isOpen) return refused('WRONG_ROUND', `round ${round} is not open`);
      if (!open.tasks.has(clientId)) return refused('NOT_SELECTED', `client ${clientId} was not selected for round ${round}`);
      // A secure round decides itself: a client whose input arrived leaves the unmasking, and gets DUPLICATE_UPDATE.
      if (open.kind === 'secure' || open.pending.has(clientId)) return OPEN;
      return taskOverRefusal(open.closedTasks.has(clientId), clientId, round);
    case 'secagg':
      if (isOpen) return open.kind === 'secure' ? OPEN : refused('CONFLICT', `round ${round} of job ${jobId} does not use secure aggregation`);
      if (round <= lastClosed.round) return refused('LATE_UPDATE', `round ${round} of job ${jobId} already closed`);
      return refused('WRONG_ROUND', `round ${round} is not open for job ${jobId}`);
  }
}

/** §3 steps 2 and 3 for a round that is not open: checked before lateness, a resend is a duplicate, open or not. */
function classifyForClosedRound({ clientId, jobId, round }: InboundMessage, lastClosed: ClosedRound): Classification {
  const last = round === lastClosed.round;
  if (last && lastClosed.delivered.has(clientId)) return refused('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${round}`);
  if (last && lastClosed.closedTasks.has(clientId)) return refused('TASK_CLOSED', `client ${clientId}'s task for round ${round} ended without an update`);
  if (round <= lastClosed.round) return refused('LATE_UPDATE', `round ${round} of job ${jobId} already closed`, { recordLate: last && lastClosed.dropped.has(clientId) });
  return refused('WRONG_ROUND', `round ${round} is not open for job ${jobId}`);
}

/** §3 steps 2 and 3a for the open round; what follows (signature, size, frame, norm) is the round's own intake. */
function classifyForOpenRound({ clientId, jobId, round, taskId, modelVersion }: InboundMessage, open: OpenRoundView): Classification {
  const selected = open.tasks.has(clientId);
  const inRound = { inOpenRound: true };
  const rejected = { inOpenRound: true, recordRejected: selected };
  // Updates of a secure round travel only as masked inputs.
  if (open.kind === 'secure') {
    return refused('CONFLICT', `round ${round} of job ${jobId} uses secure aggregation: send secagg:advertise after training, not fit:result`, rejected);
  }
  if (!selected) return refused('NOT_SELECTED', `client ${clientId} was not selected for round ${round}`, inRound);
  if (open.delivered.has(clientId)) return refused('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${round}`, inRound);
  if (open.closedTasks.has(clientId)) {
    return refused('TASK_CLOSED', `client ${clientId}'s task for round ${round} is over (it reported a failure or used up its ${open.maxUpdateAttempts} upload attempts)`, inRound);
  }
  const expectedTask = open.tasks.get(clientId)!;
  if (taskId !== expectedTask) return refused('VALIDATION_FAILED', `taskId ${taskId} does not match the task sent (${expectedTask})`, rejected);
  if (modelVersion !== open.baseVersion) {
    return refused('WRONG_ROUND', `update was trained from model version ${modelVersion}; round ${round} trains version ${open.baseVersion}`, rejected);
  }
  return OPEN;
}
