-- asyncreply JDBC store, schema version 3, PostgreSQL 13 or newer: engine v2.
-- Adds the event log, error codes, owners (idempotency keys become unique per owner), the
-- submission options (priority, expiry, retry of, trace context) and result metadata that lets a
-- page of tasks skip large results. Existing rows keep their data: their error codes are derived
-- from the messages the engine wrote, their result metadata from the results.
-- Applied like V1, inside the migration transaction that holds the advisory lock.

ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS error_code VARCHAR(64);
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS owner VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS priority SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS retry_of VARCHAR(64);
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS traceparent VARCHAR(55);
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS result_size BIGINT;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS result_json BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE {prefix}tasks ADD COLUMN IF NOT EXISTS callback_url TEXT;

UPDATE {prefix}tasks SET error_code = CASE
        WHEN error_message LIKE 'Abandoned after %' THEN 'abandoned'
        WHEN error_message LIKE 'Attempt % stopped without finishing%' THEN 'lease-expired'
        WHEN error_message LIKE 'Attempt % was interrupted:%' THEN 'interrupted'
        ELSE 'handler-error' END
    WHERE error_message IS NOT NULL AND error_code IS NULL;
UPDATE {prefix}tasks SET result_size = octet_length(result),
        result_json = (lower(result_type) LIKE 'application/json%' OR lower(result_type) LIKE 'application/%+json%')
    WHERE result IS NOT NULL AND result_size IS NULL;

-- idempotency keys are unique per owner ('' is the anonymous owner); partial, so that a task without a
-- key adds no entry to it (every change of a task's row writes every index the new row is in)
ALTER TABLE {prefix}tasks DROP CONSTRAINT IF EXISTS {prefix}tasks_key_uq;
CREATE UNIQUE INDEX IF NOT EXISTS {prefix}tasks_owner_key_uq ON {prefix}tasks (owner, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- claim: ready tasks by priority (highest first), run time, submission
DROP INDEX IF EXISTS {prefix}tasks_claim_ix;
CREATE INDEX IF NOT EXISTS {prefix}tasks_ready_ix ON {prefix}tasks (priority DESC, run_at, seq) WHERE status = 'QUEUED';
-- expiry of queued tasks with a time to live
CREATE INDEX IF NOT EXISTS {prefix}tasks_expiry_ix ON {prefix}tasks (expires_at) WHERE status = 'QUEUED' AND expires_at IS NOT NULL;

-- the event log: one row per change of a task, written in the transaction of the change. seq is
-- taken from the sequence after the change has locked the task's row (CACHE 1: ids are handed
-- out in order). The task's fixed fields are read from the task's row.
CREATE TABLE IF NOT EXISTS {prefix}events (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY,
    task_id          VARCHAR(64)  NOT NULL,
    kind             VARCHAR(16)  NOT NULL,
    made_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    node             TEXT,
    status           VARCHAR(16)  NOT NULL,
    attempts         INTEGER      NOT NULL,
    progress         SMALLINT,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    run_at           TIMESTAMP WITH TIME ZONE,
    error_code       VARCHAR(64),
    error_message    TEXT,
    cancel_requested BOOLEAN      NOT NULL,
    CONSTRAINT {prefix}events_pk PRIMARY KEY (seq)
);
CREATE INDEX IF NOT EXISTS {prefix}events_task_ix ON {prefix}events (task_id, seq);

-- task types: paused or not, and the token bucket of a rate-limited type. A claim of a limited type
-- locks its row (FOR UPDATE), so that nodes claiming it at once count what runs one after the other.
CREATE TABLE IF NOT EXISTS {prefix}types (
    type       VARCHAR(100) NOT NULL,
    paused     BOOLEAN      NOT NULL DEFAULT FALSE,
    tokens     DOUBLE PRECISION,
    tokens_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT {prefix}types_pk PRIMARY KEY (type)
);

-- the node registry also says which task types each node serves (comma-separated)
ALTER TABLE {prefix}nodes ADD COLUMN IF NOT EXISTS types TEXT NOT NULL DEFAULT '';
