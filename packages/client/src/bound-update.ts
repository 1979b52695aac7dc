/**
 * The bounds a fit task puts on a client's update, in place and in this order: the L2 clip to updateClipNorm, then
 * client DP (the L2 clip to privacy.clipNorm and Gaussian noise on every value). Error feedback comes before them
 * and encoding after (prepare-upload.ts).
 */
import { addGaussianNoise, clipInPlace } from '@shoal/privacy';
import type { FitConfig, NamedTensor } from '@shoal/protocol';

/**
 * Clips to the tighter of updateClipNorm and privacy.clipNorm: both scale the update along itself, so clipping to
 * one and then the other is clipping to the smaller. Returns the norm before clipping (kept on the device, never sent).
 */
export function clipUpdate(update: NamedTensor[], config: FitConfig): number | undefined {
  const bounds = [config.updateClipNorm, config.privacy?.clipNorm].filter((bound): bound is number => bound !== undefined);
  if (bounds.length === 0) return undefined;
  return clipInPlace(update.map((tensor) => tensor.values), Math.min(...bounds));
}

/** True when the task asks for client DP noise; the noise itself is `noiseUpdate`'s. */
export function addsNoise(config: FitConfig): boolean {
  return (config.privacy?.noiseStddev ?? 0) > 0;
}

/** Adds client DP's N(0, noiseStddev²) to every value (nothing without privacy instructions); `normal` for tests. */
export function noiseUpdate(update: NamedTensor[], config: FitConfig, normal?: () => number): void {
  if (addsNoise(config)) addGaussianNoise(update.map((tensor) => tensor.values), config.privacy!.noiseStddev, normal);
}

/** Both bounds, for uploads without error feedback (secure aggregation). */
export function boundUpdate(update: NamedTensor[], config: FitConfig, normal?: () => number): void {
  clipUpdate(update, config);
  noiseUpdate(update, config, normal);
}
