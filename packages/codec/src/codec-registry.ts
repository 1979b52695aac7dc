/** The set of codecs a peer understands, keyed by the id frame headers name; duplicates are refused. */
import { ShoalError } from '@shoal/protocol';
import type { Codec } from './codec.js';

export const CODEC_ID_PATTERN = /^[a-z0-9][a-z0-9+._-]{0,63}$/;

export class CodecRegistry {
  private readonly codecs = new Map<string, Codec>();

  constructor(codecs: readonly Codec[] = []) {
    for (const codec of codecs) this.register(codec);
  }

  /** Adds a codec; throws CONFLICT if its id is taken and VALIDATION_FAILED if the id is not a valid codec id. */
  register(codec: Codec): this {
    if (typeof codec.id !== 'string' || !CODEC_ID_PATTERN.test(codec.id)) {
      throw new ShoalError('VALIDATION_FAILED', `codec id '${String(codec.id)}' must match ${CODEC_ID_PATTERN.source}`);
    }
    if (this.codecs.has(codec.id)) {
      throw new ShoalError('CONFLICT', `a codec with id '${codec.id}' is already registered`, { details: { codec: codec.id } });
    }
    this.codecs.set(codec.id, codec);
    return this;
  }

  has(id: string): boolean {
    return this.codecs.has(id);
  }

  /** Throws UNKNOWN_CODEC, listing what is registered, when no codec has this id. */
  get(id: string): Codec {
    const codec = this.codecs.get(id);
    if (codec === undefined) {
      throw new ShoalError('UNKNOWN_CODEC', `codec '${id}' is not registered (registered: ${this.ids().join(', ') || 'none'})`, {
        details: { codec: id, registered: this.ids() },
      });
    }
    return codec;
  }

  ids(): string[] {
    return [...this.codecs.keys()];
  }
}
