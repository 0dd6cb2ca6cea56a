-- A ticket's search document survives more distinct words than one tsvector holds.
--
-- A tsvector holds at most 1 MiB (its words with their positions): some 600 KB of words that
-- are never repeated (pasted logs, hashes, a customer replying nonsense thirty times at the
-- 20,000 characters a message may have). Past that, to_tsvector fails, and with it the trigger
-- and so the reply or note being added: the ticket could take no more messages. Now such a
-- ticket is indexed by the start of each part instead, which always fits (each part's cut
-- makes at most a few hundred kilobytes, whatever its characters).

CREATE FUNCTION ticket_search_document(subject TEXT, people TEXT, public_text TEXT, notes TEXT)
RETURNS tsvector LANGUAGE plpgsql AS $$
BEGIN
    RETURN setweight(to_tsvector('simple'::regconfig, subject), 'A')
        || setweight(to_tsvector('simple'::regconfig, people), 'B')
        || setweight(to_tsvector('simple'::regconfig, public_text), 'C')
        || setweight(to_tsvector('simple'::regconfig, notes), 'D');
EXCEPTION WHEN program_limit_exceeded THEN
    RETURN setweight(to_tsvector('simple'::regconfig, left(subject, 1000)), 'A')
        || setweight(to_tsvector('simple'::regconfig, left(people, 2000)), 'B')
        || setweight(to_tsvector('simple'::regconfig, left(public_text, 50000)), 'C')
        || setweight(to_tsvector('simple'::regconfig, left(notes, 50000)), 'D');
END;
$$;

CREATE OR REPLACE FUNCTION ticket_search_refresh(p_portal BIGINT, p_ticket BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (portal_id, ticket_id, document)
    SELECT t.portal_id, t.id, ticket_search_document(
        t.subject,
        t.requester_name || ' ' || t.requester_email || COALESCE(' ' || c.name || ' ' || c.email, ''),
        COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.id)
            FROM ticket_messages m WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'public'), ''),
        COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.id)
            FROM ticket_messages m WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'note'), ''))
    FROM tickets t LEFT JOIN customers c ON c.portal_id = t.portal_id AND c.id = t.customer_id
    WHERE t.portal_id = p_portal AND t.id = p_ticket
    ON CONFLICT (portal_id, ticket_id) DO UPDATE SET document = excluded.document;
$$;
