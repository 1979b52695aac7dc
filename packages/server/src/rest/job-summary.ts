/** Reads what a job's summary needs of its rounds: a count and three newest rounds, bounded whatever the history. */
import type { RoundsPort } from '../store/store.js';
import type { JobRoundSummary } from './views.js';

export function jobRoundSummary(store: Pick<RoundsPort, 'countRounds' | 'latestRound'>, jobId: string): JobRoundSummary {
  return {
    completed: store.countRounds(jobId, 'completed'),
    lastCompleted: store.latestRound(jobId, { status: 'completed' }),
    lastFederated: store.latestRound(jobId, { status: 'completed', metric: 'federatedAccuracy' }),
    lastEpsilon: store.latestRound(jobId, { metric: 'epsilon' }),
  };
}
