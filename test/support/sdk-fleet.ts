/** In-process SDK clients, each holding the first examples of its IID MNIST shard, started and registered. */
import { ShoalClient, type ShoalClientOptions } from '@shoal/client';
import { loadMnistShard, selectExamples } from '@shoal/data';

export interface SdkFleetOptions {
  count: number;
  examplesPerClient: number;
  namePrefix: string;
  /** Called on each client before it starts, to attach listeners. */
  prepare?: (client: ShoalClient, index: number) => void;
  clientOptions?: Partial<ShoalClientOptions>;
}

export function shardExamples(index: number, count: number, examples: number) {
  return selectExamples(loadMnistShard({ partition: 'iid', shard: { index, count } }), Array.from({ length: examples }, (_, k) => k));
}

export async function startSdkFleet(url: string, options: SdkFleetOptions): Promise<ShoalClient[]> {
  const clients = Array.from({ length: options.count }, (_, i) => {
    const client = new ShoalClient({
      coordinatorUrl: url,
      name: `${options.namePrefix}-${i}`,
      train: shardExamples(i, options.count, options.examplesPerClient),
      ...options.clientOptions,
    });
    options.prepare?.(client, i);
    return client;
  });
  const registered = clients.map((client) => new Promise((resolve) => client.once('registered', resolve)));
  await Promise.all(clients.map((client) => client.start()));
  await Promise.all(registered);
  return clients;
}
