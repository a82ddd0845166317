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
     AND NEW.address <> ''
     AND EXISTS (SELECT 1 FROM pending_erasures e
                 WHERE e.channel = NEW.channel AND e.address = NEW.address)
BEGIN
    UPDATE outbox SET address = '', payload = '{}' WHERE id = NEW.id;
    DELETE FROM pending_erasures WHERE channel = NEW.channel AND address = NEW.address
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.channel = NEW.channel
                        AND o.address = NEW.address AND o.status IN ('pending', 'sending'));
END;
