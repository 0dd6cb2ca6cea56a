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

-- Articles: an external-content index over kb_articles (snippets read the article's own text),
-- kept current by triggers, whoever writes the article.
CREATE VIRTUAL TABLE kb_articles_fts USING fts5(
    title, body_text,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO kb_articles_fts (kb_articles_fts) VALUES ('rebuild');

CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text);
END;
-- Only a change of the text re-indexes (a vote or a draft save does not).
CREATE TRIGGER kb_articles_fts_update AFTER UPDATE OF title, body_text ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text);
    INSERT INTO kb_articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
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
