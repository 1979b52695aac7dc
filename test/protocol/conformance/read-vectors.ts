/** Reads protocols/v1/conformance as any runner would: manifest.json, its index files, and files named relative to them. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFORMANCE_DIRECTORY, isHandWritten } from './build-vectors.js';

export const conformanceRoot = fileURLToPath(new URL(`../../../${CONFORMANCE_DIRECTORY}/`, import.meta.url));

export interface VectorIndex<T> {
  path: string;
  kind: string;
  vectors: T[];
}

interface Manifest {
  protocolVersion: number;
  files: string[];
}

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(conformanceRoot, 'manifest.json'), 'utf8')) as Manifest;
}

/** Every index of the given kind, in manifest order. */
export function indexesOf<T>(kind: string): Array<VectorIndex<T>> {
  return readManifest()
    .files.map((path) => ({ path, ...(JSON.parse(readFileSync(join(conformanceRoot, path), 'utf8')) as { kind: string; vectors: T[] }) }))
    .filter((index) => index.kind === kind);
}

export function vectorsOf<T>(kind: string): Array<T & { index: string }> {
  return indexesOf<T>(kind).flatMap((index) => index.vectors.map((vector) => ({ ...vector, index: index.path })));
}

/** A file named by a vector, relative to the index file that names it. */
export function readRelative(indexPath: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(conformanceRoot, posix.normalize(posix.join(posix.dirname(indexPath), file)))));
}

/** Every generated file under the conformance directory (hand-written ones left out), keyed by its relative path with '/' separators. */
export function filesOnDisk(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(conformanceRoot, path).split(/[\\/]/).join('/'), new Uint8Array(readFileSync(path)));
    }
  };
  walk(conformanceRoot);
  for (const path of [...files.keys()]) if (isHandWritten(path)) files.delete(path);
  return files;
}

/** Bit patterns, with -0 folded into +0 unless the vector says the sign of zero is fixed. */
export function comparableBits(values: Float32Array, signedZeros: boolean): number[] {
  const folded = signedZeros ? values : values.map((value) => (value === 0 ? 0 : value));
  return Array.from(new Uint32Array(Float32Array.from(folded).buffer));
}
