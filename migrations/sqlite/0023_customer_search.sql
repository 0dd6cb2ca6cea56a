-- A ticket's search document holds its customer's name and email (migration 0019): when a
-- customer is renamed, or their address changes, their tickets are found by the new ones (and
-- no longer by the old). The PostgreSQL twin of this file does the same.
CREATE TRIGGER customers_tickets_fts_update AFTER UPDATE OF name, email ON customers
WHEN old.name IS NOT new.name OR old.email IS NOT new.email BEGIN
    INSERT OR REPLACE INTO tickets_fts (rowid, subject, people, public_text, notes)
    SELECT s.id, s.subject, s.people, s.public_text, s.notes FROM tickets_fts_source s
    WHERE s.id IN (SELECT t.id FROM tickets t WHERE t.portal_id = new.portal_id AND t.customer_id = new.id);
END;
