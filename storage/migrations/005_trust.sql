-- Trust (issue 8): the transactional inbox, reply parts, retention.

-- Every inbound platform update, stored before it is acknowledged (the next getUpdates offset,
-- the webhook's 200) and deleted once processed. `chat_key` keeps one chat's updates in order.
CREATE TABLE inbound_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the queue reads rows above the last seen id
    channel TEXT NOT NULL,
    update_id TEXT NOT NULL,
    chat_key TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    received_at REAL NOT NULL,
    UNIQUE (channel, update_id)
);

-- A reply that the platform splits into several messages: how many were delivered already,
-- so a retry sends only the rest.
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;

-- Delivery counts of outbox rows removed by the retention policy, per broadcast and status,
-- so that coordinators still see how many a notice reached.
CREATE TABLE broadcast_counts (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (broadcast_id, status)
);

CREATE INDEX outbox_finished ON outbox(status, sent_at);
CREATE INDEX reminders_finished ON reminders(status, finished_at);
