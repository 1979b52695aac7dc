/** Upper bounds on encoded sizes, so a receiver can size its limits to a model and a codec. */
import { elementCount, type TensorSpec } from '@shoal/protocol';
import type { CodecRegistry } from './codec-registry.js';
import { registryOrDefault } from './default-codecs.js';
import type { CodecSelection } from './encode-frame.js';

/**
 * The most payload bytes (everything after the header) a frame of these tensors can take in this
 * codec; Infinity when the codec states no bound.
 */
export function maxEncodedFrameBytes(specs: readonly TensorSpec[], selection: CodecSelection, registry?: CodecRegistry): number {
  const codec = registryOrDefault(registry).get(selection.id);
  const params = selection.params ?? {};
  let total = 0;
  for (const spec of specs) {
    const elements = elementCount(spec.shape);
    total += codec.encodedByteLength(elements, params) ?? codec.maxEncodedByteLength?.(elements, params) ?? Number.POSITIVE_INFINITY;
  }
  return total;
}
