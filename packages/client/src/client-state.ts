/** The agent's on-device state directory: its stable client id, kept with owner-only permissions. */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '@shoal/protocol';

export interface PersistedState {
  clientId?: string;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export class ClientStateStore {
  private readonly file: string;

  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    chmodSync(directory, 0o700);
    this.file = join(directory, 'state.json');
  }

  load(): PersistedState {
    if (!existsSync(this.file)) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new ShoalError('VALIDATION_FAILED', `state file ${this.file} is not valid JSON`, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null) throw new ShoalError('VALIDATION_FAILED', `state file ${this.file} must hold an object`);
    const clientId = (parsed as Record<string, unknown>)['clientId'];
    if (clientId !== undefined && (typeof clientId !== 'string' || !ID_PATTERN.test(clientId))) {
      throw new ShoalError('VALIDATION_FAILED', `state file ${this.file} has an invalid clientId`);
    }
    return clientId === undefined ? {} : { clientId };
  }

  /** Writes atomically (temp file + rename) so a crash never leaves a half-written state. */
  save(state: PersistedState): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(state, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
