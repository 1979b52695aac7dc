import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import type { NamedTensor } from '@shoal/protocol';
import { ClientStateStore } from './client-state.js';
import { ErrorFeedback, RESIDUAL_FILE, parseResidualFile, residualFileBytes } from './error-feedback.js';

const codecs = defaultCodecRegistry();
const root = mkdtempSync(join(tmpdir(), 'shoal-ef-'));
let directories = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

function update(...values: number[][]): NamedTensor[] {
  return values.map((tensor, t) => ({ name: `t${t}`, shape: [tensor.length], values: Float32Array.from(tensor) }));
}

function setup(): { store: ClientStateStore; warnings: string[]; feedback: () => ErrorFeedback } {
  const store = new ClientStateStore(join(root, `agent-${directories++}`));
  const warnings: string[] = [];
  return { store, warnings, feedback: () => new ErrorFeedback(codecs, store, (message) => warnings.push(message)) };
}

const TOPK = { id: 'topk', params: { fraction: 0.25 } };

describe('ErrorFeedback', () => {
  it('keeps what top-k dropped and adds it to the next update', () => {
    const { feedback } = setup();
    const ef = feedback();
    const first = ef.compensate('job-a', update([4, 1, -2, 0.5]));
    const frame = encodeFrame('delta', first, TOPK, codecs);

    ef.commit('job-a', first, frame);
    const second = ef.compensate('job-a', update([0, 0, 0, 1]));

    // Top-k kept 4; the residual is [0, 1, -2, 0.5], added into the next update.
    expect(Array.from(second[0]!.values)).toEqual([0, 1, -2, 1.5]);
  });

  it('adds up, over rounds, to exactly the sum of the updates: nothing is lost, only delayed', () => {
    const { feedback } = setup();
    const ef = feedback();
    const updates = [[3, 1, 0.5, -0.25], [0.5, -2, 1, 0], [1, 1, 1, 1]];
    const sent = new Float32Array(4);
    let residual: Float32Array = new Float32Array(4);

    for (const values of updates) {
      const corrected = ef.compensate('job-a', update(values));
      const frame = encodeFrame('delta', corrected, TOPK, codecs);
      decodeFrame(frame).tensors[0]!.values.forEach((value, i) => (sent[i]! += value));
      ef.commit('job-a', corrected, frame);
      residual = corrected[0]!.values;
    }

    const total = [4.5, 0, 2.5, 0.75];
    expect(Array.from(sent, (value, i) => value + residual[i]!)).toEqual(total);
  });

  it('stores the residual on the device, owner-only, and a restarted agent picks it up for the same job', () => {
    const { store, feedback, warnings } = setup();
    const before = feedback();
    const corrected = before.compensate('job-a', update([4, 1, -2, 0.5]));
    before.commit('job-a', corrected, encodeFrame('delta', corrected, TOPK, codecs));

    const restarted = feedback().compensate('job-a', update([0, 0, 0, 0]));

    expect(statSync(store.pathOf(RESIDUAL_FILE)).mode & 0o777).toBe(0o600);
    expect(Array.from(restarted[0]!.values)).toEqual([0, 1, -2, 0.5]);
    expect(warnings).toEqual([]);
  });

  it('starts from zero, silently, for another job', () => {
    const { store, feedback, warnings } = setup();
    store.writeFile(RESIDUAL_FILE, residualFileBytes('job-a', update([1, 2]), codecs));

    const other = feedback().compensate('job-b', update([5, 5]));

    expect(Array.from(other[0]!.values)).toEqual([5, 5]);
    expect(warnings).toEqual([]);
    expect(parseResidualFile(store.readFile(RESIDUAL_FILE)!, 'job-b', update([0, 0]), codecs)).toBeUndefined();
  });

  it('ignores a corrupt, truncated or mismatched residual file with a warning instead of failing', () => {
    const valid = residualFileBytes('job-a', update([1, 2, 3]), codecs);
    const nan = valid.slice();
    nan.set([0x00, 0x00, 0xc0, 0x7f], nan.length - 4);
    const files: Array<[string, Uint8Array]> = [
      ['garbage', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])],
      ['truncated', valid.subarray(0, valid.length - 3)],
      ['NaN inside', nan],
      ['another model shape', residualFileBytes('job-a', update([1, 2]), codecs)],
    ];

    const outcomes = files.map(([label, bytes]) => {
      const { store, feedback, warnings } = setup();
      writeFileSync(store.pathOf(RESIDUAL_FILE), bytes);
      const result = feedback().compensate('job-a', update([7, 7, 7]));
      return `${label}: ${Array.from(result[0]!.values).join(',')} ${warnings.length === 1 && /ignoring the error-feedback residual/.test(warnings[0]!) ? 'warned' : warnings.join('|')}`;
    });

    expect(outcomes).toEqual(files.map(([label]) => `${label}: 7,7,7 warned`));
  });

  it('keeps the residual in memory only when the agent has no state directory', () => {
    const ef = new ErrorFeedback(codecs, undefined, () => undefined);
    const corrected = ef.compensate('job-a', update([4, 1]));
    ef.commit('job-a', corrected, encodeFrame('delta', corrected, { id: 'topk', params: { fraction: 0.5 } }, codecs));

    expect(Array.from(ef.compensate('job-a', update([0, 0]))[0]!.values)).toEqual([0, 1]);
  });
});
