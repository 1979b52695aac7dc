/** The codecs every Shoal peer speaks, and the registry frame functions use when none is passed. */
import { CodecRegistry } from './codec-registry.js';
import { float16Codec } from './float16-codec.js';
import { float32Codec } from './float32-codec.js';
import { int8Codec } from './int8-codec.js';
import { int8ChannelCodec } from './int8-channel-codec.js';
import { qsgdCodec } from './qsgd-codec.js';
import { randkCodec } from './randk-codec.js';
import { randkQsgdCodec } from './randk-qsgd-codec.js';
import { topkCodec } from './topk-codec.js';
import { topkQsgdCodec } from './topk-qsgd-codec.js';

/** Every codec of protocols/v1/frame.md §4, in the order it documents them. */
export const DEFAULT_CODECS = Object.freeze([float32Codec, int8Codec, float16Codec, qsgdCodec, topkCodec, randkCodec, topkQsgdCodec, randkQsgdCodec, int8ChannelCodec]);

/**
 * A new registry holding the default codecs on every call, so callers may register their own codecs
 * without changing what any other part of the process accepts.
 */
export function defaultCodecRegistry(): CodecRegistry {
  return new CodecRegistry(DEFAULT_CODECS);
}

/** Private to the package: never handed out, so nothing can register into it. */
const sharedDefault = defaultCodecRegistry();

export function registryOrDefault(registry: CodecRegistry | undefined): CodecRegistry {
  return registry ?? sharedDefault;
}
