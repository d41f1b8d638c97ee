-- asyncreply JDBC store, schema version 2, PostgreSQL 13 or newer: the node registry.
-- One row per node (TaskService), written by its heartbeat every third of its lease and shown by
-- /health; rows silent for several leases are deleted by the other nodes. Applied like V1, inside
-- the migration transaction that holds the advisory lock. {prefix} is the table name prefix.

CREATE TABLE IF NOT EXISTS {prefix}nodes (
    node_id        TEXT    NOT NULL,
    started_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat TIMESTAMP WITH TIME ZONE NOT NULL,
    running        INTEGER NOT NULL,
    CONSTRAINT {prefix}nodes_pk PRIMARY KEY (node_id)
);
