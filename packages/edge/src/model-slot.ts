/**
 * Holds the serving model and swaps it without failing in-flight requests: a request pins the version it started
 * with, and a replaced version is released only after its last request has finished.
 */
export interface ServedModel<M> {
  version: string;
  model: M;
}

interface Entry<M> extends ServedModel<M> {
  inFlight: number;
  retired: boolean;
}

export class ModelSlot<M> {
  private current: Entry<M> | undefined;

  constructor(private readonly release: (model: M) => void = () => undefined) {}

  get version(): string | undefined {
    return this.current?.version;
  }

  /** Installs a new version; the old one is released once idle. */
  swap(next: ServedModel<M>): void {
    const previous = this.current;
    this.current = { ...next, inFlight: 0, retired: false };
    if (previous !== undefined) {
      previous.retired = true;
      if (previous.inFlight === 0) this.release(previous.model);
    }
  }

  /** Runs `work` with the version current when it starts, even if a swap happens meanwhile. */
  async use<T>(work: (served: ServedModel<M>) => Promise<T> | T): Promise<T> {
    const entry = this.current;
    if (entry === undefined) throw new Error('no model is being served yet');
    entry.inFlight += 1;
    try {
      return await work(entry);
    } finally {
      entry.inFlight -= 1;
      if (entry.retired && entry.inFlight === 0) this.release(entry.model);
    }
  }
}
