-- WhatsApp reports many failures later, by status webhook (statuses[].status = 'failed'):
-- every message id the Cloud API gave us, with whom it went to and which reply it carried
-- (the outbox row's payload digest), so that a failed status is acted on like the same error
-- on the send. Pruned after a week (handlers/whatsapp/updates.py, forget_strangers); /unut
-- deletes hers (storage/whatsapp.py, forget_sent); nothing is recorded for non-members.
CREATE TABLE whatsapp_sent (
    message_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    reply_digest TEXT NOT NULL,
    template INTEGER NOT NULL DEFAULT 0,   -- 1: the "a message is waiting" template
    sent_at REAL NOT NULL
);
CREATE INDEX whatsapp_sent_by_time ON whatsapp_sent(sent_at);

-- Calendar entries (.ics) offered on WhatsApp as a link (the Cloud API does not take
-- text/calendar files): served by the web server at /takvim/<token>.ics until expires_at.
CREATE TABLE calendar_links (
    token TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    content TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX calendar_links_by_expiry ON calendar_links(expires_at);
