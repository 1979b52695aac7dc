/** Builds a binary frame v1 from named tensors with a registered codec. */
import { ShoalError, elementCount, type NamedTensor } from '@shoal/protocol';
import type { CodecParams, RandomSource } from './codec.js';
import type { CodecRegistry } from './codec-registry.js';
import { registryOrDefault } from './default-codecs.js';
import { inTensor } from './frame-errors.js';
import { FRAME_MAGIC, FRAME_PREFIX_BYTES, FRAME_VERSION, MAX_HEADER_BYTES, frameKindCode, isFrameKind, type FrameKind } from './frame-format.js';
import { tensorNameProblem, tensorShapeProblem } from './tensor-rules.js';

export interface CodecSelection {
  id: string;
  params?: CodecParams;
}

function checkTensors(tensors: readonly NamedTensor[]): void {
  const seen = new Set<string>();
  tensors.forEach((tensor, index) => {
    const problem = tensorNameProblem(tensor.name) ?? tensorShapeProblem(tensor.shape);
    if (problem !== undefined) {
      throw new ShoalError('VALIDATION_FAILED', `cannot encode tensor ${index} ('${String(tensor.name)}'): ${problem}`, {
        details: { tensor: tensor.name, tensorIndex: index },
      });
    }
    if (seen.has(tensor.name)) {
      throw new ShoalError('VALIDATION_FAILED', `cannot encode: tensor name '${tensor.name}' appears more than once`, { details: { tensor: tensor.name } });
    }
    seen.add(tensor.name);
    const elements = elementCount(tensor.shape);
    if (!(tensor.values instanceof Float32Array) || tensor.values.length !== elements) {
      throw new ShoalError('SHAPE_MISMATCH', `tensor '${tensor.name}' has shape [${tensor.shape.join(', ')}] (${elements} elements) but ${String(tensor.values?.length)} values`, {
        details: { tensor: tensor.name, tensorIndex: index },
      });
    }
  });
}

/**
 * Encodes `tensors` in order. Enforces the format's hard rules (names, shapes, header size, finite
 * values) but not FrameLimits, which are the receiver's policy. Stochastic codecs draw from
 * `random` (default Math.random), so a seeded source makes the frame reproducible.
 */
export function encodeFrame(
  kind: FrameKind,
  tensors: readonly NamedTensor[],
  codecSelection: CodecSelection,
  registry?: CodecRegistry,
  random?: RandomSource,
): Uint8Array {
  if (!isFrameKind(kind)) throw new ShoalError('VALIDATION_FAILED', `frame kind must be 'weights' or 'delta', got ${String(kind)}`);
  const codec = registryOrDefault(registry).get(codecSelection.id);
  const params = codecSelection.params ?? {};
  codec.validateParams(params);
  checkTensors(tensors);

  let payloadBytes = 0;
  const payloads = tensors.map((tensor, index) => {
    const encoded = inTensor({ name: tensor.name, index }, () => codec.encode(tensor.values, params, random, tensor.shape));
    const expected = codec.encodedByteLength(tensor.values.length, params);
    if (expected !== undefined && encoded.length !== expected) {
      throw new ShoalError('INTERNAL', `codec '${codec.id}' encoded tensor '${tensor.name}' as ${encoded.length} bytes but declares ${expected}`);
    }
    payloadBytes += encoded.length;
    return encoded;
  });

  const header = new TextEncoder().encode(
    JSON.stringify({
      codec: { id: codec.id, params },
      tensors: tensors.map((tensor, index) => ({ name: tensor.name, shape: [...tensor.shape], byteLength: payloads[index]!.length })),
    }),
  );
  if (header.length > MAX_HEADER_BYTES) {
    throw new ShoalError('PAYLOAD_TOO_LARGE', `frame header would be ${header.length} bytes; the format allows ${MAX_HEADER_BYTES} (too many tensors or names too long)`, {
      details: { headerBytes: header.length, limit: MAX_HEADER_BYTES },
    });
  }

  const frame = new Uint8Array(FRAME_PREFIX_BYTES + header.length + payloadBytes);
  const view = new DataView(frame.buffer);
  frame.set(FRAME_MAGIC, 0);
  frame[4] = FRAME_VERSION;
  frame[5] = frameKindCode(kind);
  view.setUint16(6, 0, true);
  view.setUint32(8, header.length, true);
  frame.set(header, FRAME_PREFIX_BYTES);
  let offset = FRAME_PREFIX_BYTES + header.length;
  for (const payload of payloads) {
    frame.set(payload, offset);
    offset += payload.length;
  }
  return frame;
}
