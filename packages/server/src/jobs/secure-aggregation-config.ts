/**
 * A job's `secureAggregation` setting: defaults, the checks a schema cannot express, and what each round derives from
 * it (threshold, fixed-point spec, the task block). Pure; see protocols/v1/secure-aggregation.md.
 */
import { randomBytes } from 'node:crypto';
import { ShoalError, type CreateJobRequest, type SecureAggregationTask } from '@shoal/protocol';

export interface SecureAggregationConfig {
  ringBits: 16 | 32;
  /** R: the per-coordinate bound of each client's delta. */
  clipRange: number;
  /** The configured t, or undefined for n − ⌊n/3⌋ per round. */
  threshold: number | undefined;
  phaseTimeoutMs: number;
}

export const SECURE_AGGREGATION_DEFAULTS = {
  ringBits: 32,
  clipRange: 0.5,
  phaseTimeoutMs: 30_000,
  /** With client DP, R defaults to C + this many per-client noise deviations, so noisy coordinates are almost never clipped. */
  noiseDeviations: 6,
} as const;

/** Shamir shares live in GF(256): at most 255 clients per secure round (which also leaves a 16-bit ring ≥ 128 levels). */
export const MAX_SECURE_CLIENTS = 255;

function fieldError(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { problems: [{ field, message }] } });
}

/** Validates `request.secureAggregation` against the rest of the job and fills its defaults. */
export function normalizeSecureAggregation(request: CreateJobRequest, minFitClients: number): SecureAggregationConfig | undefined {
  const settings = request.secureAggregation;
  if (settings === undefined) return undefined;
  if (request.privacy?.mode === 'central') {
    throw fieldError('/privacy/mode', "must be 'client' with secureAggregation: the coordinator cannot clip or add noise to updates it never sees");
  }
  if (minFitClients < 3) throw fieldError('/minFitClients', `(${minFitClients}) must be at least 3 with secureAggregation: the sum of two inputs reveals each to the other`);
  if (request.uploadCodec !== undefined && request.uploadCodec.id !== 'float32') {
    throw fieldError('/uploadCodec', `('${request.uploadCodec.id}') cannot be used with secureAggregation: updates travel in its integer ring (ringBits), which replaces the upload codec; omit uploadCodec`);
  }
  if (request.errorFeedback === true) throw fieldError('/errorFeedback', 'is not available with secureAggregation: the ring encoding is unbiased and keeps no residual');
  let clipRange = settings.clipRange ?? SECURE_AGGREGATION_DEFAULTS.clipRange;
  if (request.privacy !== undefined) {
    const { clipNorm } = request.privacy.clipping;
    const noiseStddev = (request.privacy.noiseMultiplier * clipNorm) / Math.sqrt(minFitClients);
    const floor = clipNorm + SECURE_AGGREGATION_DEFAULTS.noiseDeviations * noiseStddev;
    if (settings.clipRange !== undefined && settings.clipRange < floor) {
      throw fieldError('/secureAggregation/clipRange', `(${settings.clipRange}) must be at least clipNorm + 6 noise deviations (${floor}) with client DP, or noisy values would be clipped`);
    }
    clipRange = settings.clipRange ?? floor;
  }
  return {
    ringBits: settings.ringBits ?? SECURE_AGGREGATION_DEFAULTS.ringBits,
    clipRange,
    threshold: settings.threshold,
    phaseTimeoutMs: settings.phaseTimeoutMs ?? SECURE_AGGREGATION_DEFAULTS.phaseTimeoutMs,
  };
}

/** t for a round of n selected clients: the configured t or n − ⌊n/3⌋, never below a majority or minFitClients. */
export function roundThreshold(selected: number, config: SecureAggregationConfig, minFitClients: number): number {
  return Math.max(config.threshold ?? selected - Math.floor(selected / 3), Math.floor(selected / 2) + 1, minFitClients);
}

export interface SecureRoundFacts {
  jobId: string;
  round: number;
  selected: number;
  parameterCount: number;
  minFitClients: number;
  /** The FedAvg weight cap (most training examples among the selected), or undefined for uniform weights (client DP). */
  weightCap: number | undefined;
}

/** The fit:task block of one round. */
export function secureTaskBlock(config: SecureAggregationConfig, facts: SecureRoundFacts): SecureAggregationTask {
  return {
    context: `${facts.jobId}/${facts.round}/${randomBytes(8).toString('hex')}`,
    threshold: roundThreshold(facts.selected, config, facts.minFitClients),
    ringBits: config.ringBits,
    clipRange: config.clipRange,
    maxClients: facts.selected,
    length: facts.parameterCount + 1,
    ...(facts.weightCap === undefined ? {} : { weightCap: facts.weightCap }),
    phaseTimeoutMs: config.phaseTimeoutMs,
  };
}

/** Why a round with this block cannot run securely at all (it then fails before any task is sent), or undefined. */
export function secureRoundRefusal(task: SecureAggregationTask): string | undefined {
  const prefix = 'secure aggregation aborted:';
  if (task.maxClients > MAX_SECURE_CLIENTS) return `${prefix} ${task.maxClients} clients selected; a secure round takes at most ${MAX_SECURE_CLIENTS}`;
  if (task.maxClients < task.threshold) return `${prefix} ${task.maxClients} clients selected, threshold ${task.threshold}`;
  return undefined;
}
