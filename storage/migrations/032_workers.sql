-- Several workers on one PostgreSQL schema (issue 21, item 4): wake-ups across processes and the
-- per-chat claim's index. Nothing to do on SQLite (one process per file; wake-ups are in-process
-- calls): the PostgreSQL text is storage/migrations/postgresql/032_workers.sql.
SELECT 1;
