/**
 * A batch of contribution writes folded to one write per row, with the effect of applying them in order: a field a
 * later patch sets wins, bytes add up, and an error code follows the last patch that set or cleared it. PostgreSQL
 * then writes a batch as one statement (an UPDATE … FROM unnest(…) matches each row once).
 */
import type { BytesDownRow, ContributionChangeRow, ContributionPatch } from './store-shapes.js';

const FIELDS = ['status', 'numExamples', 'loss', 'accuracy', 'durationMs', 'weight', 'updateNorm', 'distanceToAggregate', 'outlier'] as const;

/** `later` applied after `earlier`, as one patch. */
export function mergePatch(earlier: ContributionPatch, later: ContributionPatch): ContributionPatch {
  const merged: ContributionPatch = { ...earlier };
  for (const field of FIELDS) if (later[field] !== undefined) (merged as Record<string, unknown>)[field] = later[field];
  if (later.bytesUp !== undefined) merged.bytesUp = (earlier.bytesUp ?? 0) + later.bytesUp;
  if (later.clearErrorCode === true) {
    merged.clearErrorCode = true;
    delete merged.errorCode;
  } else if (later.errorCode !== undefined) {
    merged.errorCode = later.errorCode;
    delete merged.clearErrorCode;
  }
  return merged;
}

/** One change per client, in the order each client first appears. */
export function foldChanges(changes: readonly ContributionChangeRow[]): ContributionChangeRow[] {
  const byClient = new Map<string, ContributionPatch>();
  for (const { clientId, patch } of changes) {
    const earlier = byClient.get(clientId);
    byClient.set(clientId, earlier === undefined ? patch : mergePatch(earlier, patch));
  }
  return [...byClient].map(([clientId, patch]) => ({ clientId, patch }));
}

/** One row per (round, client), bytes summed. */
export function foldBytesDown(rows: readonly BytesDownRow[]): BytesDownRow[] {
  const byKey = new Map<string, BytesDownRow>();
  for (const row of rows) {
    const key = `${row.round}\u0000${row.clientId}`;
    const earlier = byKey.get(key);
    byKey.set(key, earlier === undefined ? { ...row } : { ...earlier, bytes: earlier.bytes + row.bytes });
  }
  return [...byKey.values()];
}
