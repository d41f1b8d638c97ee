-- asyncreply JDBC store, schema version 5, PostgreSQL 13 or newer: webhooks.
-- Subscriptions (with the secret their deliveries are signed with) and the outbox of deliveries.
-- A delivery row is inserted by the statement that records its terminal event (see PgApply), so it
-- exists exactly when the event does; nodes claim due rows with FOR UPDATE SKIP LOCKED and a lease.
-- Sets of names are stored as ',a,b,' ('' for none) so that membership is a substring test.
-- Applied like V1, inside the migration transaction that holds the advisory lock.

CREATE TABLE IF NOT EXISTS {prefix}webhooks (
    id          VARCHAR(64)  NOT NULL,
    owner       VARCHAR(255) NOT NULL DEFAULT '',
    url         TEXT         NOT NULL,
    types       TEXT         NOT NULL,
    events      TEXT         NOT NULL,
    secret      TEXT         NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    disabled_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT {prefix}webhooks_pk PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS {prefix}webhooks_owner_ix ON {prefix}webhooks (owner);

CREATE TABLE IF NOT EXISTS {prefix}webhook_deliveries (
    id              VARCHAR(64)  NOT NULL,
    subscription_id VARCHAR(64),
    url             TEXT         NOT NULL,
    task_id         VARCHAR(64)  NOT NULL,
    event_seq       BIGINT       NOT NULL,
    event           VARCHAR(16)  NOT NULL,
    owner           VARCHAR(255) NOT NULL DEFAULT '',
    traceparent     VARCHAR(55),
    state           VARCHAR(16)  NOT NULL,
    attempts        INTEGER      NOT NULL DEFAULT 0,
    next_at         TIMESTAMP WITH TIME ZONE,
    last_status     INTEGER,
    last_error      VARCHAR(64),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at     TIMESTAMP WITH TIME ZONE,
    lease_owner     TEXT,
    lease_until     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT {prefix}webhook_deliveries_pk PRIMARY KEY (id)
);
-- claims: due pending rows by time, expired leases by time
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_due_ix ON {prefix}webhook_deliveries (next_at) WHERE state = 'PENDING';
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_lease_ix ON {prefix}webhook_deliveries (lease_until) WHERE state = 'DELIVERING';
-- the delivery log of a subscription, newest first
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_sub_ix ON {prefix}webhook_deliveries (subscription_id, created_at);
-- purge of ended deliveries
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_done_ix ON {prefix}webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;
