-- The buttons of the last question each person was asked (issue 10, item 10): what she types
-- next is matched against their words before any global keyword. One row per chat; replaced
-- by every answer the bot gives her, deleted when that answer has no buttons.
CREATE TABLE pending_choices (
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    choices TEXT NOT NULL,        -- JSON list of [label, choice id]
    exclusive INTEGER NOT NULL,   -- 1: only a button answers it (a preview, a confirmation)
    asked_at TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);

-- A member's optional note with a "no" or "maybe" (her reason), shown to coordinators only.
ALTER TABLE rsvps ADD COLUMN note TEXT;

-- Repeating meetings (issue 10, item 17): a series creates each occurrence as a normal meeting
-- (own answers and reminders) `lead_days` before it starts. weekly: every `weekday`;
-- monthly: the `nth` (1–4, or -1 for the last) `weekday` of each month. `local_time` is the
-- wall time in the group's zone, "HH:MM".
CREATE TABLE meeting_series (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    nth INTEGER,
    local_time TEXT NOT NULL,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    agenda TEXT,
    quorum INTEGER,
    duration_minutes INTEGER NOT NULL DEFAULT 120,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    lead_days INTEGER NOT NULL DEFAULT 30,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
ALTER TABLE meetings ADD COLUMN series_id INTEGER REFERENCES meeting_series(id) ON DELETE SET NULL;

-- Support a member asks for with her answer (the group's optional RSVP questions): a comma
-- list of childcare, transport, access. Only coordinators see whose.
ALTER TABLE rsvps ADD COLUMN needs TEXT;
