/**
 * The coordinator serves apps/console/dist, which is shipped in the repository; this fails when it is stale, i.e. when
 * building the console sources now gives different files (fix: `npm run build -w @shoal/console`, and commit dist/).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CONSOLE = fileURLToPath(new URL('../../apps/console/', import.meta.url));
const VITE = join(dirname(createRequire(join(CONSOLE, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');

function files(root: string, directory = root): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) for (const [file, text] of files(root, path)) found.set(file, text);
    else found.set(relative(root, path), readFileSync(path, 'utf8'));
  }
  return found;
}

describe('the shipped console build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'shoal-console-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is what the console sources build to', () => {
    const build = spawnSync(process.execPath, [VITE, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: CONSOLE,
      encoding: 'utf8',
      // vitest sets NODE_ENV=test, which vite would bake into the bundle; build as `npm run build` does.
      env: { ...process.env, NODE_ENV: 'production' },
    });
    expect(build.status, build.stderr).toBe(0);
    const fresh = files(outDir);
    const shipped = files(join(CONSOLE, 'dist'));
    expect([...shipped.keys()].sort(), 'apps/console/dist is stale: run `npm run build -w @shoal/console`').toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh) expect(shipped.get(file) === text, `${file} differs: run \`npm run build -w @shoal/console\``).toBe(true);
    expect(fresh.get('index.html')).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    // Everything is bundled: no page or asset loads anything from another origin.
    for (const [file, text] of fresh) expect(text.match(/(?:src|href)="https?:\/\//g), file).toBeNull();
  });
});
