-- Full-text search over knowledge-base articles and tickets (SQLite: FTS5). The PostgreSQL twin
-- of this file keeps the same behaviour with tsvector columns and GIN indexes; the queries that
-- read these live in src/search/sqlite.rs.
--
-- Both indexes tokenise with unicode61 and fold accents, and keep words as written: stemming
-- (English or Portuguese, by the article's language) is done on the query side, where each word
-- becomes "word OR stem*" (src/search/query.rs). A word being typed is a prefix.
--
-- The index rows are keyed by the article's or ticket's own id (unique across portals); every
-- query joins them back to their table on (portal_id, id), so no row of another portal is read.

-- Articles: an external-content index over kb_articles, kept current by triggers whoever
-- writes the article. Its third column, `scope`, is not a column of kb_articles: it is words
-- naming the portal, language, visibility and publication (`p12 len vpublic published`), so that
-- a search narrows to what its reader may read inside the index, before any ranking, rather
-- than ranking every match of every portal and dropping most. The index's content is the view
-- below, which has that column, so reading the index's columns (and FTS5's 'rebuild' and
-- 'integrity-check') works. Queries still apply Reader::condition to what they return.
CREATE VIEW kb_articles_fts_source AS
SELECT id, title, body_text,
       'p' || portal_id || CASE language WHEN 'pt-BR' THEN 'pt' ELSE 'en' END
           || CASE WHEN published_revision IS NULL THEN 'draft' ELSE visibility END AS scope
FROM kb_articles;

CREATE VIRTUAL TABLE kb_articles_fts USING fts5(
    title, body_text, scope,
    content = 'kb_articles_fts_source', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    -- The word being typed is a prefix: its first two and three letters are indexed as such.
    prefix = '2 3'
);

INSERT INTO kb_articles_fts (rowid, title, body_text, scope) SELECT id, title, body_text, scope FROM kb_articles_fts_source;

CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (rowid, title, body_text, scope)
    SELECT id, title, body_text, scope FROM kb_articles_fts_source WHERE id = new.id;
END;
-- The old row's words, as they were indexed, take it out of the index.
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body_text, scope)
    VALUES ('delete', old.id, old.title, old.body_text,
        'p' || old.portal_id || CASE old.language WHEN 'pt-BR' THEN 'pt' ELSE 'en' END
            || CASE WHEN old.published_revision IS NULL THEN 'draft' ELSE old.visibility END);
END;
-- Only a change of what is indexed re-indexes (a vote or a draft save does not).
CREATE TRIGGER kb_articles_fts_update
AFTER UPDATE OF title, body_text, portal_id, language, visibility, published_revision ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body_text, scope)
    VALUES ('delete', old.id, old.title, old.body_text,
        'p' || old.portal_id || CASE old.language WHEN 'pt-BR' THEN 'pt' ELSE 'en' END
            || CASE WHEN old.published_revision IS NULL THEN 'draft' ELSE old.visibility END);
    INSERT INTO kb_articles_fts (rowid, title, body_text, scope)
    SELECT id, title, body_text, scope FROM kb_articles_fts_source WHERE id = new.id;
END;

-- Tickets: one document per ticket (a query's words may be in the subject, the requester and
-- any message), rebuilt by triggers when the ticket or one of its messages changes. Contentless:
-- the text is in tickets and ticket_messages already. Columns: the subject; the requester's
-- name and addresses; the public messages; the internal notes (which customers' searches leave
-- out by a column filter).
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    subject, people, public_text, notes,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The ticket's document, from its rows. A view so that every trigger builds it the same way.
CREATE VIEW tickets_fts_source AS
SELECT t.id AS id,
       t.subject AS subject,
       t.requester_name || ' ' || t.requester_email || COALESCE(' ' || c.name || ' ' || c.email, '') AS people,
       COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages m
                 WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'public'), '') AS public_text,
       COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages m
                 WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id AND m.kind = 'note'), '') AS notes
FROM tickets t LEFT JOIN customers c ON c.portal_id = t.portal_id AND c.id = t.customer_id;

INSERT INTO tickets_fts (rowid, subject, people, public_text, notes)
SELECT id, subject, people, public_text, notes FROM tickets_fts_source;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT OR REPLACE INTO tickets_fts (rowid, subject, people, public_text, notes)
    SELECT id, subject, people, public_text, notes FROM tickets_fts_source WHERE id = new.id;
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, requester_name, requester_email, customer_id ON tickets BEGIN
    INSERT OR REPLACE INTO tickets_fts (rowid, subject, people, public_text, notes)
    SELECT id, subject, people, public_text, notes FROM tickets_fts_source WHERE id = new.id;
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM tickets_fts WHERE rowid = old.id;
END;
CREATE TRIGGER ticket_messages_fts_insert AFTER INSERT ON ticket_messages BEGIN
    INSERT OR REPLACE INTO tickets_fts (rowid, subject, people, public_text, notes)
    SELECT id, subject, people, public_text, notes FROM tickets_fts_source WHERE id = new.ticket_id;
END;
-- A merge moves messages to another ticket: both documents change.
CREATE TRIGGER ticket_messages_fts_update AFTER UPDATE OF ticket_id, kind, body ON ticket_messages BEGIN
    INSERT OR REPLACE INTO tickets_fts (rowid, subject, people, public_text, notes)
    SELECT id, subject, people, public_text, notes FROM tickets_fts_source WHERE id IN (old.ticket_id, new.ticket_id);
END;
CREATE TRIGGER ticket_messages_fts_delete AFTER DELETE ON ticket_messages BEGIN
    INSERT OR REPLACE INTO tickets_fts (rowid, subject, people, public_text, notes)
    SELECT id, subject, people, public_text, notes FROM tickets_fts_source WHERE id = old.ticket_id;
END;
