-- asyncreply JDBC store, schema version 1, PostgreSQL 13 or newer.
-- Applied by the store itself (io.asyncreply.store.jdbc.Schema) inside one transaction that holds
-- pg_advisory_xact_lock, so several nodes may start at once. {prefix} is the table name prefix.
-- Statements are separated by a semicolon at the end of a line.

CREATE TABLE IF NOT EXISTS {prefix}tasks (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY,
    id               VARCHAR(64)  NOT NULL,
    type             VARCHAR(100) NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    submitted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    attempts         INTEGER      NOT NULL DEFAULT 0,
    progress         SMALLINT,
    result           BYTEA,
    result_type      TEXT,
    error_message    TEXT,
    cancel_requested BOOLEAN      NOT NULL DEFAULT FALSE,
    run_at           TIMESTAMP WITH TIME ZONE,
    lease_owner      TEXT,
    lease_until      TIMESTAMP WITH TIME ZONE,
    payload          BYTEA        NOT NULL,
    payload_type     TEXT,
    idempotency_key  VARCHAR(255),
    payload_digest   BYTEA,
    CONSTRAINT {prefix}tasks_pk PRIMARY KEY (id),
    CONSTRAINT {prefix}tasks_seq_uq UNIQUE (seq),
    CONSTRAINT {prefix}tasks_key_uq UNIQUE (idempotency_key),
    CONSTRAINT {prefix}tasks_status_ck CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'))
);

-- claim: the oldest ready task (ORDER BY run_at, seq), queued rows only
CREATE INDEX IF NOT EXISTS {prefix}tasks_claim_ix ON {prefix}tasks (run_at, seq) WHERE status = 'QUEUED';

-- list: newest first (seq DESC) uses the seq unique index; these serve the status and type filters
CREATE INDEX IF NOT EXISTS {prefix}tasks_status_seq_ix ON {prefix}tasks (status, seq);
CREATE INDEX IF NOT EXISTS {prefix}tasks_type_seq_ix ON {prefix}tasks (type, seq);

-- purge: terminal tasks by finish time
CREATE INDEX IF NOT EXISTS {prefix}tasks_finished_ix ON {prefix}tasks (finished_at, seq) WHERE finished_at IS NOT NULL;

-- recovery and lease renewal: running tasks by lease expiry
CREATE INDEX IF NOT EXISTS {prefix}tasks_lease_ix ON {prefix}tasks (lease_until) WHERE status = 'RUNNING';
