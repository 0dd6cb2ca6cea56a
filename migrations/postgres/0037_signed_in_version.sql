-- A change counter for what a signed-in customer's pages rest on: the customers, and whether
-- their sessions still exist. Each node remembers the customers' sessions it read lately, with
-- their accounts (src/auth/signed_in.rs). A change to a customer also notifies the event
-- channel, delivered to every node at commit; a session's end is notified by migration 0029's
-- trigger. Nodes read the counter with `config_version` a few times a second: it stands in for
-- both notifications while a node's `LISTEN` connection is down or silently cut. Triggers catch
-- every writer: the server, the command line, and SQL typed by hand.
CREATE TABLE signed_in_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO signed_in_version (id, version) VALUES (1, 0);

CREATE FUNCTION frontdesk_customers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE signed_in_version SET version = version + 1 WHERE id = 1;
    PERFORM pg_notify('frontdesk_events', 'signins');
    RETURN NULL;
END
$$;

-- Only a real change counts: `SET id = id`, which locks the row for a password-reset form, does
-- not (nor does it wait for the counter's row).
CREATE TRIGGER customers_changed AFTER UPDATE ON customers
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION frontdesk_customers_changed();

-- Statements that deleted nothing (a sign-out of an unknown token, a purge with nothing to
-- purge) leave the counter alone.
CREATE FUNCTION frontdesk_signed_in_rows_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted_rows) THEN
        UPDATE signed_in_version SET version = version + 1 WHERE id = 1;
        IF TG_TABLE_NAME = 'customers' THEN
            PERFORM pg_notify('frontdesk_events', 'signins');
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER customers_deleted AFTER DELETE ON customers REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_signed_in_rows_deleted();
CREATE TRIGGER sessions_ended_counted AFTER DELETE ON sessions REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_signed_in_rows_deleted();
