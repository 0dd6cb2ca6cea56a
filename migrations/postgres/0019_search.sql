-- Full-text search over knowledge-base articles and tickets (PostgreSQL: tsvector + GIN). The
-- SQLite twin of this file keeps the same behaviour with FTS5; the queries that read these live
-- in src/search/postgres.rs. Never select a tsvector column through sqlx's Any driver: it
-- cannot decode one (name the columns you read; no `SELECT *` on these tables).

-- Articles: the published title (weight A) and text (weight B), stemmed in the article's own
-- language. Generated, so every way an article is written keeps it current.
ALTER TABLE kb_articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN language = 'pt-BR' THEN
        setweight(to_tsvector('portuguese'::regconfig, title), 'A')
            || setweight(to_tsvector('portuguese'::regconfig, body_text), 'B')
    ELSE
        setweight(to_tsvector('english'::regconfig, title), 'A')
            || setweight(to_tsvector('english'::regconfig, body_text), 'B')
    END
) STORED;
CREATE INDEX kb_articles_search ON kb_articles USING GIN (search);
-- Keep the rows small: the HTML, text and tsvector go out of line (TOAST) above 128 bytes, so a
-- search that matches thousands of articles reads a few hundred heap pages, not one per article
-- (at 100,000 articles: 20 MB of heap instead of ~500 MB, a common word's search 3x faster).
ALTER TABLE kb_articles SET (toast_tuple_target = 128);

-- Tickets: one document per ticket, words kept as written ('simple': tickets are in any
-- language; every query word is a prefix instead). Weights say where a word came from: A the
-- subject, B the requester's name and addresses, C the public messages, D the internal notes
-- (which customers' searches leave out by asking for weights A-C only).
CREATE TABLE ticket_search (
    portal_id  BIGINT   NOT NULL,
    ticket_id  BIGINT   NOT NULL,
    document   tsvector NOT NULL,
    PRIMARY KEY (portal_id, ticket_id),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_search_document ON ticket_search USING GIN (document);

-- Rebuilds one ticket's document from its rows (nothing when the ticket is gone).
CREATE FUNCTION ticket_search_refresh(p_portal BIGINT, p_ticket BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (portal_id, ticket_id, document)
    SELECT t.portal_id, t.id,
        setweight(to_tsvector('simple'::regconfig, t.subject), 'A')
        || setweight(to_tsvector('simple'::regconfig, t.requester_name || ' ' || t.requester_email
                || COALESCE(' ' || c.name || ' ' || c.email, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.id)
                FROM ticket_messages m WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'public'), '')), 'C')
        || setweight(to_tsvector('simple'::regconfig, COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.id)
                FROM ticket_messages m WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'note'), '')), 'D')
    FROM tickets t LEFT JOIN customers c ON c.portal_id = t.portal_id AND c.id = t.customer_id
    WHERE t.portal_id = p_portal AND t.id = p_ticket
    ON CONFLICT (portal_id, ticket_id) DO UPDATE SET document = excluded.document;
$$;

SELECT ticket_search_refresh(portal_id, id) FROM tickets;

CREATE FUNCTION tickets_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ticket_search_refresh(NEW.portal_id, NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tickets_search AFTER INSERT OR UPDATE OF subject, requester_name, requester_email, customer_id
    ON tickets FOR EACH ROW EXECUTE FUNCTION tickets_search_changed();

-- A message added, changed, deleted or moved to another ticket by a merge.
CREATE FUNCTION ticket_messages_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM ticket_search_refresh(OLD.portal_id, OLD.ticket_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.ticket_id <> OLD.ticket_id) THEN
        PERFORM ticket_search_refresh(NEW.portal_id, NEW.ticket_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER ticket_messages_search AFTER INSERT OR DELETE OR UPDATE OF ticket_id, kind, body
    ON ticket_messages FOR EACH ROW EXECUTE FUNCTION ticket_messages_search_changed();
