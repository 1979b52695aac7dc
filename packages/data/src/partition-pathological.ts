/**
 * The pathological non-IID partition of McMahan et al. 2017: examples sorted by label are cut into
 * numClients * shardsPerClient shards and each client receives shardsPerClient random shards.
 */
import { ShoalError } from '@shoal/protocol';
import { assertClientCount, type Partition } from './partition.js';
import { createRng, permutation } from './rng.js';

/** Example indices grouped by label, in ascending index order within each label. */
function indicesByLabel(labels: Uint8Array): Int32Array[] {
  const counts = new Array<number>(256).fill(0);
  for (const label of labels) counts[label]!++;
  const groups = counts.map((size) => new Int32Array(size));
  const filled = new Array<number>(256).fill(0);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    groups[label]![filled[label]!++] = index;
  }
  return groups.filter((group) => group.length > 0);
}

/** Splits `indices` into `pieces` contiguous runs whose sizes differ by at most one. */
function cut(indices: Int32Array, pieces: number): Int32Array[] {
  const runs: Int32Array[] = [];
  for (let piece = 0; piece < pieces; piece++) {
    runs.push(indices.subarray(Math.floor((piece * indices.length) / pieces), Math.floor(((piece + 1) * indices.length) / pieces)));
  }
  return runs;
}

/**
 * Shards that each hold a single label, as near-equal in size as that allows. Each label gets one shard,
 * then every further shard goes to the label whose shards are currently largest (highest averages),
 * so shard sizes stay within a few percent of count / numShards. Equal cuts of the sorted list would let
 * shards straddle two labels and break the "at most shardsPerClient labels per client" guarantee.
 */
function labelAlignedShards(groups: Int32Array[], numShards: number): Int32Array[] {
  const shardsPerLabel = groups.map(() => 1);
  for (let given = groups.length; given < numShards; given++) {
    let largest = 0;
    for (let g = 1; g < groups.length; g++) {
      if (groups[g]!.length / shardsPerLabel[g]! > groups[largest]!.length / shardsPerLabel[largest]!) largest = g;
    }
    shardsPerLabel[largest]!++;
  }
  return groups.flatMap((group, g) => cut(group, shardsPerLabel[g]!));
}

function concat(parts: Int32Array[]): Int32Array {
  const merged = new Int32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    merged.set(part, offset);
    offset += part.length;
  }
  return merged;
}

export function partitionPathological(
  labels: Uint8Array,
  numClients: number,
  options: { shardsPerClient?: number; seed: number },
): Partition {
  if (!(labels instanceof Uint8Array)) {
    throw new ShoalError('VALIDATION_FAILED', 'labels must be a Uint8Array', { details: { field: 'labels' } });
  }
  const shardsPerClient = options.shardsPerClient ?? 2;
  if (!Number.isSafeInteger(shardsPerClient) || shardsPerClient < 1) {
    throw new ShoalError('VALIDATION_FAILED', `shardsPerClient must be a positive integer, got ${String(shardsPerClient)}`, {
      details: { field: 'shardsPerClient' },
    });
  }
  assertClientCount(numClients, labels.length);
  const numShards = numClients * shardsPerClient;
  if (numShards > labels.length) {
    throw new ShoalError('VALIDATION_FAILED', `${numClients} clients × ${shardsPerClient} shards = ${numShards} shards exceed the ${labels.length} examples`, {
      details: { field: 'shardsPerClient' },
    });
  }

  const groups = indicesByLabel(labels);
  // With fewer shards than labels a shard must mix labels; then fall back to the paper's equal cuts of the sorted list.
  const shards =
    numShards >= groups.length
      ? labelAlignedShards(groups, numShards)
      : cut(concat(groups), numShards);

  const order = permutation(createRng(options.seed).fork('partition-pathological'), numShards);
  const partition: Partition = [];
  for (let client = 0; client < numClients; client++) {
    const mine = Array.from(order.subarray(client * shardsPerClient, (client + 1) * shardsPerClient), (shard) => shards[shard]!);
    // Ascending order interleaves the client's labels the way the source data does.
    partition.push(concat(mine).sort());
  }
  return partition;
}
