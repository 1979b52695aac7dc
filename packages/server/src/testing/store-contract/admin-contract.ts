/** The contract of the admin port (API tokens, sessions, audit log) and the devices port (join tokens, devices, payloads). */
import { describe, expect, it } from 'vitest';
import type { AuditEntry, DeviceRecord, JoinTokenRecord } from '../../store/records.js';
import type { ContractSection } from './contract-types.js';
import { addJob, runningRound } from './fixtures.js';

const joinToken = (id: string, overrides: Partial<JoinTokenRecord> = {}): JoinTokenRecord => ({
  id, hash: `hash-${id}`, uses: 2, usesLeft: 2, expiresAt: 10_000, labels: ['lab', 'eu'], createdAt: 100, createdBy: 'admin-token:tok-1', revokedAt: undefined, ...overrides,
});

const device = (clientId: string, joinTokenId: string, enrolledAt = 200): DeviceRecord => ({
  clientId, publicKey: `key-${clientId}`, name: `phone ${clientId}`, joinTokenId, enrolledAt,
});

const auditEntry = (action: string, overrides: Partial<AuditEntry> = {}): Omit<AuditEntry, 'id'> => ({
  at: 1_000, actor: 'session:s1', action, target: undefined, outcome: 'success', errorCode: undefined, address: undefined, detail: undefined, ...overrides,
});

export const adminContract: ContractSection = (use) => {
  describe('tokens', () => {
    it('finds an unrevoked token by its hash only, and lists tokens oldest first', async () => {
      const admin = use().admin;
      await admin.insertApiToken({ id: 'tok-2', tokenHash: 'hash-2', name: 'ci', role: 'admin', createdAt: 200, createdBy: 'admin-token:tok-1' });
      await admin.insertApiToken({ id: 'tok-1', tokenHash: 'hash-1', name: 'dashboards', role: 'viewer', createdAt: 100, createdBy: 'system' });
      const viewer = { id: 'tok-1', name: 'dashboards', role: 'viewer', createdAt: 100, createdBy: 'system', revokedAt: undefined };
      expect(await admin.findApiToken('hash-1')).toEqual(viewer);
      expect(await admin.findApiToken('tok-1')).toBeUndefined();
      expect(await admin.getApiToken('tok-1')).toEqual(viewer);
      expect((await admin.listApiTokens()).map((t) => t.id)).toEqual(['tok-1', 'tok-2']);
      expect(await admin.countActiveAdminTokens()).toBe(1);
    });

    it('revokes a token once, with the sessions opened with it', async () => {
      const admin = use().admin;
      await admin.insertApiToken({ id: 'tok-1', tokenHash: 'hash-1', name: 'ci', role: 'admin', createdAt: 100, createdBy: 'system' });
      await admin.insertSession({ id: 's1', tokenHash: 'session-1', subject: 'admin-token:tok-1', createdAt: 100, expiresAt: 5_000 });
      await admin.insertSession({ id: 's2', tokenHash: 'session-2', subject: 'admin-token:tok-9', createdAt: 100, expiresAt: 5_000 });
      await admin.revokeApiToken('tok-1', 300);
      await admin.revokeApiToken('tok-1', 400);
      expect(await admin.findApiToken('hash-1')).toBeUndefined();
      expect((await admin.getApiToken('tok-1'))?.revokedAt).toBe(300);
      expect(await admin.countActiveAdminTokens()).toBe(0);
      expect(await admin.findSession('session-1', 200)).toBeUndefined();
      expect((await admin.findSession('session-2', 200))?.id).toBe('s2');
    });

    it('replaces the bootstrap token with its sessions, keeping named tokens', async () => {
      const admin = use().admin;
      expect(await admin.bootstrapToken()).toBeUndefined();
      await admin.replaceBootstrapToken('boot-1', 'hash-boot-1', 100);
      expect(await admin.bootstrapToken()).toEqual({ id: 'boot-1', tokenHash: 'hash-boot-1' });
      expect(await admin.getApiToken('boot-1')).toMatchObject({ name: 'bootstrap', role: 'admin', createdBy: 'system', createdAt: 100 });
      await admin.insertApiToken({ id: 'tok-1', tokenHash: 'hash-1', name: 'ci', role: 'admin', createdAt: 150, createdBy: 'admin-token:boot-1' });
      await admin.insertSession({ id: 's1', tokenHash: 'session-1', subject: 'admin-token:boot-1', createdAt: 150, expiresAt: 5_000 });
      await admin.replaceBootstrapToken('boot-2', 'hash-boot-2', 200);
      expect(await admin.bootstrapToken()).toEqual({ id: 'boot-2', tokenHash: 'hash-boot-2' });
      expect(await admin.getApiToken('boot-1')).toBeUndefined();
      expect(await admin.findSession('session-1', 300)).toBeUndefined();
      expect((await admin.listApiTokens()).map((t) => t.id)).toEqual(['tok-1', 'boot-2']);
    });
  });

  describe('sessions', () => {
    it('finds a session by its hash until it expires, and deletes expired ones', async () => {
      const admin = use().admin;
      const session = { id: 's1', tokenHash: 'session-1', subject: 'admin-token:tok-1', createdAt: 100, expiresAt: 1_000 };
      await admin.insertSession(session);
      await admin.insertSession({ ...session, id: 's2', tokenHash: 'session-2', expiresAt: 2_000 });
      await admin.insertSession({ ...session, id: 's3', tokenHash: 'session-3', expiresAt: 3_000 });
      expect(await admin.findSession('session-1', 999)).toEqual(session);
      expect(await admin.findSession('session-1', 1_000)).toBeUndefined();
      expect(await admin.deleteExpiredSessions(2_000)).toBe(2);
      expect(await admin.findSession('session-3', 2_000)).toMatchObject({ id: 's3' });
      await admin.deleteSession('s3');
      expect(await admin.findSession('session-3', 2_000)).toBeUndefined();
    });
  });

  describe('audit', () => {
    it('appends entries with increasing ids and reads them back as written', async () => {
      const admin = use().admin;
      const first = await admin.appendAudit(auditEntry('login'));
      const full = auditEntry('job.stop', { target: 'job-a', outcome: 'failure', errorCode: 'FORBIDDEN', address: '10.0.0.7', detail: 'rolled back' });
      const second = await admin.appendAudit(full);
      expect(second.id).toBeGreaterThan(first.id);
      expect(second).toEqual({ ...full, id: second.id });
      expect((await admin.listAudit({ limit: 10 })).items).toEqual([second, first]);
    });

    it('lists newest first in pages, counting every entry', async () => {
      const admin = use().admin;
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await admin.appendAudit(auditEntry(`action-${i}`, { at: 1_000 + i }))).id);
      const first = await admin.listAudit({ limit: 2 });
      expect(first.items.map((entry) => entry.action)).toEqual(['action-4', 'action-3']);
      expect(first.total).toBe(5);
      const next = await admin.listAudit({ limit: 2, before: first.items.at(-1)!.id });
      expect(next.items.map((entry) => entry.action)).toEqual(['action-2', 'action-1']);
      expect((await admin.listAudit({ limit: 10, before: ids[1] })).items.map((entry) => entry.action)).toEqual(['action-0']);
    });
  });

  describe('devices', () => {
    it('stores join tokens and revokes them once', async () => {
      const devices = use().devices;
      await devices.insertJoinToken(joinToken('jt-2', { createdAt: 200 }));
      await devices.insertJoinToken(joinToken('jt-1'));
      expect(await devices.getJoinToken('jt-1')).toEqual(joinToken('jt-1'));
      expect((await devices.listJoinTokens()).map((t) => t.id)).toEqual(['jt-1', 'jt-2']);
      await devices.revokeJoinToken('jt-1', 300);
      await devices.revokeJoinToken('jt-1', 400);
      expect((await devices.getJoinToken('jt-1'))?.revokedAt).toBe(300);
      expect(await devices.getJoinToken('jt-9')).toBeUndefined();
    });

    it('enrols while the join token has uses, and never past its expiry or revocation', async () => {
      const devices = use().devices;
      await devices.insertJoinToken(joinToken('jt-1'));
      await devices.insertJoinToken(joinToken('jt-old', { expiresAt: 500 }));
      await devices.insertJoinToken(joinToken('jt-revoked'));
      await devices.revokeJoinToken('jt-revoked', 150);
      expect(await devices.enrol(device('c1', 'jt-1'), 200)).toBe(true);
      expect(await devices.enrol(device('c2', 'jt-1', 100), 200)).toBe(true);
      expect(await devices.enrol(device('c3', 'jt-1'), 200)).toBe(false);
      expect(await devices.enrol(device('c4', 'jt-old'), 500)).toBe(false);
      expect(await devices.enrol(device('c5', 'jt-revoked'), 200)).toBe(false);
      expect((await devices.getJoinToken('jt-1'))?.usesLeft).toBe(0);
      expect((await devices.getJoinToken('jt-old'))?.usesLeft).toBe(2);
      expect((await devices.listDevices()).map((d) => d.clientId)).toEqual(['c2', 'c1']);
      expect(await devices.getDevice('c3')).toBeUndefined();
      expect(await devices.findDeviceByKey('key-c1')).toEqual({ ...device('c1', 'jt-1'), revokedAt: undefined, revokedBy: undefined });
    });

    it('revokes a device once, naming who did', async () => {
      const devices = use().devices;
      await devices.insertJoinToken(joinToken('jt-1'));
      await devices.enrol(device('c1', 'jt-1'), 200);
      await devices.revokeDevice('c1', 300, 'admin-token:tok-1');
      await devices.revokeDevice('c1', 400, 'admin-token:tok-2');
      expect(await devices.getDevice('c1')).toMatchObject({ revokedAt: 300, revokedBy: 'admin-token:tok-1' });
    });

    it('remembers accepted payload hashes per job and client', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1', 'c2']);
      await store.devices.recordPayload('job-a', 1, 'c1', 'sha-1');
      expect(await store.devices.payloadSeen('job-a', 'c1', 'sha-1')).toBe(true);
      expect(await store.devices.payloadSeen('job-a', 'c2', 'sha-1')).toBe(false);
      expect(await store.devices.payloadSeen('job-b', 'c1', 'sha-1')).toBe(false);
      expect(await store.devices.payloadSeen('job-a', 'c1', 'sha-2')).toBe(false);
    });
  });
};
