#!/usr/bin/env node
/**
 * `npm run test:stress`: runs the whole suite (typecheck and vitest, as `npm test` does) several times in a row
 * while a busy loop saturates one core, and reports each run's failures. A suite whose result depends on the
 * machine's load fails here. Options: --runs N (default 3), --busy N busy cores (default 1), --json FILE.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined) throw new Error(`--${name} needs a value`);
  return value;
}

const runs = Number(option('runs', '3'));
const busyCores = Number(option('busy', '1'));
const jsonOut = option('json', undefined);
for (const [name, value] of [['runs', runs], ['busy', busyCores]]) {
  if (!Number.isInteger(value) || value < 0 || (name === 'runs' && value < 1)) throw new Error(`--${name} must be a whole number${name === 'runs' ? ' ≥ 1' : ' ≥ 0'}, got ${value}`);
}

/** One process per busy core, each spinning until it is killed. */
const spinners = Array.from({ length: busyCores }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopSpinners = () => spinners.forEach((spinner) => spinner.kill('SIGKILL'));
process.on('exit', stopSpinners);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function failuresOf(report) {
  const failures = [];
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) failures.push(`${file.name.replace(root, '')} › ${test.fullName}: ${(test.failureMessages ?? [])[0]?.split('\n')[0] ?? ''}`);
    if (failed.length === 0 && file.status === 'failed') failures.push(`${file.name.replace(root, '')}: ${file.message ?? 'failed'}`);
  }
  return failures;
}

function runSuite(index) {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-stress-'));
  const reportFile = join(dir, 'report.json');
  const started = Date.now();
  const load = loadavg()[0].toFixed(2);
  console.log(`\n=== run ${index + 1}/${runs} (${busyCores} busy core(s), load average ${load}) ===`);
  const typecheck = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  const vitest = spawnSync('npx', ['vitest', 'run', '--config', 'test/vitest.config.ts', '--reporter=dot', '--reporter=json', `--outputFile.json=${reportFile}`], { cwd: root, stdio: 'inherit' });
  let failures = [];
  let counts = { passed: 0, failed: 0 };
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    failures = failuresOf(report);
    counts = { passed: report.numPassedTests, failed: report.numFailedTests };
  } catch {
    failures.push(`vitest wrote no report (exit code ${vitest.status})`);
  }
  if (typecheck.status !== 0) failures.unshift(`typecheck failed (exit code ${typecheck.status})`);
  if (vitest.status !== 0 && failures.length === 0) failures.push(`vitest exited with code ${vitest.status}`);
  rmSync(dir, { recursive: true, force: true });
  return { run: index + 1, green: failures.length === 0, seconds: Math.round((Date.now() - started) / 1000), loadAverageAtStart: Number(load), ...counts, failures };
}

const results = [];
for (let index = 0; index < runs; index++) results.push(runSuite(index));
stopSpinners();

console.log(`\n=== test:stress: ${results.filter((r) => r.green).length} of ${runs} runs green (${busyCores} busy core(s)) ===`);
for (const result of results) {
  console.log(`run ${result.run}: ${result.green ? 'green' : 'RED'}, ${result.passed} passed, ${result.failed} failed, ${result.seconds} s, load average at start ${result.loadAverageAtStart}`);
  for (const failure of result.failures) console.log(`  ✗ ${failure}`);
}
if (jsonOut !== undefined) writeFileSync(jsonOut, `${JSON.stringify({ busyCores, results }, null, 2)}\n`);
process.exit(results.every((r) => r.green) ? 0 : 1);
