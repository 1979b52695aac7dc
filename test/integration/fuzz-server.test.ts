/**
 * The fuzzers at a small count against a real coordinator (port 0) while a job trains on enrolled devices: every
 * socket message and REST request gets a documented answer (no INTERNAL, no 5xx, no unanswered acknowledgement),
 * no registered connection is dropped without cause, the coordinator still answers /healthz, and the job completes
 * with every model version. `npm run bench:fuzz-server` runs the same at 20,000 messages and 3,000 requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRest, violations } from '../fuzz/rest-fuzzer.js';
import { startFuzzTarget, type FuzzTarget } from '../fuzz/rest-target.js';
import { fuzzSockets } from '../fuzz/socket-fuzzer.js';
import { startHonestFleet, type HonestFleet } from '../fuzz/honest-fleet.js';

let target: FuzzTarget;
let fleet: HonestFleet;
beforeAll(async () => {
  target = await startFuzzTarget();
  fleet = await startHonestFleet(target.url, target.credentials.admin, { rounds: 3 });
});
afterAll(async () => {
  fleet?.close();
  await target?.close();
});

describe('fuzzing while a job trains', () => {
  it('answers every socket message and REST request with a documented code, and the job completes', async () => {
    const [sockets, rest] = await Promise.all([
      fuzzSockets({ url: target.url, messages: 600, seed: 5 }),
      fuzzRest({ url: target.url, requests: 200, seed: 5, credentials: target.credentials, ids: target.ids }),
    ]);

    expect(sockets.findings).toEqual([]);
    expect(sockets.closed.unexpected).toBe(0);
    expect(violations(rest), JSON.stringify(rest.findings.slice(0, 5))).toBe(0);
    expect(Object.keys(sockets.byCode).length).toBeGreaterThan(3); // the fuzz reached several refusals, not one
    expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
    const job = await fleet.finished();
    expect(job.status).toBe('completed');
    expect(job.latestModelVersion).toBe(fleet.rounds);
  });
});
