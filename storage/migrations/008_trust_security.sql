-- Trust (issue 8): state the server keeps instead of trusting button ids, and erasure.

-- `/link` typed in a group chat by a coordinator of several groups: the chat to link waits
-- here; the button carries only the token (`linkchat:<token>:<group>`), never the chat id.
CREATE TABLE pending_chat_links (
    token TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    chat_address TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX pending_chat_links_by_expiry ON pending_chat_links(expires_at);

-- `/forget`: the confirmation is the last message to the person's address. Until it has
-- been sent the address waits here; once its row is sent (or given up) the trigger blanks
-- the row and drops the address, so nothing about the person stays in the outbox.
CREATE TABLE pending_erasures (
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (channel, address)
);

CREATE TRIGGER outbox_erase_after_final_send
AFTER UPDATE OF status ON outbox
WHEN NEW.status NOT IN ('pending', 'sending')
     AND EXISTS (SELECT 1 FROM pending_erasures e
                 WHERE e.channel = OLD.channel AND e.address = OLD.address)
BEGIN
    -- (Sent replies are blanked by the outbox already; a failed one is not.)
    UPDATE outbox SET address = '', payload = '{}' WHERE id = NEW.id AND (address <> '' OR payload <> '{}');
    DELETE FROM pending_erasures WHERE channel = OLD.channel AND address = OLD.address
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.channel = OLD.channel
                        AND o.address = OLD.address AND o.status IN ('pending', 'sending'));
END;
