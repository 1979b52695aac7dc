/**
 * Encodes model weights as a protocols/v1 frame (kind 1 = weights, codec float32), the form POST /jobs takes as
 * `initialWeights` (base64). A browser cannot load @shoal/codec (it reads schemas from disk), and float32 needs
 * only the layout of frame.md §2–§4.1; a test checks the bytes against @shoal/codec's encoder.
 */
export interface WeightTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

const MAGIC = [0x53, 0x48, 0x4f, 0x4c]; // "SHOL"
const FRAME_VERSION = 1;
const KIND_WEIGHTS = 1;
const PREAMBLE_BYTES = 12;

export function encodeWeightsFrame(tensors: readonly WeightTensor[]): Uint8Array {
  for (const tensor of tensors) {
    const index = tensor.values.findIndex((value) => !Number.isFinite(value));
    if (index >= 0) throw new Error(`weight '${tensor.name}' has a non-finite value at index ${index}`);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ codec: { id: 'float32', params: {} }, tensors: tensors.map((t) => ({ name: t.name, shape: t.shape, byteLength: t.values.length * 4 })) }),
  );
  const payload = tensors.reduce((sum, t) => sum + t.values.length * 4, 0);
  const frame = new Uint8Array(PREAMBLE_BYTES + header.length + payload);
  const view = new DataView(frame.buffer);
  frame.set(MAGIC, 0);
  view.setUint8(4, FRAME_VERSION);
  view.setUint8(5, KIND_WEIGHTS);
  view.setUint32(8, header.length, true);
  frame.set(header, PREAMBLE_BYTES);
  let offset = PREAMBLE_BYTES + header.length;
  for (const tensor of tensors) {
    for (const value of tensor.values) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  return frame;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}
