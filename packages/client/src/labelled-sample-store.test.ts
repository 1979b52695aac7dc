import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientStateStore } from './client-state.js';
import { LABELLED_SAMPLES_FILE, LabelledSampleStore } from './labelled-sample-store.js';
import { withLabelledSamples } from './online-learning.js';
import { refusalOf } from './testing/refusal.js';

const root = mkdtempSync(join(tmpdir(), 'shoal-samples-'));
let directories = 0;
const freshState = () => new ClientStateStore(join(root, `state-${directories++}`));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Sample k: 3 values k, k + 0.25, k + 0.5, and label k mod 4. */
const sample = (k: number) => Float32Array.of(k, k + 0.25, k + 0.5);
const offer = (store: LabelledSampleStore, from: number, to: number) => {
  for (let k = from; k < to; k++) store.add(sample(k), k % 4);
};
const firstValues = (store: LabelledSampleStore) => Array.from({ length: store.count }, (_, i) => store.examples().features[i * 3]);
const options = { featureShape: [3], numClasses: 4 };

describe('labelled sample store', async () => {
  it('fifo keeps the newest samples up to its capacity, oldest first', async () => {
    const store = new LabelledSampleStore({ ...options, capacity: 4 });
    offer(store, 0, 3);
    expect(firstValues(store)).toEqual([0, 1, 2]);
    offer(store, 3, 10);
    expect(store.count).toBe(4);
    expect(firstValues(store)).toEqual([6, 7, 8, 9]);
    expect(Array.from(store.examples().labels)).toEqual([2, 3, 0, 1]);
    expect(store.examples()).toMatchObject({ count: 4, featureShape: [3], numClasses: 4 });
  });

  it('reservoir keeps a uniform sample of everything offered', async () => {
    // Seeded uniform numbers, so the test is repeatable.
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const kept = new Array<number>(100).fill(0);
    for (let trial = 0; trial < 400; trial++) {
      const store = new LabelledSampleStore({ ...options, capacity: 10, eviction: 'reservoir', random });
      offer(store, 0, 100);
      expect(store.count).toBe(10);
      for (const value of firstValues(store)) kept[value!]! += 1;
    }
    // Each of the 100 samples is kept with probability 10/100: 40 of 400 trials expected, per decile of arrival.
    for (let decile = 0; decile < 10; decile++) {
      const perSample = kept.slice(decile * 10, decile * 10 + 10).reduce((a, b) => a + b, 0) / 10;
      expect(perSample).toBeGreaterThan(30);
      expect(perSample).toBeLessThan(50);
    }
  });

  it('persists atomically in the state directory and loads the samples back in order', async () => {
    const state = freshState();
    const store = new LabelledSampleStore({ ...options, capacity: 4, state });
    offer(store, 0, 6);
    expect(state.readFile(LABELLED_SAMPLES_FILE)).toBeUndefined(); // writes are batched
    store.flush();
    const path = state.pathOf(LABELLED_SAMPLES_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Compact: a 24-byte header, 4 labels, 4 × 3 float32 and a checksum.
    expect(statSync(path).size).toBe(24 + 4 + 48 + 4);

    const reloaded = new LabelledSampleStore({ ...options, capacity: 4, state });
    expect(firstValues(reloaded)).toEqual([2, 3, 4, 5]);
    expect(reloaded.examples()).toEqual(store.examples());
    // It carries on evicting the oldest after a restart.
    offer(reloaded, 6, 7);
    expect(firstValues(reloaded)).toEqual([3, 4, 5, 6]);
    // A smaller capacity keeps the newest samples.
    expect(firstValues(new LabelledSampleStore({ ...options, capacity: 2, state }))).toEqual([4, 5]);
  });

  it('refuses a damaged, truncated or foreign file with an error naming it, and never half-loads it', async () => {
    const state = freshState();
    const store = new LabelledSampleStore({ ...options, capacity: 4, state });
    offer(store, 0, 3);
    store.flush();
    const path = state.pathOf(LABELLED_SAMPLES_FILE);
    const good = readFileSync(path);
    const load = () => new LabelledSampleStore({ ...options, capacity: 4, state });

    const flipped = Buffer.from(good);
    flipped[40] = flipped[40]! ^ 0x01;
    writeFileSync(path, flipped);
    expect(await refusalOf(load)).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/labelled sample file .*labelled-samples\.bin is unusable: its checksum does not match/) });
    writeFileSync(path, good.subarray(0, good.length - 5));
    expect((await refusalOf(load)).message).toMatch(/checksum does not match/);
    writeFileSync(path, good.subarray(0, 10));
    expect((await refusalOf(load)).message).toMatch(/fewer than a header/);
    writeFileSync(path, Buffer.concat([Buffer.from('JUNK'), good.subarray(4)]));
    expect((await refusalOf(load)).message).toMatch(/does not start with 'SHLS'/);
    writeFileSync(path, good);
    expect((await refusalOf(() => new LabelledSampleStore({ featureShape: [5], numClasses: 4, state }))).message).toMatch(/holds samples of 3 values and 4 classes; this client's data has 5 and 4/);
    expect(load().count).toBe(3);
  });

  it('validates its options and each sample', async () => {
    expect((await refusalOf(() => new LabelledSampleStore({ ...options, capacity: 0 }))).message).toMatch(/capacity must be a positive integer/);
    expect((await refusalOf(() => new LabelledSampleStore({ ...options, eviction: 'lru' as 'fifo' }))).message).toMatch(/eviction must be 'fifo' or 'reservoir'/);
    const store = new LabelledSampleStore(options);
    expect((await refusalOf(() => store.add(Float32Array.of(1, 2), 0))).code).toBe('SHAPE_MISMATCH');
    expect((await refusalOf(() => store.add(sample(1), 4))).message).toMatch(/label must be an integer class in \[0, 4\)/);
    expect(store.count).toBe(0);
  });

  it('puts the labelled samples before the data set for training', async () => {
    const store = new LabelledSampleStore({ ...options, capacity: 4 });
    offer(store, 7, 9);
    const data = { features: Float32Array.of(0, 0, 0, 1, 1, 1), labels: Uint8Array.of(0, 1), count: 2, featureShape: [3], numClasses: 4 };
    const merged = withLabelledSamples(store.examples(), data);
    expect(merged.count).toBe(4);
    expect(Array.from(merged.labels)).toEqual([3, 0, 0, 1]);
    expect(Array.from(merged.features.subarray(0, 3))).toEqual([7, 7.25, 7.5]);
    expect(withLabelledSamples(new LabelledSampleStore(options).examples(), data)).toBe(data);
  });
});
