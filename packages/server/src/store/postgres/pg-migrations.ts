/**
 * PostgreSQL schema migrations, in order; `shoal_schema.version` says how many are applied. The first is the whole
 * schema of the SQLite migrations (store/migrations.ts) at the time PostgreSQL support came: BIGINT for integers
 * (millisecond times overflow INTEGER), DOUBLE PRECISION for REAL, BYTEA for blobs, JSONB for JSON text, and text
 * compared byte-wise (COLLATE "C") so orderings match SQLite's.
 */
const TEXT = 'TEXT COLLATE "C"';

export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clients (
    id ${TEXT} PRIMARY KEY,
    name ${TEXT} NOT NULL,
    capabilities JSONB NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
  );
  CREATE INDEX clients_by_last_seen ON clients (last_seen_at, id);
  CREATE TABLE jobs (
    id ${TEXT} PRIMARY KEY,
    name ${TEXT} NOT NULL,
    status ${TEXT} NOT NULL,
    status_reason ${TEXT},
    config JSONB NOT NULL,
    topology JSONB NOT NULL,
    tensor_specs JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    current_round BIGINT NOT NULL DEFAULT 0,
    latest_version BIGINT NOT NULL DEFAULT 0,
    bytes_up BIGINT NOT NULL DEFAULT 0,
    bytes_down BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE rounds (
    job_id ${TEXT} NOT NULL REFERENCES jobs(id),
    round BIGINT NOT NULL,
    status ${TEXT} NOT NULL,
    status_reason ${TEXT},
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    deadline_at BIGINT,
    selected BIGINT NOT NULL DEFAULT 0,
    reported BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    model_version BIGINT,
    metrics JSONB NOT NULL DEFAULT '{}',
    interrupted SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, round)
  );
  CREATE TABLE model_versions (
    job_id ${TEXT} NOT NULL REFERENCES jobs(id),
    version BIGINT NOT NULL,
    round BIGINT,
    parent_version BIGINT,
    created_at BIGINT NOT NULL,
    byte_length BIGINT NOT NULL,
    weights BYTEA NOT NULL,
    central_accuracy DOUBLE PRECISION,
    central_loss DOUBLE PRECISION,
    PRIMARY KEY (job_id, version)
  );
  CREATE TABLE contributions (
    job_id ${TEXT} NOT NULL REFERENCES jobs(id),
    round BIGINT NOT NULL,
    client_id ${TEXT} NOT NULL,
    status ${TEXT} NOT NULL,
    error_code ${TEXT},
    num_examples BIGINT,
    bytes_up BIGINT NOT NULL DEFAULT 0,
    bytes_down BIGINT NOT NULL DEFAULT 0,
    loss DOUBLE PRECISION,
    accuracy DOUBLE PRECISION,
    duration_ms DOUBLE PRECISION,
    updated_at BIGINT NOT NULL,
    payload_sha256 ${TEXT},
    weight DOUBLE PRECISION,
    update_norm DOUBLE PRECISION,
    distance_to_aggregate DOUBLE PRECISION,
    outlier SMALLINT,
    PRIMARY KEY (job_id, round, client_id)
  );
  CREATE INDEX contributions_by_client_recent ON contributions (client_id, updated_at);
  CREATE INDEX contributions_by_payload ON contributions (client_id, payload_sha256);
  CREATE TABLE admin_tokens (
    id ${TEXT} PRIMARY KEY,
    token_hash ${TEXT} NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    name ${TEXT} NOT NULL DEFAULT 'bootstrap',
    role ${TEXT} NOT NULL DEFAULT 'admin',
    created_by ${TEXT},
    revoked_at BIGINT
  );
  CREATE TABLE admin_sessions (
    id ${TEXT} PRIMARY KEY,
    token_hash ${TEXT} NOT NULL UNIQUE,
    subject ${TEXT} NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor ${TEXT} NOT NULL,
    action ${TEXT} NOT NULL,
    target ${TEXT},
    outcome ${TEXT} NOT NULL,
    error_code ${TEXT},
    address ${TEXT},
    detail ${TEXT}
  );
  CREATE TABLE join_tokens (
    id ${TEXT} PRIMARY KEY,
    token_hash ${TEXT} NOT NULL UNIQUE,
    uses BIGINT NOT NULL,
    uses_left BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    labels JSONB NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    created_by ${TEXT} NOT NULL,
    revoked_at BIGINT
  );
  CREATE TABLE devices (
    client_id ${TEXT} PRIMARY KEY,
    public_key ${TEXT} NOT NULL UNIQUE,
    name ${TEXT} NOT NULL,
    join_token_id ${TEXT} NOT NULL,
    enrolled_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by ${TEXT}
  );
  CREATE TABLE deployments (
    id ${TEXT} PRIMARY KEY,
    job_id ${TEXT} NOT NULL REFERENCES jobs(id),
    version BIGINT NOT NULL,
    artifact_id ${TEXT},
    cohort JSONB NOT NULL,
    canary JSONB,
    status ${TEXT} NOT NULL,
    status_reason ${TEXT},
    previous_deployment_id ${TEXT},
    telemetry_interval_ms BIGINT NOT NULL,
    drift_threshold DOUBLE PRECISION NOT NULL,
    reference JSONB,
    num_classes BIGINT NOT NULL,
    created_by ${TEXT} NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX deployments_by_status ON deployments (status);
  CREATE TABLE deployment_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id ${TEXT} NOT NULL REFERENCES deployments(id),
    at BIGINT NOT NULL,
    status ${TEXT} NOT NULL,
    actor ${TEXT} NOT NULL,
    reason ${TEXT}
  );
  CREATE INDEX deployment_events_by_deployment ON deployment_events (deployment_id, id);
  CREATE TABLE serving_assignments (
    client_id ${TEXT} PRIMARY KEY,
    deployment_id ${TEXT} NOT NULL REFERENCES deployments(id),
    canary SMALLINT NOT NULL,
    assigned_at BIGINT NOT NULL
  );
  CREATE INDEX serving_assignments_by_deployment ON serving_assignments (deployment_id);
  CREATE TABLE telemetry_windows (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id ${TEXT} NOT NULL REFERENCES deployments(id),
    client_id ${TEXT} NOT NULL,
    window_start_ms BIGINT NOT NULL,
    window_end_ms BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    latency_p50 DOUBLE PRECISION NOT NULL,
    latency_p95 DOUBLE PRECISION NOT NULL,
    latency_p99 DOUBLE PRECISION NOT NULL,
    latency_max DOUBLE PRECISION NOT NULL,
    class_counts JSONB NOT NULL,
    input_histogram JSONB NOT NULL,
    input_mean DOUBLE PRECISION NOT NULL,
    input_std DOUBLE PRECISION NOT NULL,
    labelled_count BIGINT NOT NULL,
    labelled_correct BIGINT NOT NULL
  );
  CREATE INDEX telemetry_by_deployment ON telemetry_windows (deployment_id, client_id);
  CREATE INDEX telemetry_by_client ON telemetry_windows (client_id, id);
  CREATE TABLE edge_artifacts (
    id ${TEXT} PRIMARY KEY,
    job_id ${TEXT} NOT NULL REFERENCES jobs(id),
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    candidate ${TEXT} NOT NULL,
    topology JSONB NOT NULL,
    tensor_specs JSONB NOT NULL,
    codec JSONB NOT NULL,
    weights BYTEA NOT NULL,
    size_bytes BIGINT NOT NULL,
    gzip_bytes BIGINT NOT NULL,
    accuracy DOUBLE PRECISION NOT NULL,
    latency_p50_ms DOUBLE PRECISION NOT NULL,
    latency_p99_ms DOUBLE PRECISION NOT NULL,
    parameter_count BIGINT NOT NULL,
    sparsity DOUBLE PRECISION NOT NULL,
    min_accuracy DOUBLE PRECISION NOT NULL,
    held_out_examples BIGINT NOT NULL,
    report JSONB NOT NULL
  );
  CREATE INDEX edge_artifacts_by_job ON edge_artifacts (job_id, version);
  CREATE TABLE strategy_states (
    job_id ${TEXT} NOT NULL REFERENCES jobs(id),
    version BIGINT NOT NULL,
    scalars JSONB NOT NULL,
    tensors BYTEA NOT NULL,
    PRIMARY KEY (job_id, version)
  );
  `,
  // Growth (issue #15), as SQLite's migration 8: job byte totals kept incrementally (re-summed once here), rounds
  // counted from an index, and model versions whose weights the retention policy dropped (row kept, pruned_at set).
  `
  UPDATE jobs SET bytes_up = (SELECT COALESCE(SUM(bytes_up), 0) FROM contributions WHERE job_id = jobs.id),
    bytes_down = (SELECT COALESCE(SUM(bytes_down), 0) FROM contributions WHERE job_id = jobs.id);
  CREATE INDEX rounds_by_status ON rounds (job_id, status);
  ALTER TABLE model_versions ADD COLUMN pruned_at BIGINT;
  CREATE INDEX model_versions_kept ON model_versions (job_id, version) WHERE pruned_at IS NULL;
  CREATE INDEX deployments_by_job ON deployments (job_id, version);
  `,
  // Several coordinator nodes on one database: the lease on each job, with its fencing epoch (lease-records.ts).
  // Times are the database's clock in milliseconds; the row outlives a release so that epochs only grow.
  `
  CREATE TABLE job_leases (
    job_id ${TEXT} PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    holder ${TEXT} NOT NULL,
    epoch BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  `,
];
