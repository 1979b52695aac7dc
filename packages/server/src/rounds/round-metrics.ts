/** The per-round figures recorded after a round closes: examples, bytes each way and the compression ratios. Pure. */
import type { RoundMetrics } from '@shoal/protocol';

export interface RoundFacts {
  parameterCount: number;
  examples: number;
  startedAt: number;
  endedAt: number;
  /** Bytes of each accepted update. */
  acceptedUpdateBytes: readonly number[];
  /** Per selected client, everything it sent and fetched in this round (refused retries included). */
  contributions: readonly { clientId: string; bytesUp: number; bytesDown: number }[];
  /** Weights downloads for this round's tasks, and how many of them were deltas. */
  downloads: { total: number; deltas: number };
  training?: { trainLoss?: number | undefined; trainAccuracy?: number | undefined } | undefined;
}

export function roundMetrics(facts: RoundFacts): RoundMetrics {
  const float32Bytes = facts.parameterCount * 4;
  const acceptedBytes = facts.acceptedUpdateBytes.reduce((sum, bytes) => sum + bytes, 0);
  const bytesDown = facts.contributions.reduce((sum, c) => sum + c.bytesDown, 0);
  const metrics: RoundMetrics = {
    examples: facts.examples,
    bytesUp: facts.contributions.reduce((sum, c) => sum + c.bytesUp, 0),
    bytesDown,
    durationMs: facts.endedAt - facts.startedAt,
    deltaDownloads: facts.downloads.deltas,
    clientBytes: facts.contributions.map((c) => ({ clientId: c.clientId, bytesUp: c.bytesUp, bytesDown: c.bytesDown })),
  };
  if (acceptedBytes > 0) metrics.compressionRatio = (facts.acceptedUpdateBytes.length * float32Bytes) / acceptedBytes;
  if (bytesDown > 0) metrics.downloadCompressionRatio = (facts.downloads.total * float32Bytes) / bytesDown;
  if (facts.training?.trainLoss !== undefined) metrics.trainLoss = facts.training.trainLoss;
  if (facts.training?.trainAccuracy !== undefined) metrics.trainAccuracy = facts.training.trainAccuracy;
  return metrics;
}
