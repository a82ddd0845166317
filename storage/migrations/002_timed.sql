-- Timed messages (reminders) and sending (outbox).
-- reminders.wake_at: when the scheduler next looks at a row. Equal to due_at, or later after a
-- handler failed (due_at stays, so lateness is still judged against the real due time).
ALTER TABLE reminders ADD COLUMN wake_at REAL;
ALTER TABLE reminders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN error TEXT;
UPDATE reminders SET wake_at = due_at;
-- The scheduler arms one timer for MIN(wake_at) of pending rows: an index lookup, not a scan.
CREATE INDEX reminders_wake ON reminders(status, wake_at);

-- Forgetting a member and reporting unreachable members per broadcast without scans.
CREATE INDEX outbox_by_member ON outbox(member_id, status);
