/** The strategy_states table on PostgreSQL: a strategy's state per model version, in the layout store/strategy-state-records.ts defines. */
import type { StrategyState } from '@shoal/strategy';
import { decodeStrategyState, encodeStrategyState } from '../strategy-state-records.js';
import type { StrategyStatesPort } from '../store.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

export class PgStrategyStateRecords implements StrategyStatesPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  save(jobId: string, version: number, state: StrategyState): void {
    const { layout, tensors } = encodeStrategyState(state);
    const save = (): void => this.sql.write(
      `INSERT INTO strategy_states (job_id, version, scalars, tensors) VALUES ($1, $2, $3, $4)
       ON CONFLICT (job_id, version) DO UPDATE SET scalars = excluded.scalars, tensors = excluded.tensors`,
      [jobId, version, layout, tensors],
    );
    this.fence.write(jobId, save);
  }

  load(jobId: string, version: number): StrategyState | undefined {
    const row = this.sql.get('SELECT scalars, tensors FROM strategy_states WHERE job_id = $1 AND version = $2', [jobId, version]);
    return row === undefined ? undefined : decodeStrategyState(String(row['scalars']), row['tensors'] as Uint8Array);
  }

  pruneBefore(jobId: string, version: number): void {
    this.fence.write(jobId, () => this.sql.write('DELETE FROM strategy_states WHERE job_id = $1 AND version < $2', [jobId, version]));
  }
}
