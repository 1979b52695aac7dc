/** Collects single predictions into batches of up to maxBatch, waiting at most maxWaitMs, for throughput. */
import { ShoalError } from '@shoal/protocol';

interface Pending<TIn, TOut> {
  input: TIn;
  resolve: (output: TOut) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<TIn, TOut> {
  private queue: Pending<TIn, TOut>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runBatch: (inputs: TIn[]) => Promise<TOut[]> | TOut[],
    private readonly options: { maxBatch: number; maxWaitMs: number },
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new ShoalError('VALIDATION_FAILED', 'maxBatch must be an integer >= 1');
    if (!(options.maxWaitMs >= 0)) throw new ShoalError('VALIDATION_FAILED', 'maxWaitMs must be >= 0');
  }

  submit(input: TIn): Promise<TOut> {
    return new Promise<TOut>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.options.maxBatch);
    if (this.queue.length > 0) this.timer = setTimeout(() => this.flush(), 0);
    if (batch.length === 0) return;
    Promise.resolve()
      .then(() => this.runBatch(batch.map((item) => item.input)))
      .then(
        (outputs) => {
          if (outputs.length !== batch.length) throw new Error(`batch returned ${outputs.length} outputs for ${batch.length} inputs`);
          batch.forEach((item, i) => item.resolve(outputs[i]!));
        },
        (error: unknown) => batch.forEach((item) => item.reject(error)),
      )
      .catch((error: unknown) => batch.forEach((item) => item.reject(error)));
  }
}
