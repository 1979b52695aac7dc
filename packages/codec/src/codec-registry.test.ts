import { describe, expect, it } from 'vitest';
import { CodecRegistry } from './codec-registry.js';
import { DEFAULT_CODECS, defaultCodecRegistry } from './default-codecs.js';
import { float32Codec } from './float32-codec.js';
import { errorCodeOf, shoalErrorOf } from './testing/error-code.js';

describe('CodecRegistry', () => {
  it('finds registered codecs by id', () => {
    const registry = new CodecRegistry().register(float32Codec);

    expect(registry.has('float32')).toBe(true);
    expect(registry.get('float32')).toBe(float32Codec);
    expect(registry.ids()).toEqual(['float32']);
  });

  it('refuses a duplicate id', () => {
    const registry = new CodecRegistry([float32Codec]);

    const error = shoalErrorOf(() => registry.register({ ...float32Codec }));

    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/'float32' is already registered/);
  });

  it('refuses an id the header could not carry', () => {
    expect(errorCodeOf(() => new CodecRegistry().register({ ...float32Codec, id: 'Not Valid' }))).toBe('VALIDATION_FAILED');
  });

  it('reports an unknown codec as UNKNOWN_CODEC, listing what is registered', () => {
    const error = shoalErrorOf(() => defaultCodecRegistry().get('top-k'));

    expect(error.code).toBe('UNKNOWN_CODEC');
    expect(error.message).toMatch(/'top-k'.*float32, int8/);
    expect(defaultCodecRegistry().has('top-k')).toBe(false);
  });

  it('hands out a fresh default registry each call', () => {
    const mine = defaultCodecRegistry();

    mine.register({ ...float32Codec, id: 'mine' });

    const defaults = ['float32', 'int8', 'float16', 'qsgd', 'topk', 'randk', 'topk+qsgd', 'randk+qsgd', 'int8-channel'];
    expect(DEFAULT_CODECS.map((codec) => codec.id)).toEqual(defaults);
    expect(defaultCodecRegistry().ids()).toEqual(defaults);
    expect(mine.ids()).toEqual([...defaults, 'mine']);
  });
});
