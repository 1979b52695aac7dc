import { describe, expect, it } from 'vitest';
import { parseShardSpec } from './shard-spec.js';
import { shoalErrorFrom } from './testing/test-support.js';

describe('parseShardSpec', () => {
  it.each([
    ['3/10', { index: 3, count: 10 }],
    ['0/1', { index: 0, count: 1 }],
    [' 9 / 10 ', { index: 9, count: 10 }],
  ])('parses %j', (text, spec) => {
    expect(parseShardSpec(text)).toEqual(spec);
  });

  it.each([
    ['10/10', /outside 0\.\.9 \(indices are 0-based\)/],
    ['0/0', /count must be a positive integer/],
    ['3', /index\/count/],
    ['3/', /index\/count/],
    ['-1/10', /index\/count/],
    ['1.5/10', /index\/count/],
    ['a/b', /index\/count/],
    ['1/2/3', /index\/count/],
    ['', /index\/count/],
    ['99999999999999999999/1', /outside/],
  ])('rejects %j', (text, message) => {
    const error = shoalErrorFrom(() => parseShardSpec(text));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
