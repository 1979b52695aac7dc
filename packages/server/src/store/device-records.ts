/** Device identity tables: join tokens (hashes only), enrolled devices with their Ed25519 keys, and accepted payload hashes. */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import type { DeviceRecord, JoinTokenRecord } from './records.js';
import { optionalNumber, optionalString, type Row } from './row-values.js';
import type { DevicesPort } from './store.js';

export function joinTokenFromRow(row: Row): JoinTokenRecord {
  return {
    id: String(row['id']),
    hash: String(row['token_hash']),
    uses: Number(row['uses']),
    usesLeft: Number(row['uses_left']),
    expiresAt: Number(row['expires_at']),
    labels: JSON.parse(String(row['labels'])) as string[],
    createdAt: Number(row['created_at']),
    createdBy: String(row['created_by']),
    revokedAt: optionalNumber(row['revoked_at']),
  };
}

export function deviceFromRow(row: Row): DeviceRecord {
  return {
    clientId: String(row['client_id']),
    publicKey: String(row['public_key']),
    name: String(row['name']),
    joinTokenId: String(row['join_token_id']),
    enrolledAt: Number(row['enrolled_at']),
    revokedAt: optionalNumber(row['revoked_at']),
    revokedBy: optionalString(row['revoked_by']),
  };
}

export class DeviceRecords implements DevicesPort {
  private readonly sql: Statements;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
  }

  insertJoinToken(token: JoinTokenRecord): void {
    this.sql(
      `INSERT INTO join_tokens (id, token_hash, uses, uses_left, expires_at, labels, created_at, created_by)
       VALUES (@id, @hash, @uses, @usesLeft, @expiresAt, @labels, @createdAt, @createdBy)`,
    )
      .run({ ...token, labels: JSON.stringify(token.labels) });
  }

  getJoinToken(id: string): JoinTokenRecord | undefined {
    const row = this.sql('SELECT * FROM join_tokens WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : joinTokenFromRow(row);
  }

  listJoinTokens(): JoinTokenRecord[] {
    return (this.sql('SELECT * FROM join_tokens ORDER BY created_at, id').all() as Row[]).map(joinTokenFromRow);
  }

  revokeJoinToken(id: string, at: number): void {
    this.sql('UPDATE join_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
  }

  /**
   * Uses one use of the join token and records the device, atomically: two devices racing for the last use cannot
   * both enrol. Returns false (and changes nothing) when the token has no use left, expired or was revoked meanwhile.
   */
  enrol(device: DeviceRecord, now: number): boolean {
    return this.db.transaction(() => {
      const used = this.sql('UPDATE join_tokens SET uses_left = uses_left - 1 WHERE id = ? AND uses_left > 0 AND expires_at > ? AND revoked_at IS NULL')
        .run(device.joinTokenId, now);
      if (used.changes !== 1) return false;
      this.sql('INSERT INTO devices (client_id, public_key, name, join_token_id, enrolled_at) VALUES (@clientId, @publicKey, @name, @joinTokenId, @enrolledAt)')
        .run(device);
      return true;
    })();
  }

  getDevice(clientId: string): DeviceRecord | undefined {
    const row = this.sql('SELECT * FROM devices WHERE client_id = ?').get(clientId) as Row | undefined;
    return row === undefined ? undefined : deviceFromRow(row);
  }

  findDeviceByKey(publicKey: string): DeviceRecord | undefined {
    const row = this.sql('SELECT * FROM devices WHERE public_key = ?').get(publicKey) as Row | undefined;
    return row === undefined ? undefined : deviceFromRow(row);
  }

  listDevices(): DeviceRecord[] {
    return (this.sql('SELECT * FROM devices ORDER BY enrolled_at, client_id').all() as Row[]).map(deviceFromRow);
  }

  revokeDevice(clientId: string, at: number, by: string): void {
    this.sql('UPDATE devices SET revoked_at = ?, revoked_by = ? WHERE client_id = ? AND revoked_at IS NULL').run(at, by, clientId);
  }

  /** Remembers the hash of an accepted signed payload, so the same bytes cannot be accepted again in a later round. */
  recordPayload(jobId: string, round: number, clientId: string, payloadSha256: string): void {
    this.sql('UPDATE contributions SET payload_sha256 = ? WHERE job_id = ? AND round = ? AND client_id = ?').run(payloadSha256, jobId, round, clientId);
  }

  payloadSeen(jobId: string, clientId: string, payloadSha256: string): boolean {
    return this.sql('SELECT 1 FROM contributions WHERE client_id = ? AND payload_sha256 = ? AND job_id = ? LIMIT 1').get(clientId, payloadSha256, jobId) !== undefined;
  }
}
