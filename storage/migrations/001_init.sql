-- Groups, people, invites, consent, exactly-once updates, dialogs, outbox, reminders, audit.
-- Human-facing times are UTC ISO-8601 strings; times the engines compare are epoch seconds.

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'tr',
    timezone TEXT NOT NULL DEFAULT 'Europe/Istanbul',
    telegram_chat_id TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    language TEXT NOT NULL,
    unreachable_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE identities (
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX identities_by_member ON identities(member_id);

CREATE TABLE memberships (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'member')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX memberships_by_member ON memberships(member_id);

CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'member')),
    expires_at TEXT,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    granted INTEGER NOT NULL,
    notice_version TEXT NOT NULL,
    channel TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX consents_by_member ON consents(member_id);

CREATE TABLE processed_updates (
    channel TEXT NOT NULL,
    update_id TEXT NOT NULL,
    processed_at REAL NOT NULL,
    PRIMARY KEY (channel, update_id)
);

-- Conversation state per chat (not per member: a dialog may run before the member exists).
CREATE TABLE dialogs (
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);

-- One broadcast = one notice to an audience; its outbox rows carry broadcast_id.
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    group_id INTEGER REFERENCES groups(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL
);

-- Every outgoing message. lane 0 = reply to a person's own action, lane 1 = bulk.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    lane INTEGER NOT NULL DEFAULT 1,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unreachable', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    sent_at REAL,
    external_message_id TEXT,
    error TEXT
);
CREATE INDEX outbox_ready ON outbox(status, lane, not_before, id);
CREATE INDEX outbox_by_broadcast ON outbox(broadcast_id, status);

-- Every future timed send; the scheduler only wakes the bot for the earliest due row.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    due_at REAL NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'cancelled', 'dropped')),
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX reminders_due ON reminders(status, due_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    group_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
);
