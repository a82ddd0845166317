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
