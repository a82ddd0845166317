-- An inbound update that could not be parsed, stored or processed: kept raw (JSON text, every
-- character outside ASCII escaped, so even a lone UTF-16 surrogate is storable) with the
-- reason, so one bad update never blocks the intake. `koordinat quarantine list|retry|drop`.
-- `chat_key` is the chat it came from ('' if unknown): /forget deletes that person's rows.
CREATE TABLE quarantined_updates (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    update_id TEXT NOT NULL,
    chat_key TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at DOUBLE PRECISION NOT NULL,
    retries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX quarantined_updates_by_chat ON quarantined_updates(chat_key);

-- A Telegram group linked from inside a forum topic posts its notices to that topic
-- (message_thread_id), not to General. NULL: the chat itself (no topics).
ALTER TABLE groups ADD COLUMN telegram_thread_id INTEGER;
-- When the linked topic (or General) is closed or deleted, the coordinators are told once;
-- this holds when they were, cleared by the next /baglan.
ALTER TABLE groups ADD COLUMN telegram_topic_problem_at DOUBLE PRECISION;
