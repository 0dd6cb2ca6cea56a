-- A change counter for the portals and their settings. Every node keeps a copy of them in
-- memory (src/portals/cache.rs). On PostgreSQL the trigger also sends a notification on the
-- event channel, delivered to every node when the change commits; the counter is the twin of
-- SQLite's, where nodes poll it. Triggers catch every writer: the server, the command line,
-- and SQL typed by hand.
CREATE TABLE config_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE FUNCTION frontdesk_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE config_version SET version = version + 1 WHERE id = 1;
    PERFORM pg_notify('frontdesk_events', 'config');
    RETURN NULL;
END
$$;

CREATE TRIGGER portals_changed AFTER INSERT OR UPDATE OR DELETE ON portals
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_config_changed();
CREATE TRIGGER portal_settings_changed AFTER INSERT OR UPDATE OR DELETE ON portal_settings
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_config_changed();
