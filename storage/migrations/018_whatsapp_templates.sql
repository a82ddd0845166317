-- WhatsApp: how many "a message is waiting" templates went to her since she last wrote, so a
-- closed window gets one (and at most one more, a week later, for a new notice), never one per
-- held message (handlers/whatsapp/channel.py, TEMPLATE_RULE).
ALTER TABLE whatsapp_contacts ADD COLUMN templates_since_inbound INTEGER NOT NULL DEFAULT 0;
