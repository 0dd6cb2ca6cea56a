-- Bulk loads (`frontdesk seed`) index each batch of tickets once, at its end, instead of through
-- the triggers of migration 0019 on every row. Through the triggers a ticket's document was
-- rebuilt for the ticket and again for each of its messages: a million seeded tickets took
-- about an hour. A transaction that says `SET LOCAL frontdesk.ticket_search = 'deferred'`
-- skips the triggers' work and must call `ticket_search_index_numbers` before it commits;
-- nothing else sets it. The SQLite twin needs nothing: its FTS5 triggers are cheap.

CREATE OR REPLACE FUNCTION tickets_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('frontdesk.ticket_search', true) IS DISTINCT FROM 'deferred' THEN
        PERFORM ticket_search_refresh(NEW.portal_id, NEW.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION ticket_messages_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('frontdesk.ticket_search', true) = 'deferred' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM ticket_search_refresh(OLD.portal_id, OLD.ticket_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.ticket_id <> OLD.ticket_id) THEN
        PERFORM ticket_search_refresh(NEW.portal_id, NEW.ticket_id);
    END IF;
    RETURN NULL;
END;
$$;

-- The documents of a portal's tickets numbered `p_first` to `p_last` (a batch's numbers: no
-- other ticket holds them, whereas a ticket written meanwhile by someone else can take an id
-- between the batch's), written in one statement: the same document as
-- `ticket_search_refresh` writes (migration 0022). Answers how many were written. Each
-- ticket's texts are read through the messages' index, as there: a bulk load's own rows have
-- no statistics yet, and a plan that joined the batch's messages grouped once took 5 s for
-- 2,000 tickets (it ran the grouping again for each ticket).
CREATE FUNCTION ticket_search_index_numbers(p_portal BIGINT, p_first BIGINT, p_last BIGINT) RETURNS BIGINT
LANGUAGE sql AS $$
    WITH written AS (
        INSERT INTO ticket_search (portal_id, ticket_id, document)
        SELECT t.portal_id, t.id, ticket_search_document(
            t.subject,
            t.requester_name || ' ' || t.requester_email || COALESCE((SELECT ' ' || c.name || ' ' || c.email
                FROM customers c WHERE c.portal_id = t.portal_id AND c.id = t.customer_id), ''),
            COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.id) FROM ticket_messages m
                WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'public'), ''),
            COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.id) FROM ticket_messages m
                WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'note'), ''))
        FROM tickets t
        WHERE t.portal_id = p_portal AND t.number BETWEEN p_first AND p_last
        ON CONFLICT (portal_id, ticket_id) DO UPDATE SET document = excluded.document
        RETURNING 1
    )
    SELECT COUNT(*) FROM written;
$$;
