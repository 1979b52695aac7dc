import { describe, expect, it } from 'vitest';
import { foldBytesDown, foldChanges, mergePatch } from './contribution-batches.js';

describe('contribution batches', () => {
  it('merges patches as if applied in order: later fields win, bytes add, the last error code set or cleared holds', () => {
    expect(mergePatch({ status: 'rejected', errorCode: 'LATE_UPDATE', bytesUp: 5, loss: 1 }, { status: 'accepted', clearErrorCode: true, bytesUp: 7, accuracy: 0.5 })).toEqual({
      status: 'accepted', clearErrorCode: true, bytesUp: 12, loss: 1, accuracy: 0.5,
    });
    expect(mergePatch({ clearErrorCode: true, status: 'accepted' }, { status: 'failed', errorCode: 'DROPPED' })).toEqual({ status: 'failed', errorCode: 'DROPPED' });
    expect(mergePatch({ errorCode: 'X', outlier: false }, { outlier: true })).toEqual({ errorCode: 'X', outlier: true });
  });

  it('folds a batch to one change per client, in first-seen order, and bytes down per round and client', () => {
    expect(foldChanges([
      { clientId: 'b', patch: { status: 'accepted', bytesUp: 1 } },
      { clientId: 'a', patch: { status: 'selected' } },
      { clientId: 'b', patch: { outlier: true, bytesUp: 2 } },
    ])).toEqual([
      { clientId: 'b', patch: { status: 'accepted', bytesUp: 3, outlier: true } },
      { clientId: 'a', patch: { status: 'selected' } },
    ]);
    expect(foldBytesDown([
      { round: 1, clientId: 'a', bytes: 2 },
      { round: 2, clientId: 'a', bytes: 3 },
      { round: 1, clientId: 'a', bytes: 5 },
    ])).toEqual([
      { round: 1, clientId: 'a', bytes: 7 },
      { round: 2, clientId: 'a', bytes: 3 },
    ]);
  });
});
