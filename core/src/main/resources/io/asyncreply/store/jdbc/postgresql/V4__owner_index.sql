-- asyncreply JDBC store, schema version 4, PostgreSQL 13 or newer: lists of one owner's tasks.
-- With authentication on, every user's list is filtered by its owner, and an admin's may be. Without
-- an index such a list walks the newest tasks of every owner until it has a page of this one's: with
-- a million tasks and an owner who has few, the whole table. Partial: tasks of the anonymous owner ''
-- (every task while authentication is off) add no entry to it, so such deployments pay nothing on
-- their writes. Applied like V1, inside the migration transaction that holds the advisory lock.

CREATE INDEX IF NOT EXISTS {prefix}tasks_owner_seq_ix ON {prefix}tasks (owner, seq) WHERE owner <> '';
