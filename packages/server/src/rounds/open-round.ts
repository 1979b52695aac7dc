/** What the job runner needs of an open training round, plain (FitRound) or secure (SecureFitRound). */
import type { FitResult, RoundMetrics } from '@shoal/protocol';
import type { ClientFailure, FitOutcome } from '@shoal/strategy';
import type { AcceptedUpdate, CloseReason } from './fit-round.js';

export interface OpenRound {
  readonly settings: { readonly round: number; readonly tasks: ReadonlyMap<string, string> };
  readonly open: boolean;
  readonly whenClosed: Promise<CloseReason>;
  /** Selected clients that have neither delivered nor failed. */
  readonly pending: ReadonlySet<string>;
  readonly accepted: readonly AcceptedUpdate[];
  readonly failures: readonly ClientFailure[];
  /** Why the round ended without a result though clients delivered (secure aggregation below its threshold). */
  readonly abortReason?: string | undefined;
  close(reason: CloseReason): void;
  admit(clientId: string, result: FitResult): void;
  accept(clientId: string, result: FitResult, update: Uint8Array): AcceptedUpdate;
  fail(clientId: string, code: string, message: string): boolean;
  finish(): FitOutcome;
  /** Figures of its own for the round's metrics. */
  roundMetrics?(): Partial<RoundMetrics>;
}
