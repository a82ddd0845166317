-- /forget on WhatsApp: her business-scoped user id stayed in whatsapp_contacts (the bare window
-- row kept so that the goodbye goes out free-form) until the nightly prune. Once her last
-- message is final (her pending_erasures row goes, migration 008), the window row goes too,
-- unless the id belongs to a member again.
CREATE TRIGGER whatsapp_forget_window AFTER DELETE ON pending_erasures WHEN old.channel = 'whatsapp'
BEGIN
    DELETE FROM whatsapp_contacts WHERE user_id = old.address
        AND NOT EXISTS (SELECT 1 FROM identities WHERE channel = 'whatsapp' AND external_id = old.address);
END;
