/** The "index/count" notation that tells an agent which partition of a data set is its own. */
import { ShoalError } from '@shoal/protocol';

/** index is 0-based, in 0..count-1 (like Flower's partition-id). */
export interface ShardSpec {
  index: number;
  count: number;
}

const SHARD_PATTERN = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

export function parseShardSpec(text: string): ShardSpec {
  const match = typeof text === 'string' ? SHARD_PATTERN.exec(text) : null;
  if (match === null) {
    throw new ShoalError('VALIDATION_FAILED', `Shard must look like "index/count" with a 0-based index, e.g. "0/10"; got ${JSON.stringify(text)}`, {
      details: { field: 'shard' },
    });
  }
  return assertShardSpec({ index: Number(match[1]), count: Number(match[2]) });
}

export function assertShardSpec(spec: ShardSpec): ShardSpec {
  const { index, count } = spec;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new ShoalError('VALIDATION_FAILED', `Shard count must be a positive integer, got ${String(count)}`, { details: { field: 'shard' } });
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new ShoalError('VALIDATION_FAILED', `Shard index ${String(index)} is outside 0..${count - 1} (indices are 0-based)`, { details: { field: 'shard' } });
  }
  return { index, count };
}
