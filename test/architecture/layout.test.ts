/**
 * The layout rules of docs/architecture.md that a machine can check: no import cycle between source files or between
 * packages (type-only imports included), apps never import each other, and no hand-written source file over 15 KB.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, readImportGraph } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const graph = readImportGraph(ROOT);
const MAX_SOURCE_BYTES = 15 * 1024;
/** Generated from protocols/ by `npm run gen:protocol`. */
const GENERATED = new Set(['packages/protocol/src/generated/wire-types.ts']);

describe('import graph', () => {
  it('reads the workspace (a sanity check that the scanner sees imports)', () => {
    expect(graph.files.size).toBeGreaterThan(300);
    expect(graph.files.get('packages/server/src/jobs/job-runner.ts')?.length).toBeGreaterThan(5);
    expect(graph.packages.get('server')?.has('codec')).toBe(true);
  });

  it('has no cycle between source files', () => {
    expect(cycles(graph.files)).toEqual([]);
  });

  it('has no cycle between packages, and no app imports another', () => {
    expect(cycles(graph.packages)).toEqual([]);
    for (const [owner, used] of graph.packages) if (owner.startsWith('apps/')) expect([...used].filter((name) => name.startsWith('apps/'))).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const looped = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]]);
    expect(cycles(looped)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('keeps every hand-written source file under 15 KB', () => {
    const large = [...graph.files.keys()].filter((path) => !GENERATED.has(path) && statSync(join(ROOT, path)).size > MAX_SOURCE_BYTES);
    expect(large).toEqual([]);
  });
});
