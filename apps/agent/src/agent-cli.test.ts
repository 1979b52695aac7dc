/** The agent program's command line: --help names every environment variable and exit code; bad configuration exits 2 in one line. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agentCommand } from './agent-options.js';
import { EXIT_CODES } from './exit-codes.js';

const AGENT_BIN = fileURLToPath(new URL('../bin/shoal-agent.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The test's own environment must not configure the agent under test.
const withoutAgentVariables = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SHOAL_')));
const run = (args: string[]) => spawnSync(process.execPath, [AGENT_BIN, ...args], { encoding: 'utf8', env: withoutAgentVariables() });

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('shoal-agent --help', () => {
  it('lists every environment variable of the option table and every exit code', () => {
    const variables = agentCommand().options.flatMap((option) => (option.envVar === undefined ? [] : [option.envVar]));

    const help = run(['--help']);

    // Commander wraps the help to the terminal's width.
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(help.status).toBe(0);
    expect(variables).toEqual(expect.arrayContaining(['SHOAL_COORDINATOR', 'SHOAL_AGENT_NAME', 'SHOAL_JOIN_TOKEN', 'SHOAL_CA']));
    for (const variable of variables) expect(text).toContain(`env: ${variable}`);
    for (const { code, meaning } of Object.values(EXIT_CODES)) expect(text).toContain(`${code} ${meaning}`);
  });

  it('reads the environment only through the option table', () => {
    const files = [...sources(join(ROOT, 'apps/agent/src')), ...sources(join(ROOT, 'packages/client/src'))];

    const readers = files.filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')));

    expect(readers).toEqual([]);
  });
});

describe('bad configuration', () => {
  it.each([
    [['--coordinator', 'not-a-url'], "--coordinator must be an http:// or https:// URL, got 'not-a-url'"],
    [['--coordinator', 'ftp://coordinator.example'], '--coordinator must be an http:// or https:// URL'],
    [['--coordinator', 'http://127.0.0.1:9', '--partition', 'sideways'], '--partition must be iid or pathological'],
    [['--coordinator', 'http://127.0.0.1:9', '--seed', '-1'], 'seed must be an integer >= 0'],
    [[], "required option '-c, --coordinator <url>' not specified"],
  ])('%j exits with the bad-configuration code and one line', (args, message) => {
    const result = run(args);

    expect(result.status).toBe(EXIT_CODES.badConfiguration.code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
