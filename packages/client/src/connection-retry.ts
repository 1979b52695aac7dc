/** When the client tries the coordinator again after a failed or lost connection, and what a failure was. */
import { ShoalError } from '@shoal/protocol';

/** How long the client waits before each new attempt. */
export interface ReconnectPolicy {
  /** First retry delay; doubles per attempt (exponential backoff). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0..1: each delay is spread by ± this fraction at random (jitter), so a fleet does not reconnect in lockstep. */
  jitter: number;
}

/** What the client reports for each failed or lost connection before it tries again. */
export interface ConnectionRetry {
  /** The coordinator URL the client tried. */
  address: string;
  /** What went wrong, as the transport said it (e.g. `connect ECONNREFUSED 127.0.0.1:7070`). */
  error: string;
  /** The system or TLS error code when there is one (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`, …). */
  code: string | undefined;
  /** The coordinator's certificate did not verify. */
  tls: boolean;
  /** 1 for the first retry since the last successful connection. */
  attempt: number;
  nextAttemptMs: number;
}

/** Exponential backoff with jitter: attempt n waits initialDelayMs·2^(n-1), capped, spread by ±jitter. */
export class RetrySchedule {
  private attempts = 0;

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call counts one attempt. */
  next(): { attempt: number; delayMs: number } {
    const base = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** this.attempts);
    this.attempts += 1;
    const spread = base * this.policy.jitter * (2 * this.random() - 1);
    return { attempt: this.attempts, delayMs: Math.max(0, Math.round(Math.min(this.policy.maxDelayMs, base + spread))) };
  }

  /** A connection succeeded: the next failure starts from the first delay again. */
  reset(): void {
    this.attempts = 0;
  }
}

/** After each failed or lost connection: reports the retry, then makes the next attempt; stop() cancels what is pending. */
export class Reconnector {
  private readonly schedule: RetrySchedule;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    policy: ReconnectPolicy,
    private readonly address: string,
    private readonly report: (retry: ConnectionRetry) => void,
    private readonly attempt: () => void,
  ) {
    this.schedule = new RetrySchedule(policy);
  }

  failed(failure: { error: string; code: string | undefined; tls: boolean }): void {
    if (this.stopped) return;
    const { attempt, delayMs } = this.schedule.next();
    this.report({ address: this.address, ...failure, attempt, nextAttemptMs: delayMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(this.attempt, delayMs);
  }

  connected(): void {
    this.schedule.reset();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

// Node's certificate verification codes (tls.TLSSocket#authorizationError and ERR_TLS_*).
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS_|^ERR_SSL_/;

/** The underlying cause of a socket.io `connect_error` (engine.io wraps the websocket's error event). */
export function connectFailure(error: unknown): { error: string; code: string | undefined; tls: boolean } {
  const description = (error as { description?: unknown }).description as { error?: unknown; message?: unknown; code?: unknown } | undefined;
  const cause = (description?.error ?? description ?? error) as { message?: unknown; code?: unknown } | undefined;
  const message = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : String((error as Error).message ?? error);
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return { error: message, code, tls: code !== undefined && TLS_CODE.test(code) };
}

export type ConnectFailure = ReturnType<typeof connectFailure>;

/**
 * What a `connect_error` means for the client: fatal (another protocol version, a revoked device, or a certificate the
 * pinned CA does not vouch for: retrying cannot change these), or a failure to retry after.
 */
export function judgeConnectError(error: unknown, coordinatorUrl: string, pinnedCa: boolean): { fatal: ShoalError } | { retry: ConnectFailure } {
  const data = (error as Error & { data?: { code?: string; message?: string } }).data;
  if (data?.code === 'PROTOCOL_VERSION_MISMATCH' || data?.code === 'DEVICE_REVOKED') return { fatal: ShoalError.fromWire(data as Parameters<typeof ShoalError.fromWire>[0]) };
  if (data?.code !== undefined) return { retry: { error: (error as Error).message, code: data.code, tls: false } };
  const failure = connectFailure(error);
  if (failure.tls && pinnedCa) {
    return { fatal: new ShoalError('UNAUTHENTICATED', `the certificate of ${coordinatorUrl} does not verify against the pinned CA: ${failure.error}`, { details: { tls: failure.code } }) };
  }
  return { retry: failure };
}
