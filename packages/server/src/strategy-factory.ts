/** Maps a job's strategy choice to a Strategy instance. */
import { FedAvg, type Strategy } from '@shoal/strategy';
import { ShoalError } from '@shoal/protocol';
import type { JobConfig } from './job-config.js';

export function createStrategy(config: JobConfig): Strategy {
  switch (config.strategy.name) {
    case 'fedavg':
      return new FedAvg({
        fractionFit: config.fractionFit,
        minFitClients: config.minFitClients,
        fractionEvaluate: config.fractionEvaluate,
        minEvaluateClients: config.minEvaluateClients,
        fit: { localEpochs: config.localEpochs, batchSize: config.batchSize, learningRate: config.learningRate },
        serverLearningRate: config.strategy.serverLearningRate,
      });
    default:
      throw new ShoalError('VALIDATION_FAILED', `unknown strategy '${String(config.strategy.name)}'`);
  }
}
