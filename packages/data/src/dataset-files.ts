/** File access for dataset directories: missing things are NOT_FOUND, wrong sizes and escapes are VALIDATION_FAILED. */
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { ShoalError } from '@shoal/protocol';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT' || (cause as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new ShoalError('INTERNAL', `Cannot inspect ${path}: ${(cause as Error).message}`, { cause });
  }
}

export function assertDirectory(dir: string): void {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ShoalError('VALIDATION_FAILED', `Dataset directory must be a non-empty path, got ${String(dir)}`, { details: { field: 'dir' } });
  }
  const stats = statOrUndefined(dir);
  if (stats === undefined) throw new ShoalError('NOT_FOUND', `Dataset directory ${dir} does not exist`, { details: { path: dir } });
  if (!stats.isDirectory()) throw new ShoalError('NOT_FOUND', `${dir} is not a directory; a dataset is a directory holding dataset.json`, { details: { path: dir } });
}

export function fileExists(dir: string, name: string): boolean {
  return statOrUndefined(join(dir, name)) !== undefined;
}

/**
 * The absolute path of a file named by the dataset, checked to exist and, after following symlinks,
 * to lie inside the directory (the manifest's lexical checks cannot see a symlink pointing out).
 */
export function resolveDatasetFile(dir: string, name: string, field: string): string {
  const path = join(dir, name);
  const stats = statOrUndefined(path);
  if (stats === undefined) throw new ShoalError('NOT_FOUND', `${field}: file ${name} does not exist in ${dir}`, { details: { field, file: name } });
  if (!stats.isFile()) throw new ShoalError('VALIDATION_FAILED', `${field}: ${name} is not a regular file`, { details: { field, file: name } });
  const inside = relative(realpathSync(dir), realpathSync(path));
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new ShoalError('VALIDATION_FAILED', `${field}: ${name} resolves outside the dataset directory`, { details: { field, file: name } });
  }
  return path;
}

/** Reads a file only after its size matched, so a wrong file is refused before it is loaded into memory. */
export function readExactly(path: string, expectedBytes: number, field: string, name: string, explanation: string): Uint8Array {
  const actual = statSync(path).size;
  if (actual !== expectedBytes) {
    throw new ShoalError('VALIDATION_FAILED', `${field}: ${name} is ${actual} bytes, expected ${expectedBytes} (${explanation})`, {
      details: { field, file: name, expectedBytes, actualBytes: actual },
    });
  }
  return readFileSync(path);
}
