/** Policy caps a decoder applies to a frame before trusting any size it claims. */
import { ShoalError } from '@shoal/protocol';
import { MAX_HEADER_BYTES } from './frame-format.js';

export interface FrameLimits {
  maxFrameBytes: number;
  maxTensors: number;
  /** Total across all tensors of the frame. */
  maxElements: number;
  maxHeaderBytes: number;
}

export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({
  maxFrameBytes: 64 * 1024 * 1024,
  maxTensors: 1024,
  maxElements: 2 ** 25,
  maxHeaderBytes: MAX_HEADER_BYTES,
});

/** Fills missing limits from the defaults and refuses ones that are not positive integers. */
export function resolveFrameLimits(limits: Partial<FrameLimits> | undefined): FrameLimits {
  if (limits === undefined) return DEFAULT_FRAME_LIMITS;
  const resolved: FrameLimits = {
    maxFrameBytes: limits.maxFrameBytes ?? DEFAULT_FRAME_LIMITS.maxFrameBytes,
    maxTensors: limits.maxTensors ?? DEFAULT_FRAME_LIMITS.maxTensors,
    maxElements: limits.maxElements ?? DEFAULT_FRAME_LIMITS.maxElements,
    maxHeaderBytes: limits.maxHeaderBytes ?? DEFAULT_FRAME_LIMITS.maxHeaderBytes,
  };
  for (const key of Object.keys(DEFAULT_FRAME_LIMITS) as Array<keyof FrameLimits>) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ShoalError('VALIDATION_FAILED', `frame limit ${key} must be a positive integer, got ${String(value)}`, {
        details: { limit: key },
      });
    }
  }
  if (resolved.maxHeaderBytes > MAX_HEADER_BYTES) {
    throw new ShoalError('VALIDATION_FAILED', `frame limit maxHeaderBytes ${resolved.maxHeaderBytes} exceeds the format's cap ${MAX_HEADER_BYTES}`, {
      details: { limit: 'maxHeaderBytes' },
    });
  }
  return resolved;
}
