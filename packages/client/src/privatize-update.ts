/** Client-side DP: clip the update to the task's L2 bound and add this client's share of the Gaussian noise. */
import { addGaussianNoise, clipInPlace } from '@shoal/privacy';
import type { ClientPrivacyInstructions, NamedTensor } from '@shoal/protocol';

/** Mutates the update in place; returns its norm before clipping (kept on the device, never sent). */
export function privatizeUpdate(update: NamedTensor[], instructions: ClientPrivacyInstructions, normal?: () => number): number {
  const values = update.map((tensor) => tensor.values);
  const norm = clipInPlace(values, instructions.clipNorm);
  addGaussianNoise(values, instructions.noiseStddev, normal);
  return norm;
}
