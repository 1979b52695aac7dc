/** @shoal/secagg: secure aggregation (Bonawitz et al. 2017): the coordinator learns only the sum of client inputs. */
export { SecAggClient } from './secagg-client.js';
export { SecAggServer } from './secagg-server.js';
export type {
  AdvertiseMessage,
  MaskedInputMessage,
  SecAggParameters,
  ShareKeysMessage,
  UnmaskMessage,
} from './messages.js';
export { shamirCombine, shamirSplit } from './shamir.js';
export type { Share } from './shamir.js';
export { encodeFixedPoint, levels } from './fixed-point.js';
export type { FixedPointSpec } from './fixed-point.js';
export { decodeWeightedSum, encodeWeightedInput, inputWeight } from './weighted-input.js';
export { ringFromBytes, ringToBytes } from './ring-bytes.js';
export {
  advertiseFromWire,
  advertiseToWire,
  deliveriesFromWire,
  deliveriesToWire,
  rosterFromWire,
  rosterToWire,
  shareKeysFromWire,
  shareKeysToWire,
  unmaskFromWire,
  unmaskToWire,
} from './wire.js';
export { expandMask } from './prg.js';
export type { RingBits } from './prg.js';
export { pairwiseSeed } from './key-agreement.js';
