/**
 * The strategy_states table: what a job's strategy carries from round to round (server optimiser moments, an
 * adaptive clip norm, the previous aggregate), one row per model version, so a restart resumes the same trajectory.
 * Tensors are stored as one float32 blob, in the order of a JSON layout kept with the scalars.
 */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import type { StrategyState } from '@shoal/strategy';
import type { StrategyStatesPort } from './store.js';

interface Layout {
  scalars: Record<string, number>;
  /** For each named tensor list, the length of each tensor, in blob order. */
  tensors: Record<string, number[]>;
}

/** The state as its stored pair: the JSON layout (scalars and tensor lengths) and one float32 blob. */
export function encodeStrategyState(state: StrategyState): { layout: string; tensors: Buffer } {
  const layout: Layout = { scalars: state.scalars, tensors: {} };
  const total = Object.values(state.tensors).reduce((sum, list) => sum + list.reduce((n, tensor) => n + tensor.length, 0), 0);
  const blob = new Float32Array(total);
  let offset = 0;
  for (const [name, list] of Object.entries(state.tensors)) {
    layout.tensors[name] = list.map((tensor) => tensor.length);
    for (const tensor of list) {
      blob.set(tensor, offset);
      offset += tensor.length;
    }
  }
  return { layout: JSON.stringify(layout), tensors: Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength) };
}

/** The state back from its stored layout and blob. */
export function decodeStrategyState(storedLayout: string, storedTensors: Uint8Array): StrategyState {
  const layout = JSON.parse(storedLayout) as Layout;
  const bytes = Uint8Array.from(storedTensors);
  const blob = new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  const tensors: StrategyState['tensors'] = {};
  let offset = 0;
  for (const [name, lengths] of Object.entries(layout.tensors)) {
    tensors[name] = lengths.map((length) => {
      const tensor = blob.slice(offset, offset + length);
      offset += length;
      return tensor;
    });
  }
  return { scalars: layout.scalars, tensors };
}

export class StrategyStateRecords implements StrategyStatesPort {
  private readonly sql: Statements;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
  }

  save(jobId: string, version: number, state: StrategyState): void {
    const { layout, tensors } = encodeStrategyState(state);
    this.sql('INSERT OR REPLACE INTO strategy_states (job_id, version, scalars, tensors) VALUES (?, ?, ?, ?)').run(jobId, version, layout, tensors);
  }

  /** The state stored with `version`, or undefined when the strategy kept none. */
  load(jobId: string, version: number): StrategyState | undefined {
    const row = this.sql('SELECT scalars, tensors FROM strategy_states WHERE job_id = ? AND version = ?').get(jobId, version) as { scalars: string; tensors: Buffer } | undefined;
    return row === undefined ? undefined : decodeStrategyState(row.scalars, row.tensors);
  }

  /** Only the newest state is ever resumed from; older ones are dropped as new versions are stored. */
  pruneBefore(jobId: string, version: number): void {
    this.sql('DELETE FROM strategy_states WHERE job_id = ? AND version < ?').run(jobId, version);
  }
}
