import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../bin/shoal-simulate.mjs', import.meta.url).pathname;

function simulate(...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 }); // a hang guard, not a deadline
  return { status: result.status, stderr: result.stderr };
}

describe('shoal-simulate arguments', () => {
  it('names the flag and the field of a bad value', () => {
    const result = simulate('--clients', '0');

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--clients: clients must be an integer in [1, 100000], got 0');
  });

  it('names the config file and the field of a bad value in it, and lets flags override the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shoal-cli-')), 'sim.json');
    writeFileSync(file, JSON.stringify({ clients: 10, perRound: 20, faults: { dropout: 'often' } }));

    expect(simulate('--config', file, '--per-round', '5').stderr).toContain(`${file}: faults.dropout must be a number in [0, 1], got "often"`);
    expect(simulate('--config', file, '--dropout', '0.1').stderr).toContain(`${file}: perRound must be an integer in [1, 10], got 20`);
  });

  it('refuses a config file that is not JSON', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shoal-cli-')), 'sim.json');
    writeFileSync(file, '{ clients: 10 ');

    expect(simulate('--config', file).stderr).toMatch(/--config: .*sim\.json is not a valid JSON object/);
  });
});
