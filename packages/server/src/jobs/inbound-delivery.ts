/** Hands a client's message (from this node's socket or forwarded by another node) to the job runner's handler for its kind. */
import type { ForwardedMessage } from './job-cluster.js';
import type { JobRunner } from './job-runner.js';

export function deliver(runner: JobRunner, message: ForwardedMessage): void {
  switch (message.kind) {
    case 'fit:result':
      return runner.handleFitResult(message.clientId, message.result, message.update);
    case 'fit:failure':
      return runner.handleFitFailure(message.clientId, message.failure.round, message.failure.error.code, message.failure.error.message);
    case 'evaluate:result':
      return runner.handleEvaluateResult(message.clientId, message.result);
    case 'secagg':
      return runner.handleSecureAggregation(message.clientId, message.inbound);
  }
}
