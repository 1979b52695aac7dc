/**
 * Online learning on the device: newly labelled examples are validated, kept in a bounded store and trained on in
 * later rounds together with the client's data set; a label for an example the served model predicted also counts
 * towards on-device accuracy in telemetry.
 */
import type { LabeledExamples } from '@shoal/data';
import type { ClientStateStore } from './client-state.js';
import { LabelledSampleStore, assertClassLabel, type EvictionPolicy } from './labelled-sample-store.js';
import { flattenExample } from './serving-input.js';
import type { ServingService } from './serving-service.js';

export interface OnlineLearningOptions {
  /** Most labelled samples kept (default 5,000). */
  capacity?: number;
  /** What a full store drops: 'fifo' (the oldest, default) or 'reservoir' (a uniform sample of all seen). */
  eviction?: EvictionPolicy;
}

export interface LabelledSampleReceipt {
  /** False when reservoir sampling declined the sample. */
  stored: boolean;
  /** True when the label matched a recent served prediction and was counted into on-device accuracy. */
  countedPrediction: boolean;
}

/**
 * The samples first, then the data set: a round capped by `maxExamples` trains on the first examples, so it still
 * sees what the device learned most recently.
 */
export function withLabelledSamples(samples: LabeledExamples, data: LabeledExamples): LabeledExamples {
  if (samples.count === 0) return data;
  const features = new Float32Array(samples.features.length + data.features.length);
  features.set(samples.features);
  features.set(data.features, samples.features.length);
  const labels = new Uint8Array(samples.count + data.count);
  labels.set(samples.labels);
  labels.set(data.labels, samples.count);
  return { features, labels, count: samples.count + data.count, featureShape: [...data.featureShape], numClasses: data.numClasses };
}

export class OnlineLearning {
  private readonly store: LabelledSampleStore;
  private cached: { revision: number; examples: LabeledExamples } | undefined;

  constructor(
    private readonly data: LabeledExamples,
    private readonly serving: Pick<ServingService, 'recordLabel'>,
    options: OnlineLearningOptions & { state?: ClientStateStore | undefined } = {},
  ) {
    this.store = new LabelledSampleStore({ featureShape: data.featureShape, numClasses: data.numClasses, ...options });
  }

  get count(): number {
    return this.store.count;
  }

  /** Validates and keeps one labelled example: `input` as for predict, `label` a class index. */
  add(input: unknown, label: unknown, options: { predictionId?: string } = {}): LabelledSampleReceipt {
    const features = flattenExample(input, this.data.featureShape);
    assertClassLabel(label, this.data.numClasses);
    const stored = this.store.add(features, label);
    const countedPrediction = options.predictionId !== undefined && this.serving.recordLabel(options.predictionId, label);
    return { stored, countedPrediction };
  }

  /** What a round trains on: the stored samples, then the data set; rebuilt only after the store changed. */
  trainingExamples(): LabeledExamples {
    if (this.cached?.revision !== this.store.revision) {
      this.cached = { revision: this.store.revision, examples: withLabelledSamples(this.store.examples(), this.data) };
    }
    return this.cached.examples;
  }

  /** Persists pending samples now (the store otherwise writes at most once a second). */
  flush(): void {
    this.store.flush();
  }
}
