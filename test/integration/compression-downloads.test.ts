/**
 * Compressed downloads against a real coordinator: the full model in the job's download codec, then a delta from
 * the version the client names as its base; the client rebuilds exactly what the coordinator intends, within each
 * codec's documented bound (exact up to float32 rounding for float32).
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, defaultCodecRegistry, readFrameHeader, type CodecSelection } from '@shoal/codec';
import { CoordinatorHttp } from '@shoal/client';
import { ModelSession } from '@shoal/client/testing';
import { RAW_FLEET_ADMIN_TOKEN, maxAbsDifference, useRawFleet } from '../support/raw-fleet.js';
import { downloadBytes, request } from '../support/rest.js';

const codecs = defaultCodecRegistry();
const fleet = useRawFleet();

describe('compressed downloads', () => {
  /** Each codec's bound on |decoded − x| for the elements of one tensor x, given max|x| over the tensor. */
  const downloadCodecs: Array<{ codec: CodecSelection; bound: (x: number, maxAbs: number) => number; label: string }> = [
    { label: 'float32: exact up to float32 rounding', codec: { id: 'float32' }, bound: () => 0 },
    { label: 'float16: within 2^-11 of each delta value', codec: { id: 'float16' }, bound: (x) => Math.abs(x) * 2 ** -11 + 2 ** -25 },
    { label: 'int8: within half a step of max|delta|/127', codec: { id: 'int8' }, bound: (_x, maxAbs) => maxAbs / 254 },
    { label: 'qsgd 4-bit: within one step 2·max|delta|/15', codec: { id: 'qsgd', params: { bits: 4 } }, bound: (_x, maxAbs) => (2 * maxAbs) / 15 },
  ];

  for (const { label, codec, bound } of downloadCodecs) {
    it(`sends the full model, then a delta from the client's base; the client rebuilds what the coordinator intends — ${label}`, async () => {
      // Updates of about 1e-3, as in training: the model moves far less per round than the size of its weights.
      const job = await fleet().train({ name: `download-${codec.id}`, rounds: 2, uploadCodec: { id: 'float32' }, downloadCodec: codec }, (round, c) => (i, t) => 0.001 * round * (c + 1) * Math.sin(i + t));
      const http = new CoordinatorHttp(fleet().url);
      http.setAccessToken(RAW_FLEET_ADMIN_TOKEN);
      const session = new ModelSession(http, codecs);
      const weightsUrl = (version: number) => `/api/v1/jobs/${job.id}/models/${version}/weights`;

      const anchor = (await session.load(job.id, 0, `/api/v1/jobs/${job.id}/model.json`, weightsUrl(0))).global;
      const loaded = await session.load(job.id, 2, `/api/v1/jobs/${job.id}/model.json`, weightsUrl(2));
      const deltaFrame = await downloadBytes(`${fleet().url}${weightsUrl(2)}?base=0`);
      const fullFrame = await downloadBytes(`${fleet().url}${weightsUrl(2)}`);

      // What the coordinator intends: the anchor plus the decoded delta, in float32.
      expect(readFrameHeader(deltaFrame)).toMatchObject({ kind: 'delta', codec: { id: codec.id } });
      expect(loaded.anchor?.version).toBe(0);
      const decodedDelta = decodeFrame(deltaFrame).tensors;
      const intended = anchor.map((tensor, t) => Float32Array.from(tensor.values, (value, i) => value + decodedDelta[t]!.values[i]!));
      expect(loaded.global.map((tensor) => tensor.values)).toEqual(intended);
      // Within the codec's bound of the true version 2, applied to the delta (W2 − anchor), plus float32 rounding.
      const truth = fleet().storedWeights(job, 2);
      const outside = truth.flatMap((tensor, t) => {
        const delta = Float32Array.from(tensor.values, (w, i) => w - anchor[t]!.values[i]!);
        const maxAbs = delta.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
        const rounding = (i: number) => 2 ** -23 * (Math.abs(tensor.values[i]!) + Math.abs(anchor[t]!.values[i]!));
        return Array.from(tensor.values).filter((w, i) => Math.abs(loaded.global[t]!.values[i]! - w) > bound(delta[i]!, maxAbs) + rounding(i));
      });
      expect(outside).toEqual([]);
      const fullError = maxAbsDifference(decodeFrame(fullFrame).tensors, truth);
      const deltaError = maxAbsDifference(loaded.global, truth);
      if (codec.id === 'float32') expect(fullError).toBe(0);
      else expect(deltaError).toBeLessThan(fullError / 4);
      session.dispose();
    });
  }

  it('serves the full model for a base it cannot use and refuses a malformed base', async () => {
    const job = fleet().coordinator.store.listJobs().find((candidate) => candidate.name === 'download-int8')!;
    const kindOf = async (query: string) => readFrameHeader(await downloadBytes(`${fleet().url}/api/v1/jobs/${job.id}/models/1/weights${query}`)).kind;

    expect([await kindOf(''), await kindOf('?base=0'), await kindOf('?base=1'), await kindOf('?base=2'), await kindOf('?base=99')]).toEqual(['weights', 'delta', 'weights', 'weights', 'weights']);
    const malformed = await request<{ error: { code: string } }>(`${fleet().url}/api/v1/jobs/${job.id}/models/1/weights?base=-1`);
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('refuses a sparse download codec when the job is created', async () => {
    const error = await fleet().coordinator.jobs.create({ name: 'x', model: { preset: 'mnist-2nn' }, rounds: 1, downloadCodec: { id: 'topk', params: { fraction: 0.1 } } }).catch((e: Error & { code?: string }) => e);

    expect((error as Error & { code?: string }).code).toBe('VALIDATION_FAILED');
    expect((error as Error).message).toMatch(/downloadCodec .*sparse/);
  });
});

