-- asyncreply JDBC store, schema version 3, H2 2.x: engine v2.
-- Adds the event log, error codes, owners (idempotency keys become unique per owner), the
-- submission options (priority, expiry, retry of, trace context) and result metadata that lets a
-- page of tasks skip large results. Existing rows keep their data. H2 commits DDL at once, so
-- every statement is idempotent.

ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS error_code CHARACTER VARYING(64);
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS owner CHARACTER VARYING(255) DEFAULT '' NOT NULL;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS priority SMALLINT DEFAULT 0 NOT NULL;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS retry_of CHARACTER VARYING(64);
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS traceparent CHARACTER VARYING(55);
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS result_size BIGINT;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS result_json BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS callback_url CHARACTER VARYING;

UPDATE {prefix}tasks SET error_code = CASE
        WHEN error_message LIKE 'Abandoned after %' THEN 'abandoned'
        WHEN error_message LIKE 'Attempt % stopped without finishing%' THEN 'lease-expired'
        WHEN error_message LIKE 'Attempt % was interrupted:%' THEN 'interrupted'
        ELSE 'handler-error' END
    WHERE error_message IS NOT NULL AND error_code IS NULL;
UPDATE {prefix}tasks SET result_size = OCTET_LENGTH(result),
        result_json = (LOWER(result_type) LIKE 'application/json%' OR LOWER(result_type) LIKE 'application/%+json%')
    WHERE result IS NOT NULL AND result_size IS NULL;

-- idempotency keys are unique per owner ('' is the anonymous owner)
ALTER TABLE {prefix}tasks DROP CONSTRAINT IF EXISTS {prefix}tasks_key_uq;
ALTER TABLE {prefix}tasks ADD CONSTRAINT IF NOT EXISTS {prefix}tasks_owner_key_uq UNIQUE (owner, idempotency_key);

-- claim: WHERE status = 'QUEUED' ORDER BY status, priority DESC, run_at, seq
DROP INDEX IF EXISTS {prefix}tasks_claim_ix;
CREATE INDEX IF NOT EXISTS {prefix}tasks_ready_ix ON {prefix}tasks (status, priority DESC, run_at, seq);
CREATE INDEX IF NOT EXISTS {prefix}tasks_expiry_ix ON {prefix}tasks (status, expires_at);

-- the event log: one row per change of a task, written in the transaction of the change. H2 is
-- embedded, so ids are handed out by the store in this process (see LocalSequencer).
CREATE TABLE IF NOT EXISTS {prefix}events (
    seq              BIGINT NOT NULL,
    task_id          CHARACTER VARYING(64) NOT NULL,
    kind             CHARACTER VARYING(16) NOT NULL,
    made_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    node             CHARACTER VARYING,
    status           CHARACTER VARYING(16) NOT NULL,
    attempts         INTEGER NOT NULL,
    progress         SMALLINT,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    run_at           TIMESTAMP WITH TIME ZONE,
    error_code       CHARACTER VARYING(64),
    error_message    CHARACTER VARYING,
    cancel_requested BOOLEAN NOT NULL,
    CONSTRAINT {prefix}events_pk PRIMARY KEY (seq)
);
CREATE INDEX IF NOT EXISTS {prefix}events_task_ix ON {prefix}events (task_id, seq);

-- task types: paused or not, and the token bucket of a rate-limited type
CREATE TABLE IF NOT EXISTS {prefix}types (
    type       CHARACTER VARYING(100) NOT NULL,
    paused     BOOLEAN DEFAULT FALSE NOT NULL,
    tokens     DOUBLE PRECISION,
    tokens_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT {prefix}types_pk PRIMARY KEY (type)
);

-- the node registry also says which task types each node serves (comma-separated)
ALTER TABLE {prefix}nodes ADD COLUMN IF NOT EXISTS types CHARACTER VARYING DEFAULT '' NOT NULL;
