/**
 * Newly labelled samples kept on the device for later training rounds (online learning), in bounded memory and
 * persisted in the state directory. When full, the eviction policy decides what goes:
 * - `fifo` (default): the oldest sample, so training follows what the device sees now;
 * - `reservoir`: a uniform random sample of everything ever offered (Vitter's algorithm R), so old conditions are
 *   not forgotten; a new sample replaces a random one with probability capacity / seen.
 */
import { ShoalError } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import type { ClientStateStore } from './client-state.js';
import { decodeLabelledSamples, encodeLabelledSamples } from './labelled-sample-file.js';

export const LABELLED_SAMPLES_FILE = 'labelled-samples.bin';
export const DEFAULT_SAMPLE_CAPACITY = 5_000;

export type EvictionPolicy = 'fifo' | 'reservoir';

export interface LabelledSampleStoreOptions {
  featureShape: number[];
  numClasses: number;
  /** Most samples kept (default 5,000). */
  capacity?: number;
  eviction?: EvictionPolicy;
  /** Where the samples persist; in memory only without it. */
  state?: ClientStateStore | undefined;
  /** Writes are batched: at most one per this many ms after a change (default 1,000); flush() writes at once. */
  persistDelayMs?: number;
  /** Uniform [0, 1) numbers for reservoir sampling (default Math.random). */
  random?: () => number;
}

/** Refuses anything but an integer class index below numClasses. */
export function assertClassLabel(label: unknown, numClasses: number): asserts label is number {
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new ShoalError('VALIDATION_FAILED', `label must be an integer class in [0, ${numClasses}), got ${JSON.stringify(label)}`, { details: { field: 'label' } });
  }
}

export class LabelledSampleStore {
  readonly capacity: number;
  readonly eviction: EvictionPolicy;
  private readonly featureSize: number;
  private readonly labels: Uint8Array;
  private readonly features: Float32Array;
  private countValue = 0;
  /** FIFO: the slot the next sample overwrites once full (the oldest). */
  private next = 0;
  private seen = 0;
  private revisionValue = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LabelledSampleStoreOptions) {
    const capacity = options.capacity ?? DEFAULT_SAMPLE_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new ShoalError('VALIDATION_FAILED', `sample capacity must be a positive integer, got ${capacity}`);
    const eviction = options.eviction ?? 'fifo';
    if (eviction !== 'fifo' && eviction !== 'reservoir') throw new ShoalError('VALIDATION_FAILED', `eviction must be 'fifo' or 'reservoir', got '${String(eviction)}'`);
    this.capacity = capacity;
    this.eviction = eviction;
    this.featureSize = options.featureShape.reduce((product, extent) => product * extent, 1);
    this.labels = new Uint8Array(capacity);
    this.features = new Float32Array(capacity * this.featureSize);
    this.load();
  }

  get count(): number {
    return this.countValue;
  }

  /** Changes with every stored sample, so callers can cache what they derive from the store. */
  get revision(): number {
    return this.revisionValue;
  }

  /** Offers one sample (already validated: featureSize finite values, label below numClasses); false when reservoir sampling declined it. */
  add(features: Float32Array, label: number): boolean {
    if (features.length !== this.featureSize) throw new ShoalError('SHAPE_MISMATCH', `a sample has ${this.featureSize} values, got ${features.length}`);
    assertClassLabel(label, this.options.numClasses);
    this.seen += 1;
    const slot = this.slotFor();
    if (slot === undefined) return false;
    this.labels[slot] = label;
    this.features.set(features, slot * this.featureSize);
    this.revisionValue += 1;
    this.schedulePersist();
    return true;
  }

  private slotFor(): number | undefined {
    if (this.countValue < this.capacity) return this.countValue++;
    if (this.eviction === 'fifo') {
      const slot = this.next;
      this.next = (this.next + 1) % this.capacity;
      return slot;
    }
    const pick = Math.floor((this.options.random ?? Math.random)() * this.seen);
    return pick < this.capacity ? pick : undefined;
  }

  /** The samples, oldest first for fifo (slot order for reservoir), as a copy. */
  examples(): LabeledExamples {
    const order = Array.from({ length: this.countValue }, (_, i) => (this.eviction === 'fifo' && this.countValue === this.capacity ? (this.next + i) % this.capacity : i));
    const features = new Float32Array(order.length * this.featureSize);
    const labels = new Uint8Array(order.length);
    order.forEach((slot, i) => {
      features.set(this.features.subarray(slot * this.featureSize, (slot + 1) * this.featureSize), i * this.featureSize);
      labels[i] = this.labels[slot]!;
    });
    return { features, labels, count: order.length, featureShape: [...this.options.featureShape], numClasses: this.options.numClasses };
  }

  /** Writes the samples now (atomically) if anything changed since the last write. */
  flush(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const state = this.options.state;
    if (state === undefined) return;
    const { features, labels } = this.examples();
    state.writeFile(LABELLED_SAMPLES_FILE, encodeLabelledSamples({ featureSize: this.featureSize, numClasses: this.options.numClasses, seen: this.seen, labels, features }));
  }

  private schedulePersist(): void {
    if (this.options.state === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), this.options.persistDelayMs ?? 1_000);
    this.timer.unref();
  }

  /** Loads the file in oldest-first order; with a smaller capacity than it was written with, the newest samples stay. */
  private load(): void {
    const state = this.options.state;
    const bytes = state?.readFile(LABELLED_SAMPLES_FILE);
    if (state === undefined || bytes === undefined) return;
    const stored = decodeLabelledSamples(bytes, { featureSize: this.featureSize, numClasses: this.options.numClasses }, state.pathOf(LABELLED_SAMPLES_FILE));
    const skip = Math.max(0, stored.labels.length - this.capacity);
    this.countValue = stored.labels.length - skip;
    this.labels.set(stored.labels.subarray(skip));
    this.features.set(stored.features.subarray(skip * this.featureSize));
    this.next = 0;
    this.seen = stored.seen;
  }
}
