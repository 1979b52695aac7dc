/**
 * Label-skewed partition: for every class, the share each client gets of that class's examples is drawn from
 * Dirichlet(alpha) (Hsu et al. 2019). Small alpha gives clients few dominant labels; large alpha approaches IID.
 */
import { ShoalError } from '@shoal/protocol';
import { largestRemainder, sampleDirichlet } from './dirichlet.js';
import { assertClientCount, type Partition } from './partition.js';
import { createRng, permutation } from './rng.js';

export interface DirichletOptions {
  /** Concentration, > 0: 0.1 is strongly skewed, 100 is close to IID. */
  alpha: number;
  seed: number;
}

export function assertPositiveNumber(value: number, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ShoalError('VALIDATION_FAILED', `${field} must be a positive finite number, got ${String(value)}`, { details: { field } });
  }
}

/** Moves one example from the largest clients, in turn, to each client left empty, so every client can train. */
export function fillEmptyClients(clients: number[][]): void {
  const empty = clients.filter((client) => client.length === 0);
  if (empty.length === 0) return;
  const donors = [...clients].sort((a, b) => b.length - a.length);
  let next = 0;
  for (const client of empty) {
    while (donors[next % donors.length]!.length < 2) next++;
    client.push(donors[next % donors.length]!.pop()!);
    next++;
  }
}

export function partitionDirichlet(labels: Uint8Array, numClients: number, options: DirichletOptions): Partition {
  if (!(labels instanceof Uint8Array)) throw new ShoalError('VALIDATION_FAILED', 'labels must be a Uint8Array', { details: { field: 'labels' } });
  assertPositiveNumber(options.alpha, 'alpha');
  assertClientCount(numClients, labels.length);
  const rng = createRng(options.seed).fork('partition-dirichlet');
  const order = permutation(rng.fork('order'), labels.length);
  const byLabel = new Map<number, number[]>();
  for (const index of order) {
    const label = labels[index]!;
    let group = byLabel.get(label);
    if (group === undefined) byLabel.set(label, (group = []));
    group.push(index);
  }
  const clients: number[][] = Array.from({ length: numClients }, () => []);
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const group = byLabel.get(label)!;
    const counts = largestRemainder(group.length, sampleDirichlet(rng.fork(`label-${label}`), options.alpha, numClients));
    let start = 0;
    counts.forEach((count, client) => {
      for (let k = start; k < start + count; k++) clients[client]!.push(group[k]!);
      start += count;
    });
  }
  fillEmptyClients(clients);
  return clients.map((client) => Int32Array.from(client).sort());
}
