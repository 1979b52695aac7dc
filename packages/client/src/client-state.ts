/** The agent's on-device state directory: its stable client id and other small files, kept with owner-only permissions. */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '@shoal/protocol';

export interface PersistedState {
  clientId?: string;
  /** The client id is an enrolled device's (its key is device-key.json in the same directory). */
  enrolled?: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const FILE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

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
    const enrolled = (parsed as Record<string, unknown>)['enrolled'];
    if (enrolled !== undefined && typeof enrolled !== 'boolean') throw new ShoalError('VALIDATION_FAILED', `state file ${this.file} has an invalid 'enrolled' flag`);
    return { ...(clientId === undefined ? {} : { clientId }), ...(enrolled === true && clientId !== undefined ? { enrolled } : {}) };
  }

  save(state: PersistedState): void {
    this.writeFile('state.json', JSON.stringify(state, null, 2));
  }

  /** Path of a file in the state directory. */
  pathOf(name: string): string {
    if (!FILE_NAME.test(name)) throw new ShoalError('INTERNAL', `'${name}' is not a state file name`);
    return join(this.directory, name);
  }

  /** The file's bytes, or undefined when it does not exist. */
  readFile(name: string): Uint8Array | undefined {
    const path = this.pathOf(name);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
  }

  /** Writes atomically (temp file + rename, owner-only) so a crash never leaves a half-written file. */
  writeFile(name: string, contents: Uint8Array | string): void {
    const path = this.pathOf(name);
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, contents, { mode: 0o600 });
    renameSync(temporary, path);
  }
}
