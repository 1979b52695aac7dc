/** Ordered schema migrations, applied by PRAGMA user_version so a data directory upgrades in place. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    config TEXT NOT NULL,
    topology TEXT NOT NULL,
    tensor_specs TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    current_round INTEGER NOT NULL DEFAULT 0,
    latest_version INTEGER NOT NULL DEFAULT 0,
    bytes_up INTEGER NOT NULL DEFAULT 0,
    bytes_down INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE rounds (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    round INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    deadline_at INTEGER,
    selected INTEGER NOT NULL DEFAULT 0,
    reported INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    model_version INTEGER,
    metrics TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, round)
  );
  CREATE TABLE model_versions (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    version INTEGER NOT NULL,
    round INTEGER,
    parent_version INTEGER,
    created_at INTEGER NOT NULL,
    byte_length INTEGER NOT NULL,
    weights BLOB NOT NULL,
    central_accuracy REAL,
    central_loss REAL,
    PRIMARY KEY (job_id, version)
  );
  CREATE TABLE contributions (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    round INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    num_examples INTEGER,
    bytes_up INTEGER NOT NULL DEFAULT 0,
    bytes_down INTEGER NOT NULL DEFAULT 0,
    loss REAL,
    accuracy REAL,
    duration_ms REAL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, round, client_id)
  );
  CREATE INDEX contributions_by_client ON contributions (client_id);
  `,
  // 2: administrator credentials (hashes only), console sessions and the audit log of admin actions.
  `
  CREATE TABLE admin_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE admin_sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    error_code TEXT,
    address TEXT
  );
  CREATE INDEX contributions_by_client_recent ON contributions (client_id, updated_at);
  CREATE INDEX clients_by_last_seen ON clients (last_seen_at);
  `,
];
