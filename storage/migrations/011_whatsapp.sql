-- WhatsApp (issue 12): the people we talk to on the Cloud API, their 24-hour customer-service
-- window, and messages held back while a template asked them to open it again.

-- One row per WhatsApp person, keyed by the business-scoped user id (BSUID, e.g.
-- "TR.13491208655302741918"); wa_id is the phone number in E.164 and only when WhatsApp sent it.
CREATE TABLE whatsapp_contacts (
    user_id TEXT PRIMARY KEY,
    wa_id TEXT,
    last_inbound_at REAL,          -- epoch seconds of her last message: the window opens here
    last_template_at REAL,         -- when we last asked her (by template) to open the window
    choices TEXT,                  -- JSON: the choices of the last message, to answer by typing
    created_at REAL NOT NULL
);

-- Free-form messages that could not go out because the window was closed: sent in order, as
-- soon as she writes again (a template told her there is something waiting).
CREATE TABLE whatsapp_held (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    member_id INTEGER,
    held_at REAL NOT NULL
);
CREATE INDEX whatsapp_held_by_user ON whatsapp_held(user_id, id);

-- One-time codes to link a Telegram and a WhatsApp identity of one person (/bagla).
CREATE TABLE link_codes (
    code TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    expires_at REAL NOT NULL
);

-- Preferred channel for notices when a person has several identities (/tercih).
ALTER TABLE members ADD COLUMN preferred_channel TEXT;

-- /forget deletes the member and, through the identities cascade, her phone number and held
-- messages. The bare window row stays so that the goodbye still goes out free-form; rows of
-- people without an identity are pruned nightly once their window has closed.
CREATE TRIGGER whatsapp_forget AFTER DELETE ON identities WHEN old.channel = 'whatsapp'
BEGIN
    UPDATE whatsapp_contacts SET wa_id = NULL, choices = NULL WHERE user_id = old.external_id;
    DELETE FROM whatsapp_held WHERE user_id = old.external_id;
END;
