-- A change counter for the customers. Each node keeps the customers' signed-in sessions it read
-- lately in memory (src/auth/signed_in.rs). The trigger notifies the event channel, delivered
-- to every node when the change commits, once per statement however many rows it changed; the
-- counter is the twin of SQLite's, and backs the notification up while a node's `LISTEN`
-- connection is down. Triggers catch every writer: the server, the command line, and SQL typed
-- by hand. Sessions that end are announced by migration 0029's trigger.
CREATE TABLE customers_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO customers_version (id, version) VALUES (1, 0);

CREATE FUNCTION frontdesk_customers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customers_version SET version = version + 1 WHERE id = 1;
    PERFORM pg_notify('frontdesk_events', 'customers');
    RETURN NULL;
END
$$;

CREATE TRIGGER customers_changed AFTER UPDATE OR DELETE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_customers_changed();
