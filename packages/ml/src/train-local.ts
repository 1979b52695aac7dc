/**
 * One client's local training: plain SGD on categorical cross-entropy, optionally with FedProx's proximal term,
 * yielding to the event loop between batches.
 */
import * as tf from '@tensorflow/tfjs';
import { ShoalError } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import { assertSoftmaxClassifier } from './classifier.js';
import { yieldToEventLoop } from './event-loop.js';
import { assertExamplesFit, assertPositiveInteger, makeBatch } from './examples.js';
import { MAX_PROXIMAL_STEP, ProximalTerm } from './proximal-term.js';
import { seededRandom, shuffledIndices } from './seeded-order.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds the per-epoch shuffle; without it the order is random. */
  seed?: number;
  /** Train on at most this many examples: the first ones of `data`. */
  maxExamples?: number;
  /**
   * FedProx's μ: adds μ/2·‖w − w_global‖² to the loss, w_global being the model's weights when this call starts.
   * 0 or absent trains exactly as without it.
   */
  proximalMu?: number;
}

export interface TrainResult {
  /** Mean loss and accuracy over the last epoch, measured on each batch before its update. */
  loss: number;
  accuracy: number;
  numExamples: number;
  durationMs: number;
}

function validateOptions(options: TrainOptions): void {
  if (typeof options !== 'object' || options === null) throw new ShoalError('VALIDATION_FAILED', 'Training options are required');
  assertPositiveInteger(options.epochs, 'epochs');
  assertPositiveInteger(options.batchSize, 'batchSize');
  if (typeof options.learningRate !== 'number' || !Number.isFinite(options.learningRate) || options.learningRate <= 0) {
    throw new ShoalError('VALIDATION_FAILED', `learningRate must be a positive finite number, got ${String(options.learningRate)}`);
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new ShoalError('VALIDATION_FAILED', `seed must be an integer, got ${String(options.seed)}`);
  }
  if (options.maxExamples !== undefined) assertPositiveInteger(options.maxExamples, 'maxExamples');
  const mu = options.proximalMu;
  if (mu !== undefined && (typeof mu !== 'number' || !Number.isFinite(mu) || mu < 0)) {
    throw new ShoalError('VALIDATION_FAILED', `proximalMu must be a non-negative finite number, got ${String(mu)}`);
  }
  if (mu !== undefined && options.learningRate * mu >= MAX_PROXIMAL_STEP) {
    throw new ShoalError(
      'VALIDATION_FAILED',
      `learningRate · proximalMu is ${options.learningRate * mu}; SGD on the proximal term diverges unless it is below ${MAX_PROXIMAL_STEP}`,
    );
  }
}

export async function trainLocal(model: tf.LayersModel, data: LabeledExamples, options: TrainOptions): Promise<TrainResult> {
  validateOptions(options);
  const shape = assertSoftmaxClassifier(model);
  assertExamplesFit(data, shape);
  const numExamples = Math.min(data.count, options.maxExamples ?? data.count);
  if (numExamples === 0) throw new ShoalError('VALIDATION_FAILED', 'There are no examples to train on');

  // A fresh optimizer per call: the learning rate may change between rounds, and SGD carries no state worth keeping.
  const optimizer = tf.train.sgd(options.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const proximal = (options.proximalMu ?? 0) > 0 ? ProximalTerm.anchoredAt(model, options.proximalMu!, options.learningRate) : undefined;
  const started = performance.now();
  let loss = Number.NaN;
  let accuracy = Number.NaN;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = shuffledIndices(numExamples, random);
      let lossSum = 0;
      let accuracySum = 0;
      for (let start = 0; start < numExamples; start += options.batchSize) {
        const batch = makeBatch(data, shape, order, start, Math.min(start + options.batchSize, numExamples));
        try {
          const optimize = async () => (await model.trainOnBatch(batch.inputs, batch.targets)) as number[];
          // The reported loss is the data loss alone, without the proximal term, so it compares across μ.
          const [batchLoss, batchAccuracy] = await (proximal?.around(optimize) ?? optimize());
          lossSum += batchLoss! * batch.size;
          accuracySum += batchAccuracy! * batch.size;
        } finally {
          batch.inputs.dispose();
          batch.targets.dispose();
        }
        await yieldToEventLoop();
      }
      loss = lossSum / numExamples;
      accuracy = accuracySum / numExamples;
    }
  } finally {
    optimizer.dispose();
    proximal?.dispose();
  }
  return { loss, accuracy, numExamples, durationMs: performance.now() - started };
}
