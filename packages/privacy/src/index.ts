/** @shoal/privacy: user-level differential privacy for federated rounds — RDP accountant, clipping and Gaussian noise. */
export { DEFAULT_ORDERS, rdpCurve, rdpSampledGaussian } from './rdp-sampled-gaussian.js';
export { epsilonFromRdp } from './rdp-to-dp.js';
export type { EpsilonAtDelta } from './rdp-to-dp.js';
export { RdpAccountant, combinedNoiseMultiplier, updateNoiseMultiplier } from './accountant.js';
export type { RoundMechanism } from './accountant.js';
export { clipFactor, clipInPlace, l2Norm, nextClipNorm } from './clipping.js';
export type { AdaptiveClippingState } from './clipping.js';
export { addGaussianNoise, cryptoUniform, gaussianSampler } from './gaussian-noise.js';
export type { UniformSource } from './gaussian-noise.js';
