/**
 * The on-device file of labelled samples (`labelled-samples.bin`): a compact binary layout with a CRC-32, refused
 * whole on load when anything about it is wrong, so a damaged file never trains a model.
 *
 * Layout, little-endian: magic 'SHLS' | format version u8 (1) | reserved u8 (0) | numClasses u16 | featureSize u32 |
 * count u32 | seen f64 (samples ever offered) | labels u8 × count | zero padding to a multiple of 4 |
 * features f32 × count × featureSize | CRC-32 u32 of every byte before it.
 */
import { crc32 } from 'node:zlib';
import { ShoalError } from '@shoal/protocol';

const MAGIC = [0x53, 0x48, 0x4c, 0x53]; // 'SHLS'
const FORMAT_VERSION = 1;
const HEADER_BYTES = 24;
const CRC_BYTES = 4;

export interface LabelledSamples {
  featureSize: number;
  numClasses: number;
  /** Samples offered to the store since it was created (reservoir sampling needs it). */
  seen: number;
  labels: Uint8Array;
  /** labels.length × featureSize values, row-major. */
  features: Float32Array;
}

function featuresOffset(count: number): number {
  return HEADER_BYTES + Math.ceil(count / 4) * 4;
}

export function encodeLabelledSamples(samples: LabelledSamples): Uint8Array {
  const count = samples.labels.length;
  const start = featuresOffset(count);
  const bytes = new Uint8Array(start + samples.features.length * 4 + CRC_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[4] = FORMAT_VERSION;
  view.setUint16(6, samples.numClasses, true);
  view.setUint32(8, samples.featureSize, true);
  view.setUint32(12, count, true);
  view.setFloat64(16, samples.seen, true);
  bytes.set(samples.labels, HEADER_BYTES);
  samples.features.forEach((value, i) => view.setFloat32(start + i * 4, value, true));
  view.setUint32(bytes.length - CRC_BYTES, crc32(bytes.subarray(0, bytes.length - CRC_BYTES)), true);
  return bytes;
}

/** Decodes and checks a file written by encodeLabelledSamples for a model of `featureSize` inputs and `numClasses` classes. */
export function decodeLabelledSamples(bytes: Uint8Array, expected: { featureSize: number; numClasses: number }, file: string): LabelledSamples {
  const refuse = (reason: string) =>
    new ShoalError('VALIDATION_FAILED', `labelled sample file ${file} is unusable: ${reason}; move it away to start with an empty store`, { details: { file } });
  if (bytes.length < HEADER_BYTES + CRC_BYTES) throw refuse(`it has ${bytes.length} bytes, fewer than a header`);
  if (!MAGIC.every((byte, i) => bytes[i] === byte)) throw refuse("it does not start with 'SHLS'");
  if (bytes[4] !== FORMAT_VERSION) throw refuse(`format version ${bytes[4]} is not ${FORMAT_VERSION}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(bytes.length - CRC_BYTES, true) !== crc32(bytes.subarray(0, bytes.length - CRC_BYTES))) throw refuse('its checksum does not match (truncated or damaged)');
  const numClasses = view.getUint16(6, true);
  const featureSize = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const seen = view.getFloat64(16, true);
  if (featureSize !== expected.featureSize || numClasses !== expected.numClasses) {
    throw refuse(`it holds samples of ${featureSize} values and ${numClasses} classes; this client's data has ${expected.featureSize} and ${expected.numClasses}`);
  }
  const start = featuresOffset(count);
  if (bytes.length !== start + count * featureSize * 4 + CRC_BYTES) throw refuse(`its length does not match ${count} samples`);
  if (!Number.isSafeInteger(seen) || seen < count) throw refuse(`it says ${seen} samples were seen but holds ${count}`);
  const labels = bytes.slice(HEADER_BYTES, HEADER_BYTES + count);
  const badLabel = labels.findIndex((label) => label >= numClasses);
  if (badLabel !== -1) throw refuse(`sample ${badLabel} has label ${labels[badLabel]}, not below ${numClasses}`);
  const features = new Float32Array(count * featureSize);
  for (let i = 0; i < features.length; i++) {
    const value = view.getFloat32(start + i * 4, true);
    if (!Number.isFinite(value)) throw refuse(`sample ${Math.floor(i / featureSize)} has a non-finite value`);
    features[i] = value;
  }
  return { featureSize, numClasses, seen, labels, features };
}
