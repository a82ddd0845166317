-- A typed "evet" answers the last message the person saw: the newest broadcast row to her
-- chat address after her open dialog's question (dialogs.outbox_mark = the outbox's highest
-- row id when that question was asked).
CREATE INDEX outbox_by_address ON outbox(address, channel, id);
ALTER TABLE dialogs ADD COLUMN outbox_mark INTEGER NOT NULL DEFAULT 0;
-- The same mark for the person's last exchange with the bot (her last question's buttons, or
-- none): a notice with a higher row id came after it.
ALTER TABLE pending_choices ADD COLUMN outbox_mark INTEGER NOT NULL DEFAULT 0;
