/**
 * A coordinator killed with SIGKILL in the middle of a round (a real process, a real SQLite file): after the restart
 * the interrupted round is marked, its contributions are resolved, another round runs in its place, and the job ends
 * with every round it asked for, each with its model version; the database passes its integrity check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FitTask } from '@shoal/protocol';
import { ChaosFleet, audit } from '../support/chaos-fleet.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-crash-'));
const fleet = new ChaosFleet(dir);
afterAll(async () => {
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 during a round', () => {
  it('re-runs the interrupted round, and the job completes with all its rounds and versions', async () => {
    await fleet.start();
    fleet.holdRounds.add(3);
    const held = new Promise<FitTask>((resolve) => (fleet.onHeld = resolve));
    const jobId = await fleet.createJob('crash', 5);
    await held; // round 3 is open, its tasks unanswered: kill now
    await fleet.kill();

    fleet.holdRounds.clear();
    await fleet.start();
    await fleet.jobsEnded([jobId]);
    await fleet.stop();

    const result = audit(dir);
    expect(result.integrity).toBe('ok');
    expect(result.jobs).toEqual([{ id: jobId, status: 'completed', rounds: 6, interrupted: 1, latestVersion: 5, requested: 5 }]);
    expect(result.unresolved).toBe(0);
    expect(result.openRounds).toBe(0);
  });
});
