/**
 * The state of one training round as a state machine, plain or secure alike: who was selected, who is pending, who
 * delivered, whose task ended without an update, how many upload attempts each used, and whether and why the round
 * closed. Each event returns its outcome (the contribution change to record, whether the round closed); no I/O.
 */
import type { ClientFailure } from '@shoal/strategy';
import { deferred } from '../time/deferred.js';

export type RoundKind = 'plain' | 'secure';
export type CloseReason = 'complete' | 'deadline' | 'stopped';

export interface AcceptedUpdate {
  clientId: string;
  /** What the client reported. */
  numExamples: number;
  /** What its update weighed: numExamples capped (see FitRoundSettings.weightOf). */
  weight: number;
  updateNorm: number | undefined;
  bytes: number;
  loss: number;
  accuracy: number | undefined;
  durationMs: number;
  /** SHA-256 of a signed payload (enrolled devices), remembered to refuse replays. */
  payloadSha256: string | undefined;
}

/** What an event changes of a client's contribution row. */
export interface ContributionChange {
  clientId: string;
  status: 'accepted' | 'rejected' | 'failed' | 'dropped' | 'late';
  errorCode?: string;
}

export interface RoundOutcome {
  /** The contribution change to record, if the event changed one. */
  change: ContributionChange | undefined;
  /** Set when this event closed the round. */
  closed: CloseReason | undefined;
}

/** What later messages for a closed round are checked against (see classifyInbound). */
export interface ClosedRound {
  round: number;
  delivered: ReadonlySet<string>;
  closedTasks: ReadonlySet<string>;
  /** Selected clients that neither delivered nor failed: a late update of theirs is recorded once, as 'late'. */
  dropped: Set<string>;
}

export interface RoundStateSettings {
  kind: RoundKind;
  round: number;
  baseVersion: number;
  /** clientId → taskId of every selected client. */
  tasks: ReadonlyMap<string, string>;
  /** Refused uploads a client may make before its task ends (plain rounds). */
  maxUpdateAttempts: number;
}

export const noClosedRound = (round: number): ClosedRound => ({ round, delivered: new Set(), closedTasks: new Set(), dropped: new Set() });

export class RoundState {
  readonly kind: RoundKind;
  readonly round: number;
  readonly baseVersion: number;
  readonly tasks: ReadonlyMap<string, string>;
  readonly maxUpdateAttempts: number;
  /** Selected clients that have neither delivered nor failed. */
  readonly pending: Set<string>;
  readonly accepted: AcceptedUpdate[] = [];
  readonly failures: ClientFailure[] = [];
  private readonly deliveredIds = new Set<string>();
  private readonly closedIds = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly closedSignal = deferred<CloseReason>();
  private reason: CloseReason | undefined;

  constructor(settings: RoundStateSettings) {
    ({ kind: this.kind, round: this.round, baseVersion: this.baseVersion, tasks: this.tasks, maxUpdateAttempts: this.maxUpdateAttempts } = settings);
    this.pending = new Set(settings.tasks.keys());
    if (this.pending.size === 0) this.close('complete');
  }

  get open(): boolean {
    return this.reason === undefined;
  }

  get closeReason(): CloseReason | undefined {
    return this.reason;
  }

  get whenClosed(): Promise<CloseReason> {
    return this.closedSignal.promise;
  }

  /** Clients whose update (plain) or masked input (secure) arrived. */
  get delivered(): ReadonlySet<string> {
    return this.deliveredIds;
  }

  /** Clients whose task ended without an accepted update (fit:failure, attempts used up, dropped, timed out, aborted). */
  get closedTasks(): ReadonlySet<string> {
    return this.closedIds;
  }

  attemptsOf(clientId: string): number {
    return this.attempts.get(clientId) ?? 0;
  }

  /** The update arrived and entered the aggregate. A plain round closes once nobody is pending; a secure one goes on to unmask. */
  accept(update: AcceptedUpdate): RoundOutcome {
    this.pending.delete(update.clientId);
    this.deliveredIds.add(update.clientId);
    this.accepted.push(update);
    // A secure input is 'accepted' only once the sum is computed (see release of the secure round).
    const change: ContributionChange | undefined = this.kind === 'plain' ? { clientId: update.clientId, status: 'accepted' } : undefined;
    return { change, closed: this.closeIfAllReported() };
  }

  /** An upload refused for its content: it may be retried until the attempts are used up, and then the task is over. */
  refuse(clientId: string, code: string, message: string): RoundOutcome {
    const attempts = this.attemptsOf(clientId) + 1;
    this.attempts.set(clientId, attempts);
    if (attempts < this.maxUpdateAttempts) return { change: { clientId, status: 'rejected', errorCode: code }, closed: undefined };
    const ended = this.endTask(clientId, code, message);
    return { change: { clientId, status: 'failed', errorCode: code }, closed: ended?.closed };
  }

  /** The client reported fit:failure; undefined when it was not pending (nothing changes). */
  fail(clientId: string, code: string, message: string): RoundOutcome | undefined {
    const ended = this.endTask(clientId, code, message);
    return ended && { change: { clientId, status: 'failed', errorCode: code }, closed: ended.closed };
  }

  /** The client disconnected; undefined when it was not pending. */
  drop(clientId: string, message: string): RoundOutcome | undefined {
    const ended = this.endTask(clientId, 'DROPPED', message);
    return ended && { change: { clientId, status: 'dropped' }, closed: ended.closed };
  }

  /** The client did not answer a secure phase in time; undefined when it was not pending. */
  timeOut(clientId: string, message: string): RoundOutcome | undefined {
    const ended = this.endTask(clientId, 'LATE_UPDATE', message);
    return ended && { change: { clientId, status: 'dropped', errorCode: 'LATE_UPDATE' }, closed: ended.closed };
  }

  /** Secure aggregation fell below its threshold: every task not yet over fails, and nothing delivered counts. */
  abort(message: string): RoundOutcome[] {
    const outcomes: RoundOutcome[] = [];
    for (const clientId of this.tasks.keys()) {
      if (this.closedIds.has(clientId)) continue;
      this.closedIds.add(clientId);
      this.failures.push({ clientId, code: 'SECURE_AGGREGATION_ABORTED', message });
      outcomes.push({ change: { clientId, status: 'failed', errorCode: 'SECURE_AGGREGATION_ABORTED' }, closed: undefined });
    }
    this.accepted.length = 0;
    this.deliveredIds.clear();
    this.pending.clear();
    outcomes.push({ change: undefined, closed: this.close('complete') });
    return outcomes;
  }

  /** Deadline, stop, or the end of a secure round's last phase; undefined when it was closed already. */
  close(reason: CloseReason): CloseReason | undefined {
    if (this.reason !== undefined) return undefined;
    this.reason = reason;
    this.closedSignal.resolve(reason);
    return reason;
  }

  /**
   * After the close: the clients still pending are dropped ('dropped', LATE_UPDATE; their tasks are cancelled), and
   * what later messages for this round are checked against.
   */
  release(): { changes: ContributionChange[]; closed: ClosedRound } {
    const changes = [...this.pending].map((clientId): ContributionChange => ({ clientId, status: 'dropped', errorCode: 'LATE_UPDATE' }));
    return { changes, closed: { round: this.round, delivered: new Set(this.deliveredIds), closedTasks: new Set(this.closedIds), dropped: new Set(this.pending) } };
  }

  /**
   * The process died with this round open (crash recovery, store.failOpenRounds on restart): whoever was still
   * selected, or accepted into an aggregate that was never released, is dropped with ROUND_INTERRUPTED; refused,
   * failed and dropped rows keep what they say. The round itself fails (see abandonedRound).
   */
  interrupt(): ContributionChange[] {
    const changes: ContributionChange[] = [];
    for (const clientId of this.tasks.keys()) {
      const selected = this.pending.has(clientId) && this.attemptsOf(clientId) === 0;
      if (selected || this.deliveredIds.has(clientId)) changes.push({ clientId, status: 'dropped', errorCode: 'ROUND_INTERRUPTED' });
    }
    this.pending.clear();
    this.close('stopped');
    return changes;
  }

  private endTask(clientId: string, code: string, message: string): { closed: CloseReason | undefined } | undefined {
    if (!this.pending.delete(clientId)) return undefined;
    this.closedIds.add(clientId);
    this.failures.push({ clientId, code, message });
    return { closed: this.closeIfAllReported() };
  }

  private closeIfAllReported(): CloseReason | undefined {
    return this.kind === 'plain' && this.pending.size === 0 ? this.close('complete') : undefined;
  }
}

/** Why a round a previous process left open ended; another round runs in its place. */
export const INTERRUPTED_REASON = 'coordinator restarted during the round; another round runs in its place';
const ENDED_JOB_REASON = 'coordinator restarted during the round, after its job had ended';

/** How a round left open is closed in the store: by a restart (its job resuming or not), or because its job failed. */
export function abandonedRound(cause: { restart: { jobResumes: boolean } } | { jobFailed: string }): { reason: string; interrupted: boolean; errorCode: string } {
  if ('jobFailed' in cause) return { reason: `the job failed: ${cause.jobFailed}`, interrupted: false, errorCode: 'INTERNAL' };
  return { reason: cause.restart.jobResumes ? INTERRUPTED_REASON : ENDED_JOB_REASON, interrupted: true, errorCode: 'ROUND_INTERRUPTED' };
}

/** Where a job resumes: rounds are numbered on from the last, and rounds a restart interrupted do not count. */
export function resumePoint(previous: readonly { round: number; interrupted?: boolean | undefined }[]): { lastRound: number; counted: number } {
  return { lastRound: previous.at(-1)?.round ?? 0, counted: previous.filter((record) => record.interrupted !== true).length };
}
