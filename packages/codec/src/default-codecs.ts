/** The codecs every Shoal peer speaks, and the registry frame functions use when none is passed. */
import { CodecRegistry } from './codec-registry.js';
import { float32Codec } from './float32-codec.js';
import { int8Codec } from './int8-codec.js';

/**
 * A new registry holding float32 and int8 on every call, so callers may register their own codecs
 * without changing what any other part of the process accepts.
 */
export function defaultCodecRegistry(): CodecRegistry {
  return new CodecRegistry([float32Codec, int8Codec]);
}

/** Private to the package: never handed out, so nothing can register into it. */
const sharedDefault = defaultCodecRegistry();

export function registryOrDefault(registry: CodecRegistry | undefined): CodecRegistry {
  return registry ?? sharedDefault;
}
