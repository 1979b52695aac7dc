/**
 * Test support: runs every frame decoder on one input and checks the properties they must share.
 * Used by the fuzz test and by test/bench/fuzz.bench.ts.
 */
import { ShoalError, elementCount, type ErrorCode } from '@shoal/protocol';
import { accumulateFrame } from '../accumulate-frame.js';
import { decodeFrame } from '../decode-frame.js';
import type { FrameHeader } from '../frame-format.js';
import { readFrameHeader } from '../read-frame-header.js';
import { TINY_MODEL } from './sample-model.js';

export const DECODERS = ['readFrameHeader', 'decodeFrame', 'accumulateFrame'] as const;
export type DecoderName = (typeof DECODERS)[number];

/** The only codes a frame decoder may answer with for bytes off the wire. */
export const FRAME_ERROR_CODES: readonly ErrorCode[] = ['FRAME_MALFORMED', 'PAYLOAD_TOO_LARGE', 'UNKNOWN_CODEC', 'NON_FINITE_VALUES', 'SHAPE_MISMATCH'];

export type Outcome = 'accepted' | ErrorCode | `non-ShoalError: ${string}`;

export interface DecoderRun {
  outcomes: Record<DecoderName, Outcome>;
  milliseconds: Record<DecoderName, number>;
  /** CPU time this process spent in each decoder: unlike wall time, other load on the machine does not inflate it. */
  cpuMilliseconds: Record<DecoderName, number>;
  /** Properties the decoders broke on this input; empty when all held. */
  violations: string[];
}

function attempt<T>(run: () => T): { value?: T; outcome: Outcome; milliseconds: number; cpuMilliseconds: number } {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const times = () => {
    const cpu = process.cpuUsage(cpuStarted);
    return { milliseconds: performance.now() - started, cpuMilliseconds: (cpu.user + cpu.system) / 1000 };
  };
  try {
    const value = run();
    return { value, outcome: 'accepted', ...times() };
  } catch (error) {
    const spent = times();
    if (error instanceof ShoalError) return { outcome: error.code, ...spent };
    return { outcome: `non-ShoalError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, ...spent };
  }
}

const SENTINEL = 1;

/**
 * Runs all three decoders on `bytes` and checks: only ShoalErrors with frame codes; a header the
 * reader refuses is refused by both decoders with the same code; decodeFrame and accumulateFrame
 * agree; a refused accumulation leaves its targets untouched; an accepted one adds exactly the
 * decoded values, which are all finite; an accepted header accounts for every byte.
 */
export function runDecoders(bytes: Uint8Array): DecoderRun {
  const header = attempt(() => readFrameHeader(bytes));
  const decoded = attempt(() => decodeFrame(bytes));
  const specs = header.value?.tensors ?? TINY_MODEL;
  const targets = specs.map((spec) => new Float32Array(elementCount(spec.shape)).fill(SENTINEL));
  const accumulated = attempt(() => accumulateFrame(bytes, targets, 1));
  const outcomes = { readFrameHeader: header.outcome, decodeFrame: decoded.outcome, accumulateFrame: accumulated.outcome };
  const milliseconds = { readFrameHeader: header.milliseconds, decodeFrame: decoded.milliseconds, accumulateFrame: accumulated.milliseconds };
  const cpuMilliseconds = { readFrameHeader: header.cpuMilliseconds, decodeFrame: decoded.cpuMilliseconds, accumulateFrame: accumulated.cpuMilliseconds };
  const violations: string[] = [];

  for (const decoder of DECODERS) {
    const outcome = outcomes[decoder];
    if (outcome !== 'accepted' && !FRAME_ERROR_CODES.includes(outcome as ErrorCode)) violations.push(`${decoder} answered ${outcome}`);
  }
  if (header.outcome !== 'accepted' && (decoded.outcome !== header.outcome || accumulated.outcome !== header.outcome)) {
    violations.push(`header refused with ${header.outcome} but decodeFrame: ${decoded.outcome}, accumulateFrame: ${accumulated.outcome}`);
  }
  if (decoded.outcome !== accumulated.outcome) violations.push(`decodeFrame: ${decoded.outcome} but accumulateFrame: ${accumulated.outcome}`);
  if (accumulated.outcome !== 'accepted' && targets.some((target) => target.some((value) => value !== SENTINEL))) {
    violations.push(`accumulateFrame refused with ${accumulated.outcome} but modified its targets`);
  }
  if (header.value !== undefined) violations.push(...accountingProblems(header.value, bytes.length));
  if (decoded.value !== undefined && accumulated.outcome === 'accepted') {
    decoded.value.tensors.forEach((tensor, t) => {
      tensor.values.forEach((value, i) => {
        if (!Number.isFinite(value)) violations.push(`decodeFrame returned ${value} in tensor '${tensor.name}'`);
        else if (targets[t]![i] !== Math.fround(SENTINEL + value)) violations.push(`accumulateFrame added something other than decodeFrame's value in '${tensor.name}'[${i}]`);
      });
    });
  }
  return { outcomes, milliseconds, cpuMilliseconds, violations };
}

function accountingProblems(header: FrameHeader, frameLength: number): string[] {
  const payload = header.tensors.reduce((sum, tensor) => sum + tensor.byteLength, 0);
  return header.payloadOffset + payload === frameLength ? [] : [`accepted header accounts for ${header.payloadOffset + payload} of ${frameLength} bytes`];
}
