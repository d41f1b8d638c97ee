-- asyncreply JDBC store, schema version 2, H2 2.x: the node registry (one node: H2 is embedded).
-- One row per node (TaskService), written by its heartbeat every third of its lease and shown by
-- /health. Idempotent (IF NOT EXISTS), like V1. {prefix} is the table name prefix.

CREATE TABLE IF NOT EXISTS {prefix}nodes (
    node_id        CHARACTER VARYING NOT NULL,
    started_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat TIMESTAMP WITH TIME ZONE NOT NULL,
    running        INTEGER NOT NULL,
    CONSTRAINT {prefix}nodes_pk PRIMARY KEY (node_id)
);
