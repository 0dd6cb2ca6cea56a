-- Every node keeps a copy of each portal's knowledge-base lists (src/kb/portal_cache.rs) and
-- trusts it until told of a change: a bump of a portal's knowledge-base version (migration 0021)
-- notifies every node, whoever made the change. PostgreSQL sends one notification per payload
-- per transaction, at commit. SQLite has no twin: there the server's own changes are announced
-- in-process and a poll catches the command line's (src/events/poll.rs).
CREATE FUNCTION frontdesk_kb_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('frontdesk_events', 'kb:' || NEW.portal_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER kb_versions_notify AFTER INSERT OR UPDATE ON kb_versions
    FOR EACH ROW EXECUTE FUNCTION frontdesk_kb_notify();
