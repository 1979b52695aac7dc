/**
 * The frame of a plain upload, and what error feedback keeps of it. The update passes each step once, in this order:
 *
 *   Δ = trained − global → Δ + e (the error-feedback residual) → x = clip(Δ + e) to updateClipNorm and privacy.clipNorm
 *   → x + noise → encode.
 *
 * The rule that keeps the bound: the residual goes in before the clip, so what is uploaded is encode(clip(Δ + e) + noise)
 * whatever e holds, and the new residual is the compression error of the clipped update before noise,
 * e' = x − decode(encode(x)). It never holds noise: x − decode(upload) would subtract this round's noise from the next
 * round's update (cancelling the privacy noise over rounds), and (x + noise) − decode(upload) would pile up the noise
 * that compression dropped until it crowded the update out of the clip. What the clip cuts off is not carried either,
 * or the bound would only delay the excess. Without noise, encode(x) is the upload itself.
 */
import type { FitTask, NamedTensor } from '@shoal/protocol';
import { encodeFrame, type CodecRegistry } from '@shoal/codec';
import { addsNoise, clipUpdate, noiseUpdate } from './bound-update.js';
import type { ErrorFeedback } from './error-feedback.js';

export interface UploadTools {
  codecs: CodecRegistry;
  errorFeedback: ErrorFeedback;
  /** The Gaussian source of the DP noise; tests pass a seeded one. */
  normal?: () => number;
}

export interface PreparedUpload {
  frame: Uint8Array;
  /** Once the coordinator accepted the frame: moves the residual on (a refused upload was never applied). */
  commitResidual(): void;
}

/** Builds the frame from `delta`, which it takes over and changes in place. */
export function prepareUpload(task: FitTask, delta: NamedTensor[], tools: UploadTools): PreparedUpload {
  const codec = { id: task.uploadCodec.id, params: task.uploadCodec.params ?? {} };
  const feedback = task.errorFeedback === true;
  if (feedback) tools.errorFeedback.compensate(task.jobId, delta);
  clipUpdate(delta, task.config);
  const noisy = addsNoise(task.config);
  // With noise, the clipped update is kept apart: the residual is computed from it, not from what is sent.
  const clipped = feedback && noisy ? delta.map((tensor) => ({ ...tensor, values: tensor.values.slice() })) : undefined;
  noiseUpdate(delta, task.config, tools.normal);
  const frame = encodeFrame('delta', delta, codec, tools.codecs);
  return {
    frame,
    commitResidual: () => {
      if (!feedback) return;
      if (clipped === undefined) tools.errorFeedback.commit(task.jobId, delta, frame);
      else tools.errorFeedback.commit(task.jobId, clipped, encodeFrame('delta', clipped, codec, tools.codecs));
    },
  };
}
