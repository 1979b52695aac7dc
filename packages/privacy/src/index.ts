/** @shoal/privacy: user-level differential privacy for federated rounds — RDP accountant, clipping and Gaussian noise. */
export { RdpAccountant, updateNoiseMultiplier } from './accountant.js';
export { clipFactor, clipInPlace, l2Norm, nextClipNorm } from './clipping.js';
export { addGaussianNoise, cryptoUniform, gaussianSampler } from './gaussian-noise.js';
