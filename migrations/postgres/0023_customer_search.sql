-- A ticket's search document holds its customer's name and email (migration 0019): when a
-- customer is renamed, or their address changes, their tickets are found by the new ones (and
-- no longer by the old). The SQLite twin of this file does the same.
CREATE FUNCTION customers_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ticket_search_refresh(t.portal_id, t.id)
    FROM tickets t WHERE t.portal_id = NEW.portal_id AND t.customer_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER customers_search AFTER UPDATE OF name, email ON customers FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION customers_search_changed();
