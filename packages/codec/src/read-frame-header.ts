/** Reads and fully validates a frame's prefix and header against the bytes present, before any decoding. */
import { ShoalError, elementCount } from '@shoal/protocol';
import type { Codec } from './codec.js';
import type { CodecRegistry } from './codec-registry.js';
import { registryOrDefault } from './default-codecs.js';
import { malformed } from './frame-errors.js';
import { FRAME_MAGIC, FRAME_PREFIX_BYTES, FRAME_VERSION, MAX_HEADER_BYTES, frameKindOf, type FrameHeader, type FrameKind } from './frame-format.js';
import { parseFrameHeaderJson } from './frame-header-json.js';
import { resolveFrameLimits, type FrameLimits } from './frame-limits.js';

export interface ReadFrameOptions {
  /** Missing fields take DEFAULT_FRAME_LIMITS. */
  limits?: Partial<FrameLimits>;
  registry?: CodecRegistry;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

function readKind(bytes: Uint8Array, view: DataView): { kind: FrameKind; headerLength: number } {
  const magic = bytes.subarray(0, 4);
  if (!FRAME_MAGIC.every((byte, index) => magic[index] === byte)) {
    throw malformed(`bad magic: expected 'SHOL' (53 48 4f 4c), found ${hex(magic)}`);
  }
  const version = bytes[4]!;
  if (version !== FRAME_VERSION) throw malformed(`unsupported frame version ${version}; this decoder reads version ${FRAME_VERSION}`, { version });
  const kindCode = bytes[5]!;
  const kind = frameKindOf(kindCode);
  if (kind === undefined) throw malformed(`unknown frame kind ${kindCode}; expected 1 (weights) or 2 (delta)`, { kind: kindCode });
  const reserved = view.getUint16(6, true);
  if (reserved !== 0) throw malformed(`reserved bytes 6-7 must be 0, found ${hex(bytes.subarray(6, 8))}`);
  return { kind, headerLength: view.getUint32(8, true) };
}

function checkHeaderLength(headerLength: number, present: number, limits: FrameLimits): void {
  if (headerLength < 1 || headerLength > MAX_HEADER_BYTES) {
    throw malformed(`header length ${headerLength} is outside 1..${MAX_HEADER_BYTES}`, { headerLength });
  }
  if (headerLength > limits.maxHeaderBytes) {
    throw new ShoalError('PAYLOAD_TOO_LARGE', `header length ${headerLength} exceeds the limit ${limits.maxHeaderBytes}`, {
      details: { headerLength, limit: limits.maxHeaderBytes },
    });
  }
  if (headerLength > present) {
    throw malformed(`frame truncated: header claims ${headerLength} bytes, ${present} present`, { headerLength, present });
  }
}

function codecFor(registry: CodecRegistry, id: string, params: Record<string, unknown>): Codec {
  if (!registry.has(id)) {
    throw new ShoalError('UNKNOWN_CODEC', `frame uses codec '${id}', which is not registered (registered: ${registry.ids().join(', ')})`, {
      details: { codec: id, registered: registry.ids() },
    });
  }
  const codec = registry.get(id);
  try {
    codec.validateParams(params);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShoalError('FRAME_MALFORMED', `frame header: invalid params for codec '${id}': ${reason}`, { cause: error, details: { codec: id } });
  }
  return codec;
}

/**
 * Validates everything that can be checked without decoding values: prefix fields, header JSON and
 * its limits, the codec and its params, each tensor's byteLength against the codec, and that the
 * byteLengths add up to exactly the bytes after the header. Allocates only in proportion to the
 * header bytes actually present, never to a size the frame claims.
 */
export function readFrameHeader(bytes: Uint8Array, options: ReadFrameOptions = {}): FrameHeader {
  if (!(bytes instanceof Uint8Array)) throw new ShoalError('VALIDATION_FAILED', 'a frame must be a Uint8Array');
  const limits = resolveFrameLimits(options.limits);
  const registry = registryOrDefault(options.registry);
  if (bytes.length > limits.maxFrameBytes) {
    throw new ShoalError('PAYLOAD_TOO_LARGE', `frame is ${bytes.length} bytes; limit is ${limits.maxFrameBytes}`, {
      details: { frameBytes: bytes.length, limit: limits.maxFrameBytes },
    });
  }
  if (bytes.length < FRAME_PREFIX_BYTES) {
    throw malformed(`frame truncated: ${bytes.length} bytes present, the fixed prefix alone is ${FRAME_PREFIX_BYTES}`, { present: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { kind, headerLength } = readKind(bytes, view);
  checkHeaderLength(headerLength, bytes.length - FRAME_PREFIX_BYTES, limits);
  const payloadOffset = FRAME_PREFIX_BYTES + headerLength;
  const wire = parseFrameHeaderJson(bytes.subarray(FRAME_PREFIX_BYTES, payloadOffset), limits);
  const codec = codecFor(registry, wire.codec.id, wire.codec.params);

  const payloadBytes = bytes.length - payloadOffset;
  let offset = 0;
  for (const tensor of wire.tensors) {
    const expected = codec.encodedByteLength(elementCount(tensor.shape), wire.codec.params);
    if (expected !== undefined && tensor.byteLength !== expected) {
      throw malformed(
        `tensor '${tensor.name}' byteLength ${tensor.byteLength} is inconsistent with codec '${codec.id}', which needs ${expected} for shape [${tensor.shape.join(', ')}]`,
        { tensor: tensor.name, byteLength: tensor.byteLength, expectedByteLength: expected },
      );
    }
    const most = expected === undefined ? codec.maxEncodedByteLength?.(elementCount(tensor.shape), wire.codec.params) : undefined;
    if (most !== undefined && tensor.byteLength > most) {
      throw malformed(
        `tensor '${tensor.name}' byteLength ${tensor.byteLength} exceeds the ${most} bytes codec '${codec.id}' can need for shape [${tensor.shape.join(', ')}]`,
        { tensor: tensor.name, byteLength: tensor.byteLength, maxByteLength: most },
      );
    }
    if (tensor.byteLength > payloadBytes - offset) {
      throw malformed(
        `frame truncated: tensor '${tensor.name}' claims ${tensor.byteLength} bytes at frame offset ${payloadOffset + offset}, ${payloadBytes - offset} present`,
        { tensor: tensor.name, byteOffset: payloadOffset + offset, byteLength: tensor.byteLength, present: payloadBytes - offset },
      );
    }
    offset += tensor.byteLength;
  }
  if (offset !== payloadBytes) {
    const trailing = payloadBytes - offset;
    throw malformed(`${trailing} trailing byte${trailing === 1 ? '' : 's'} after the last tensor (frame offset ${payloadOffset + offset})`, {
      byteOffset: payloadOffset + offset,
      trailing,
    });
  }
  return { kind, codec: wire.codec, tensors: wire.tensors, payloadOffset };
}
