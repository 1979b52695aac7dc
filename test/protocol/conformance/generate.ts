/**
 * Regenerates protocols/v1/conformance from the reference code: `node --import tsx test/protocol/conformance/generate.ts`.
 * Files the generator no longer writes are deleted; README.md, .gitattributes and transcripts/ are written by hand and kept.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFORMANCE_DIRECTORY, buildVectors, isHandWritten } from './build-vectors.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const directory = join(root, CONFORMANCE_DIRECTORY);

function existingFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? existingFiles(path) : [relative(directory, path)];
  });
}

const files = buildVectors();
mkdirSync(directory, { recursive: true });
for (const stale of existingFiles(directory)) if (!isHandWritten(stale) && !files.has(stale)) rmSync(join(directory, stale));
for (const [path, bytes] of files) {
  mkdirSync(dirname(join(directory, path)), { recursive: true });
  writeFileSync(join(directory, path), bytes);
}
console.log(`wrote ${files.size} files to ${CONFORMANCE_DIRECTORY}`);
