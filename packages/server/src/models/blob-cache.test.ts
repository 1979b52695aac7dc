import { describe, expect, it } from 'vitest';
import { BlobCache, contentTag, matchesIfNoneMatch } from './blob-cache.js';

const blob = (length: number, fill = length) => {
  const bytes = new Uint8Array(length).fill(fill);
  return { bytes, etag: contentTag(bytes) };
};

describe('BlobCache', () => {
  it('evicts the least recently used blobs once their bytes pass the budget', () => {
    const cache = new BlobCache(100);
    cache.set('a', blob(40));
    cache.set('b', blob(40));
    cache.get('a');

    cache.set('c', blob(40));

    expect([cache.get('a') !== undefined, cache.get('b') !== undefined, cache.get('c') !== undefined]).toEqual([true, false, true]);
    expect(cache.bytes).toBe(80);
  });

  it('returns a blob larger than the whole budget without keeping it, and keeps nothing with a budget of 0', () => {
    const cache = new BlobCache(10);
    const big = blob(11);

    expect(cache.set('big', big)).toBe(big);
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
    new BlobCache(0).set('a', blob(1));
    expect(() => new BlobCache(-1)).toThrow(/maxBytes/);
  });

  it('replaces a key without counting its bytes twice, and drops the keys a predicate names', () => {
    const cache = new BlobCache(100);
    cache.set('a/1', blob(30));
    cache.set('a/1', blob(20));
    cache.set('b/1', blob(10));

    cache.deleteWhere((key) => key.startsWith('a/'));

    expect([cache.size, cache.bytes]).toEqual([1, 10]);
  });
});

describe('content tags', () => {
  it('are strong, quoted SHA-256 tags: equal for equal bytes, different for different bytes', () => {
    const tag = contentTag(Uint8Array.of(1, 2, 3));

    expect(tag).toMatch(/^"sha256-[A-Za-z0-9_-]{43}"$/);
    expect(contentTag(Uint8Array.of(1, 2, 3))).toBe(tag);
    expect(contentTag(Uint8Array.of(1, 2, 4))).not.toBe(tag);
  });

  it('match If-None-Match lists, weak forms and *', () => {
    const tag = '"sha256-x"';

    expect([undefined, '"other"', tag, `"other", ${tag}`, `W/${tag}`, '*'].map((header) => matchesIfNoneMatch(header, tag))).toEqual([false, false, true, true, true, true]);
  });
});
