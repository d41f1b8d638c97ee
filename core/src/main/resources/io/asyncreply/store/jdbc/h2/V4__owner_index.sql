-- asyncreply JDBC store, schema version 4, H2 2.x: lists of one owner's tasks.
-- With authentication on, every user's list is filtered by its owner, and an admin's may be. Without
-- an index such a list walks the newest tasks of every owner until it has a page of this one's: with
-- a million tasks and an owner who has few, the whole table. The list names owner first in its
-- ORDER BY when it filters by owner, so that H2 reads this index in order and stops after a page.
-- H2 has no partial indexes: every task has an entry. Idempotent (IF NOT EXISTS), like V1.

CREATE INDEX IF NOT EXISTS {prefix}tasks_owner_seq_ix ON {prefix}tasks (owner, seq);
