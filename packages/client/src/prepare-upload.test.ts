import { describe, expect, it } from 'vitest';
import { decodeFrame, defaultCodecRegistry } from '@shoal/codec';
import { createRng } from '@shoal/data';
import { gaussianSampler, l2Norm } from '@shoal/privacy';
import type { CodecChoice, FitConfig, FitTask, NamedTensor } from '@shoal/protocol';
import { ErrorFeedback } from './error-feedback.js';
import { prepareUpload, type UploadTools } from './prepare-upload.js';

const codecs = defaultCodecRegistry();
const SIZES = [15_000, 5_000];
const P = SIZES.reduce((a, b) => a + b, 0);
const TOPK: CodecChoice = { id: 'topk', params: { fraction: 0.01 } };
const FLOAT32: CodecChoice = { id: 'float32' };
/**
 * ‖n‖ for n ~ N(0, σ²·I_P) exceeds σ·(√P + √(2t)) with probability at most e^(−t) (Gaussian concentration of the
 * 1-Lipschitz norm); t = ln 10⁹ makes a failure a one-in-a-billion event per round. The noise here is seeded anyway.
 */
const noiseBound = (stddev: number) => stddev * (Math.sqrt(P) + Math.sqrt(2 * Math.log(1e9)));

function fitTask(round: number, config: Partial<FitConfig>, uploadCodec: CodecChoice, errorFeedback = true): FitTask {
  return {
    taskId: `task-${round}`,
    jobId: 'job-a',
    round,
    modelVersion: round - 1,
    modelUrl: '/model.json',
    weightsUrl: '/weights',
    deadlineAt: 0,
    config: { localEpochs: 1, batchSize: 10, learningRate: 0.1, ...config },
    uploadCodec,
    errorFeedback,
  };
}

/** Updates far outside the bounds and mostly in one direction, so what top-k drops piles up in the residual. */
function trainedDeltas(rounds: number): NamedTensor[][] {
  const rng = createRng(7);
  const direction = SIZES.map((size) => Float32Array.from({ length: size }, () => rng.normal()));
  return Array.from({ length: rounds }, () =>
    SIZES.map((size, t) => ({ name: `t${t}`, shape: [size], values: Float32Array.from({ length: size }, (_, i) => 0.3 * direction[t]![i]! + 0.1 * rng.normal()) })),
  );
}

function tools(): UploadTools {
  const rng = createRng(11);
  return { codecs, errorFeedback: new ErrorFeedback(codecs, undefined, () => undefined), normal: gaussianSampler(() => rng.next() || 0.5) };
}

function norm(tensors: readonly NamedTensor[]): number {
  return l2Norm(tensors.map((tensor) => tensor.values));
}

/** The residual error feedback would add next: compensating zeros reads it without changing it. */
function residualNorm(feedback: ErrorFeedback): number {
  return norm(feedback.compensate('job-a', SIZES.map((size, t) => ({ name: `t${t}`, shape: [size], values: new Float32Array(size) }))));
}

/** Runs the rounds through prepare → decode → accept and returns the decoded upload norms and residual norms. */
function runRounds(config: Partial<FitConfig>, codec: CodecChoice, using = tools()): { uploads: number[]; residuals: number[] } {
  const uploads: number[] = [];
  const residuals: number[] = [];
  trainedDeltas(12).forEach((delta, r) => {
    const prepared = prepareUpload(fitTask(r + 1, config, codec), delta, using);
    uploads.push(norm(decodeFrame(prepared.frame, { registry: codecs }).tensors));
    prepared.commitResidual();
    residuals.push(residualNorm(using.errorFeedback));
  });
  return { uploads, residuals };
}

describe('prepareUpload', () => {
  it('keeps every upload of top-k 1% with error feedback and client DP within clipNorm + the noise bound', () => {
    const privacy = { clipNorm: 1, noiseStddev: 0.001 };

    const { uploads, residuals } = runRounds({ privacy }, TOPK);

    // decode(topk(x + n)) keeps some entries of x + n, so its norm is at most ‖x‖ + ‖n‖ ≤ clipNorm + ‖n‖. With the
    // residual added after the clip and the noise, as before, the same rounds exceed this bound from the 6th on.
    for (const upload of uploads) expect(upload).toBeLessThanOrEqual((privacy.clipNorm + noiseBound(privacy.noiseStddev)) * (1 + 1e-6));
    // Error feedback is at work, and its residual is the compression error of a clipped update: at most clipNorm.
    for (const residual of residuals) {
      expect(residual).toBeGreaterThan(0.5);
      expect(residual).toBeLessThanOrEqual(privacy.clipNorm * (1 + 1e-6));
    }
  });

  it('keeps every upload within updateClipNorm without DP, for a lossless codec and for top-k with error feedback', () => {
    const updateClipNorm = 2;

    const lossless = runRounds({ updateClipNorm }, FLOAT32);
    const sparse = runRounds({ updateClipNorm }, TOPK);

    for (const upload of lossless.uploads) expect(upload).toBeLessThanOrEqual(updateClipNorm + 1e-6);
    for (const upload of sparse.uploads) expect(upload).toBeLessThanOrEqual(updateClipNorm * (1 + 1e-6));
    expect(Math.max(...sparse.residuals)).toBeGreaterThan(1);
    expect(Math.max(...lossless.residuals)).toBe(0);
  });

  it('applies the tighter of updateClipNorm and privacy.clipNorm', () => {
    const { uploads } = runRounds({ updateClipNorm: 0.5, privacy: { clipNorm: 3, noiseStddev: 0 } }, FLOAT32);

    for (const upload of uploads) expect(upload).toBeCloseTo(0.5, 5);
  });

  it('never puts the noise into the residual: with a lossless codec it stays zero under DP', () => {
    const { uploads, residuals } = runRounds({ privacy: { clipNorm: 1, noiseStddev: 0.01 } }, FLOAT32);

    expect(residuals.every((residual) => residual === 0)).toBe(true);
    expect(uploads[0]).toBeGreaterThan(1); // the noise was sent
  });

  it('keeps the residual only once accepted, and none without error feedback', () => {
    const using = tools();
    const [first, second] = trainedDeltas(2);

    prepareUpload(fitTask(1, { updateClipNorm: 1 }, TOPK), first!, using); // refused: the residual is never committed
    const before = residualNorm(using.errorFeedback);
    prepareUpload(fitTask(2, { updateClipNorm: 1 }, TOPK, false), second!, using).commitResidual();

    expect(before).toBe(0);
    expect(residualNorm(using.errorFeedback)).toBe(0);
  });
});
