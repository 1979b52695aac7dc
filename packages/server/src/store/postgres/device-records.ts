/** Device identity tables on PostgreSQL: join tokens (hashes only), enrolled devices with their keys, accepted payload hashes. */
import { deviceFromRow, joinTokenFromRow } from '../device-records.js';
import type { DeviceRecord, JoinTokenRecord } from '../records.js';
import type { DevicesPort } from '../store.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

export class PgDeviceRecords implements DevicesPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  insertJoinToken(token: JoinTokenRecord): void {
    this.sql.run(
      `INSERT INTO join_tokens (id, token_hash, uses, uses_left, expires_at, labels, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [token.id, token.hash, token.uses, token.usesLeft, token.expiresAt, JSON.stringify(token.labels), token.createdAt, token.createdBy],
    );
  }

  getJoinToken(id: string): JoinTokenRecord | undefined {
    const row = this.sql.get('SELECT * FROM join_tokens WHERE id = $1', [id]);
    return row === undefined ? undefined : joinTokenFromRow(row);
  }

  listJoinTokens(): JoinTokenRecord[] {
    return this.sql.all('SELECT * FROM join_tokens ORDER BY created_at, id').map(joinTokenFromRow);
  }

  revokeJoinToken(id: string, at: number): void {
    this.sql.run('UPDATE join_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
  }

  /** One transaction: the UPDATE's row lock makes two devices racing for the last use wait for each other; one wins. */
  enrol(device: DeviceRecord, now: number): boolean {
    return this.sql.transaction(() => {
      const used = this.sql.run('UPDATE join_tokens SET uses_left = uses_left - 1 WHERE id = $1 AND uses_left > 0 AND expires_at > $2 AND revoked_at IS NULL', [
        device.joinTokenId,
        now,
      ]);
      if (used !== 1) return false;
      this.sql.run('INSERT INTO devices (client_id, public_key, name, join_token_id, enrolled_at) VALUES ($1, $2, $3, $4, $5)', [
        device.clientId,
        device.publicKey,
        device.name,
        device.joinTokenId,
        device.enrolledAt,
      ]);
      return true;
    });
  }

  getDevice(clientId: string): DeviceRecord | undefined {
    const row = this.sql.get('SELECT * FROM devices WHERE client_id = $1', [clientId]);
    return row === undefined ? undefined : deviceFromRow(row);
  }

  findDeviceByKey(publicKey: string): DeviceRecord | undefined {
    const row = this.sql.get('SELECT * FROM devices WHERE public_key = $1', [publicKey]);
    return row === undefined ? undefined : deviceFromRow(row);
  }

  listDevices(): DeviceRecord[] {
    return this.sql.all('SELECT * FROM devices ORDER BY enrolled_at, client_id').map(deviceFromRow);
  }

  revokeDevice(clientId: string, at: number, by: string): void {
    this.sql.run('UPDATE devices SET revoked_at = $1, revoked_by = $2 WHERE client_id = $3 AND revoked_at IS NULL', [at, by, clientId]);
  }

  recordPayload(jobId: string, round: number, clientId: string, payloadSha256: string): void {
    const update = 'UPDATE contributions SET payload_sha256 = $1 WHERE job_id = $2 AND round = $3 AND client_id = $4';
    this.fence.write(jobId, () => this.sql.write(update, [payloadSha256, jobId, round, clientId]));
  }

  payloadSeen(jobId: string, clientId: string, payloadSha256: string): boolean {
    return this.sql.get('SELECT 1 FROM contributions WHERE client_id = $1 AND payload_sha256 = $2 AND job_id = $3 LIMIT 1', [clientId, payloadSha256, jobId]) !== undefined;
  }
}
