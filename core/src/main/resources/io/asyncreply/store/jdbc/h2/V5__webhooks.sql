-- asyncreply JDBC store, schema version 5, H2 2.x: webhooks.
-- Subscriptions (with the secret their deliveries are signed with) and the outbox of deliveries.
-- A delivery row is inserted in the transaction that records its terminal event (see
-- ChangeWriter). Sets of names are stored as ',a,b,' ('' for none) so that membership is a
-- substring test. H2 commits DDL at once, so every statement is idempotent.

CREATE TABLE IF NOT EXISTS {prefix}webhooks (
    id          CHARACTER VARYING(64)  NOT NULL,
    owner       CHARACTER VARYING(255) DEFAULT '' NOT NULL,
    url         CHARACTER VARYING      NOT NULL,
    types       CHARACTER VARYING      NOT NULL,
    events      CHARACTER VARYING      NOT NULL,
    secret      CHARACTER VARYING      NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    disabled_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT {prefix}webhooks_pk PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS {prefix}webhooks_owner_ix ON {prefix}webhooks (owner);

CREATE TABLE IF NOT EXISTS {prefix}webhook_deliveries (
    id              CHARACTER VARYING(64)  NOT NULL,
    subscription_id CHARACTER VARYING(64),
    url             CHARACTER VARYING      NOT NULL,
    task_id         CHARACTER VARYING(64)  NOT NULL,
    event_seq       BIGINT                 NOT NULL,
    event           CHARACTER VARYING(16)  NOT NULL,
    owner           CHARACTER VARYING(255) DEFAULT '' NOT NULL,
    traceparent     CHARACTER VARYING(55),
    state           CHARACTER VARYING(16)  NOT NULL,
    attempts        INTEGER DEFAULT 0      NOT NULL,
    next_at         TIMESTAMP WITH TIME ZONE,
    last_status     INTEGER,
    last_error      CHARACTER VARYING(64),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at     TIMESTAMP WITH TIME ZONE,
    lease_owner     CHARACTER VARYING,
    lease_until     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT {prefix}webhook_deliveries_pk PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_due_ix ON {prefix}webhook_deliveries (state, next_at);
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_lease_ix ON {prefix}webhook_deliveries (state, lease_until);
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_sub_ix ON {prefix}webhook_deliveries (subscription_id, created_at);
CREATE INDEX IF NOT EXISTS {prefix}webhook_deliveries_done_ix ON {prefix}webhook_deliveries (finished_at);
