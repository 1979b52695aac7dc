/** FedAvg (McMahan et al. 2017): the example-weighted mean of client deltas, applied with a server learning rate. */
import type { FitConfig } from '@shoal/protocol';
import { FederatedStrategy } from './federated-strategy.js';

export interface FedAvgOptions {
  fractionFit: number;
  minFitClients: number;
  maxFitClients?: number;
  fractionEvaluate: number;
  minEvaluateClients: number;
  fit: FitConfig;
  evaluateBatchSize?: number;
  serverLearningRate?: number;
}

/** The FederatedStrategy preset with the streaming weighted mean and plain SGD. */
export class FedAvg extends FederatedStrategy {
  constructor(options: FedAvgOptions) {
    const { serverLearningRate, ...sampling } = options;
    super({ ...sampling, name: 'fedavg', aggregation: { kind: 'mean' }, optimiser: { kind: 'sgd', learningRate: serverLearningRate ?? 1 } });
  }
}
