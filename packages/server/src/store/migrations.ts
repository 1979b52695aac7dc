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
  // 3: identity (issue #5): named API tokens with roles, device enrolment with join tokens, revocation, signed uploads.
  `
  ALTER TABLE admin_tokens ADD COLUMN name TEXT NOT NULL DEFAULT 'bootstrap';
  ALTER TABLE admin_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
  ALTER TABLE admin_tokens ADD COLUMN created_by TEXT;
  ALTER TABLE admin_tokens ADD COLUMN revoked_at INTEGER;
  CREATE TABLE join_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    uses INTEGER NOT NULL,
    uses_left INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    labels TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE devices (
    client_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    join_token_id TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT
  );
  ALTER TABLE contributions ADD COLUMN payload_sha256 TEXT;
  CREATE INDEX contributions_by_payload ON contributions (client_id, payload_sha256);
  `,
  // 4: edge serving (issue #8): deployments with their history, client assignments, bounded telemetry windows; audit details.
  `
  CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs(id),
    version INTEGER NOT NULL,
    artifact_id TEXT,
    cohort TEXT NOT NULL,
    canary TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    previous_deployment_id TEXT,
    telemetry_interval_ms INTEGER NOT NULL,
    drift_threshold REAL NOT NULL,
    reference TEXT,
    num_classes INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX deployments_by_status ON deployments (status);
  CREATE TABLE deployment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id TEXT NOT NULL REFERENCES deployments(id),
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT
  );
  CREATE INDEX deployment_events_by_deployment ON deployment_events (deployment_id, id);
  CREATE TABLE serving_assignments (
    client_id TEXT PRIMARY KEY,
    deployment_id TEXT NOT NULL REFERENCES deployments(id),
    canary INTEGER NOT NULL,
    assigned_at INTEGER NOT NULL
  );
  CREATE INDEX serving_assignments_by_deployment ON serving_assignments (deployment_id);
  CREATE TABLE telemetry_windows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id TEXT NOT NULL REFERENCES deployments(id),
    client_id TEXT NOT NULL,
    window_start_ms INTEGER NOT NULL,
    window_end_ms INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    latency_p50 REAL NOT NULL,
    latency_p95 REAL NOT NULL,
    latency_p99 REAL NOT NULL,
    latency_max REAL NOT NULL,
    class_counts TEXT NOT NULL,
    input_histogram TEXT NOT NULL,
    input_mean REAL NOT NULL,
    input_std REAL NOT NULL,
    labelled_count INTEGER NOT NULL,
    labelled_correct INTEGER NOT NULL
  );
  CREATE INDEX telemetry_by_deployment ON telemetry_windows (deployment_id, client_id);
  CREATE INDEX telemetry_by_client ON telemetry_windows (client_id, id);
  ALTER TABLE audit_log ADD COLUMN detail TEXT;
  `,
  // Edge-optimised artifacts built from model versions (issue #8): the artifact's own topology and weights frame, its figures.
  `
  CREATE TABLE edge_artifacts (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs(id),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    candidate TEXT NOT NULL,
    topology TEXT NOT NULL,
    tensor_specs TEXT NOT NULL,
    codec TEXT NOT NULL,
    weights BLOB NOT NULL,
    size_bytes INTEGER NOT NULL,
    gzip_bytes INTEGER NOT NULL,
    accuracy REAL NOT NULL,
    latency_p50_ms REAL NOT NULL,
    latency_p99_ms REAL NOT NULL,
    parameter_count INTEGER NOT NULL,
    sparsity REAL NOT NULL,
    min_accuracy REAL NOT NULL,
    held_out_examples INTEGER NOT NULL,
    report TEXT NOT NULL
  );
  CREATE INDEX edge_artifacts_by_job ON edge_artifacts (job_id, version);
  `,
  // Trustworthy aggregation (issue #12): what each update weighed and measured, outlier flags, and the strategy's
  // state (server optimiser moments, adaptive clip norm) stored with each model version so a restart continues it.
  `
  ALTER TABLE contributions ADD COLUMN weight REAL;
  ALTER TABLE contributions ADD COLUMN update_norm REAL;
  ALTER TABLE contributions ADD COLUMN distance_to_aggregate REAL;
  ALTER TABLE contributions ADD COLUMN outlier INTEGER;
  CREATE TABLE strategy_states (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    version INTEGER NOT NULL,
    scalars TEXT NOT NULL,
    tensors BLOB NOT NULL,
    PRIMARY KEY (job_id, version)
  );
  `,
  // Crash recovery (issue #13): a round the coordinator was restarted in is marked, does not count towards the job's
  // rounds, and another round runs in its place.
  `
  ALTER TABLE rounds ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
  `,
  // Growth (issue #15): job byte totals kept incrementally (re-summed once here), rounds counted from an index, and
  // model versions whose weights the retention policy dropped (the row stays, weights empty, pruned_at set).
  `
  UPDATE jobs SET bytes_up = (SELECT COALESCE(SUM(bytes_up), 0) FROM contributions WHERE job_id = jobs.id),
    bytes_down = (SELECT COALESCE(SUM(bytes_down), 0) FROM contributions WHERE job_id = jobs.id);
  CREATE INDEX rounds_by_status ON rounds (job_id, status);
  ALTER TABLE model_versions ADD COLUMN pruned_at INTEGER;
  CREATE INDEX model_versions_kept ON model_versions (job_id, version) WHERE pruned_at IS NULL;
  CREATE INDEX deployments_by_job ON deployments (job_id, version);
  `,
];
