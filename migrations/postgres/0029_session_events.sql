-- A session that ends (signed out, ended by its owner or an administrator, ended by a password
-- change, purged once expired; whoever deletes the row, by whatever path) is announced to every
-- node, so that the sockets it opened close at once rather than at their next periodic check.
-- One notification per session, sent at commit. SQLite's twin writes the ends into a table
-- that the server polls (src/events/poll.rs).
CREATE FUNCTION frontdesk_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('frontdesk_events', 'session:' || OLD.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION frontdesk_session_ended();
