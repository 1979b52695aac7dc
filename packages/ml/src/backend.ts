/** Chooses the tfjs backend once per thread, by priority, with SHOAL_BACKEND as an override, and logs the choice. */
import { ShoalError } from '@shoal/protocol';
import { BACKEND_LOADERS, BACKEND_NAMES, type BackendName } from './backend-loaders.js';

export type { BackendName };

export interface BackendInfo {
  name: BackendName;
  detail: string;
}

export interface InitBackendOptions {
  /** Backends to try, best first. Default: tensorflow, wasm, cpu. */
  preferred?: BackendName[];
  /** Receives the line that names the chosen backend. Default: stderr. */
  log?: (line: string) => void;
}

export const BACKEND_ENV_VAR = 'SHOAL_BACKEND';

// tfjs keeps its backend in module state, so this mirrors it: one choice per thread (each worker has its own).
let chosen: Promise<BackendInfo> | undefined;
let active: BackendInfo | undefined;

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

function candidates(preferred: BackendName[] | undefined): BackendName[] {
  const override = typeof process === 'undefined' ? undefined : process.env[BACKEND_ENV_VAR]?.trim();
  if (override !== undefined && override !== '') {
    if (!isBackendName(override)) {
      throw new ShoalError(
        'VALIDATION_FAILED',
        `${BACKEND_ENV_VAR}='${override}' is not a backend; use one of ${BACKEND_NAMES.join(', ')}`,
      );
    }
    return [override];
  }
  const list = preferred ?? [...BACKEND_NAMES];
  for (const name of list) {
    if (!isBackendName(name)) {
      throw new ShoalError('VALIDATION_FAILED', `preferred backend '${String(name)}' is not one of ${BACKEND_NAMES.join(', ')}`);
    }
  }
  if (list.length === 0) throw new ShoalError('VALIDATION_FAILED', 'preferred must name at least one backend');
  return list;
}

async function choose(options: InitBackendOptions): Promise<BackendInfo> {
  const log = options.log ?? ((line: string) => console.error(line));
  const failures: string[] = [];
  for (const name of candidates(options.preferred)) {
    try {
      const detail = await BACKEND_LOADERS[name]();
      log(`[shoal/ml] backend: ${name} (${detail})${failures.length > 0 ? `; skipped ${failures.join('; ')}` : ''}`);
      return { name, detail };
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new ShoalError('NOT_IMPLEMENTED', `No usable tfjs backend: ${failures.join('; ')}`, { details: { failures } });
}

/**
 * Initialises the best available backend. Later calls return the first call's result whatever
 * their options; a failed call may be retried.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (chosen === undefined) {
    chosen = choose(options).then(
      (info) => {
        active = info;
        return info;
      },
      (error: unknown) => {
        chosen = undefined;
        throw error;
      },
    );
  }
  return chosen;
}

/** The backend chosen by initBackend, or undefined before it has finished. */
export function activeBackend(): BackendName | undefined {
  return active?.name;
}
