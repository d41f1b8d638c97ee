-- asyncreply JDBC store, schema version 1, H2 2.x.
-- Applied by the store itself (io.asyncreply.store.jdbc.Schema). H2 commits DDL at once, so every
-- statement is idempotent (IF NOT EXISTS) and the store serializes migrations within the JVM.
-- {prefix} is the table name prefix. Statements are separated by a semicolon at the end of a line.

CREATE TABLE IF NOT EXISTS {prefix}tasks (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY,
    id               CHARACTER VARYING(64)  NOT NULL,
    type             CHARACTER VARYING(100) NOT NULL,
    status           CHARACTER VARYING(16)  NOT NULL,
    submitted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    attempts         INTEGER NOT NULL DEFAULT 0,
    progress         SMALLINT,
    result           BINARY VARYING,
    result_type      CHARACTER VARYING,
    error_message    CHARACTER VARYING,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    run_at           TIMESTAMP WITH TIME ZONE,
    lease_owner      CHARACTER VARYING,
    lease_until      TIMESTAMP WITH TIME ZONE,
    payload          BINARY VARYING NOT NULL,
    payload_type     CHARACTER VARYING,
    idempotency_key  CHARACTER VARYING(255),
    payload_digest   BINARY VARYING,
    CONSTRAINT {prefix}tasks_pk PRIMARY KEY (id),
    CONSTRAINT {prefix}tasks_seq_uq UNIQUE (seq),
    CONSTRAINT {prefix}tasks_key_uq UNIQUE (idempotency_key),
    CONSTRAINT {prefix}tasks_status_ck CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'))
);

-- claim: the oldest ready task (WHERE status = 'QUEUED' ORDER BY run_at, seq)
CREATE INDEX IF NOT EXISTS {prefix}tasks_claim_ix ON {prefix}tasks (status, run_at, seq);

-- list: newest first (seq DESC) uses the seq unique index; these serve the status and type filters
CREATE INDEX IF NOT EXISTS {prefix}tasks_status_seq_ix ON {prefix}tasks (status, seq);
CREATE INDEX IF NOT EXISTS {prefix}tasks_type_seq_ix ON {prefix}tasks (type, seq);

-- purge: terminal tasks by finish time
CREATE INDEX IF NOT EXISTS {prefix}tasks_finished_ix ON {prefix}tasks (finished_at, seq);

-- recovery and lease renewal: running tasks by lease expiry
CREATE INDEX IF NOT EXISTS {prefix}tasks_lease_ix ON {prefix}tasks (status, lease_until);
