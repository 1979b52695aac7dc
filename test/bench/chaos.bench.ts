/**
 * `npm run bench:chaos`: kill -9 the coordinator at random points of running jobs, restart it, and check what is
 * left: every job `completed` with all the rounds it asked for (one model version each), `PRAGMA integrity_check` ok,
 * no round left running and no contribution left unresolved. A coordinator process on a fixed port and data
 * directory, three raw clients that answer at once (the tiny model, so rounds are short and kills land anywhere).
 * Options: --trials (10), --jobs (3), --rounds (8), --kills (3 per trial), --seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom } from '@shoal/codec/testing';
import { ChaosFleet, audit } from '../support/chaos-fleet.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '10' }, jobs: { type: 'string', default: '3' }, rounds: { type: 'string', default: '8' }, kills: { type: 'string', default: '3' }, seed: { type: 'string', default: '1' } } });
const random = createRandom(Number(values.seed));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');

console.log(`bench:chaos — ${values.trials} trials, ${values.jobs} jobs × ${values.rounds} rounds, ${values.kills} kill -9 per trial; load average ${load()}`);
let failures = 0;
for (let trial = 1; trial <= Number(values.trials); trial++) {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-chaos-'));
  const fleet = new ChaosFleet(dir, 3, 80);
  const started = performance.now();
  try {
    await fleet.start();
    const jobs: string[] = [];
    for (let j = 0; j < Number(values.jobs); j++) jobs.push(await fleet.createJob(`chaos-${trial}-${j}`, Number(values.rounds)));
    const killedAt: number[] = [];
    for (let kill = 0; kill < Number(values.kills); kill++) {
      // Anywhere from the first round to the last: rounds of the tiny model take tens of milliseconds.
      const after = Math.round(30 + random.next() * 600);
      await sleep(after);
      killedAt.push(after);
      await fleet.kill();
      await fleet.start();
    }
    await fleet.jobsEnded(jobs);
    await fleet.stop();
    const result = audit(dir);
    const wrong = result.jobs.filter((job) => job.status !== 'completed' || job.latestVersion !== job.requested || job.rounds - job.interrupted !== job.requested);
    const ok = result.integrity === 'ok' && wrong.length === 0 && result.unresolved === 0 && result.openRounds === 0;
    if (!ok) failures++;
    const interrupted = result.jobs.reduce((sum, job) => sum + job.interrupted, 0);
    console.log(
      `trial ${trial}: ${ok ? 'ok' : 'FAILED'} — kills after ${killedAt.join(', ')} ms; integrity ${result.integrity}; ` +
        `${result.jobs.map((job) => `${job.status} ${job.latestVersion}/${job.requested} versions (${job.rounds} rounds, ${job.interrupted} interrupted)`).join('; ')}; ` +
        `${interrupted} interrupted rounds in all; unresolved contributions ${result.unresolved}; open rounds ${result.openRounds}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await fleet.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\n${Number(values.trials) - failures} of ${values.trials} trials ok; load average ${load()}`);
process.exit(failures === 0 ? 0 : 1);
