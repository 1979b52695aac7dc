/** AssignmentSync on a real SQLite store: revoked devices leave their deployment and are not assigned again. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { ClientRegistry } from '../fleet/client-registry.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { addJob, clientRecord } from '../testing/store-contract/fixtures.js';
import { deployment } from '../testing/store-contract/serving-contract.js';
import { AssignmentSync } from './assignment-sync.js';

const offline = { get: () => undefined, send: () => false } as unknown as ClientRegistry;

let store: SqliteStore;
let sync: AssignmentSync;
beforeEach(async () => {
  store = new SqliteStore(':memory:');
  await addJob(store, 'job-a');
  store.devices.insertJoinToken({ id: 'jt-1', hash: 'hash-jt-1', uses: 3, usesLeft: 3, expiresAt: 10_000, labels: [], createdAt: 100, createdBy: 'admin-token:tok-1', revokedAt: undefined });
  for (const id of ['c1', 'c2', 'c3']) {
    store.upsertClient(clientRecord(id));
    store.devices.enrol({ clientId: id, publicKey: `key-${id}`, name: `phone ${id}`, joinTokenId: 'jt-1', enrolledAt: 200 }, 200);
  }
  store.serving.insertDeployment(deployment('dep-1', { cohort: [], canary: undefined, status: 'serving' }), []);
  sync = new AssignmentSync(store, offline, pino({ level: 'silent' }));
});
afterEach(() => store.close());

const assigned = () => [...store.serving.allAssignments().keys()].sort();

describe('AssignmentSync and revoked devices', () => {
  it('drops a revoked device from its deployment at once and never assigns it again', () => {
    sync.syncAll(1_000);
    const before = assigned();

    store.devices.revokeDevice('c2', 2_000, 'admin-token:tok-1');
    sync.forgetClient('c2');
    const afterRevoke = assigned();
    store.serving.insertDeployment(deployment('dep-2', { cohort: [], canary: undefined, status: 'serving', createdAt: 3_000 }), []);
    sync.syncAll(3_000);

    expect(before).toEqual(['c1', 'c2', 'c3']);
    expect(afterRevoke).toEqual(['c1', 'c3']);
    expect(assigned()).toEqual(['c1', 'c3']);
  });

  it('removes an assignment a revoked device still holds from before, at the next re-resolution', () => {
    sync.syncAll(1_000);
    store.devices.revokeDevice('c3', 2_000, 'admin-token:tok-1');

    sync.syncAll(2_000);

    expect(assigned()).toEqual(['c1', 'c2']);
  });
});

describe('AssignmentSync after a hello', () => {
  const online = (sent: string[]) =>
    ({ get: (id: string) => ({ id, capabilities: { labels: [] } }), send: (id: string) => sent.push(id) > 0 }) as unknown as ClientRegistry;
  const counting = () => {
    const reads = { active: 0, assignment: 0 };
    const { active, assignment } = store.serving;
    store.serving.active = () => (reads.active++, active.call(store.serving));
    store.serving.assignment = (id) => (reads.assignment++, assignment.call(store.serving, id));
    return reads;
  };

  it('reads the active deployments at most once per second, and at once after a change made here', () => {
    const sent: string[] = [];
    const here = new AssignmentSync(store, online(sent), pino({ level: 'silent' }));
    const reads = counting();
    for (const [id, at] of [['c1', 10_000], ['c2', 10_500], ['c3', 10_999]] as const) here.syncClient(id, at);
    expect(reads.active).toBe(1);
    expect(sent).toEqual(['c1', 'c2', 'c3']);
    here.syncClient('c1', 11_000);
    expect(reads.active).toBe(2);
    // Stopped here: syncAll reads them again, and the next hello is served by that read.
    store.serving.changeStatus([{ id: 'dep-1', status: 'rolled_back', reason: 'test' }], 'admin-token:tok-1', 11_100);
    here.syncAll(11_100);
    const afterChange = reads.active;
    sent.length = 0;
    here.syncClient('c2', 11_200);
    expect(reads.active).toBe(afterChange);
    expect(sent).toEqual([]);
  });

  it('with nothing deployed, reads no assignment and sends nothing', () => {
    store.serving.changeStatus([{ id: 'dep-1', status: 'rolled_back', reason: 'test' }], 'admin-token:tok-1', 500);
    const sent: string[] = [];
    const here = new AssignmentSync(store, online(sent), pino({ level: 'silent' }));
    const reads = counting();
    here.syncClient('c1', 1_000);
    expect(reads).toEqual({ active: 1, assignment: 0 });
    expect(sent).toEqual([]);
  });
});
