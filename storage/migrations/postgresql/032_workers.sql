-- Several workers on one schema (issue 21, item 4; docs/architecture.md, "Several workers").

-- The claim of a chat's oldest waiting update (storage.updates.claim_next_inbound) looks for an
-- older row of the same chat: one index probe per candidate.
CREATE INDEX inbound_updates_chat ON inbound_updates (channel, chat_key, id);

-- Wake-ups across processes: NOTIFY is delivered when the writing transaction commits (and not
-- at all if it rolls back), to every process that LISTENs on the schema's channel
-- (storage.postgres.notify_channel: 'koordinat_' || md5(schema)). Duplicates within one
-- transaction are delivered once. Payloads: 'inbound' (every worker's queue looks), 'outbox'
-- (the leader's dispatcher claims), 'reminders' (the leader's scheduler re-arms).
CREATE FUNCTION koordinat_wake() RETURNS trigger LANGUAGE plpgsql AS $koordinat$
BEGIN
    PERFORM pg_notify('koordinat_' || md5(TG_TABLE_SCHEMA), TG_ARGV[0]);
    RETURN NULL;
END
$koordinat$;

CREATE TRIGGER inbound_updates_wake AFTER INSERT ON inbound_updates
    FOR EACH STATEMENT EXECUTE FUNCTION koordinat_wake('inbound');

CREATE TRIGGER outbox_wake AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION koordinat_wake('outbox');

-- A pending row made due sooner, or put back to pending, by someone other than the dispatcher
-- (its own releases come from 'sending'): a held broadcast sent now, a retry from the CLI.
CREATE TRIGGER outbox_sooner AFTER UPDATE OF not_before, status ON outbox
    FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status <> 'sending'
                       AND (OLD.status <> 'pending' OR NEW.not_before < OLD.not_before))
    EXECUTE FUNCTION koordinat_wake('outbox');

CREATE TRIGGER reminders_wake AFTER INSERT ON reminders
    FOR EACH STATEMENT EXECUTE FUNCTION koordinat_wake('reminders');

CREATE TRIGGER reminders_sooner AFTER UPDATE OF wake_at, status ON reminders
    FOR EACH ROW WHEN (NEW.status = 'pending'
                       AND (OLD.status <> 'pending' OR OLD.wake_at IS NULL OR NEW.wake_at < OLD.wake_at))
    EXECUTE FUNCTION koordinat_wake('reminders');
