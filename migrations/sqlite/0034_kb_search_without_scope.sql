-- The articles' full-text index without its `scope` column (migration 0019), which no search
-- reads since migration 0032. Every query had to name the two columns it searches
-- (`{title body_text} : ...`), and that column filter made FTS5 copy each match's position
-- list to drop the third column's words: 6 % of a search's time at 100,000 articles
-- (docs/benchmarks.md). The index now reads kb_articles itself, and only a change of the title
-- or the text re-indexes an article.
DROP TRIGGER kb_articles_fts_insert;
DROP TRIGGER kb_articles_fts_delete;
DROP TRIGGER kb_articles_fts_update;
DROP TABLE kb_articles_fts;
DROP VIEW kb_articles_fts_source;

CREATE VIRTUAL TABLE kb_articles_fts USING fts5(
    title, body_text,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    -- The word being typed is a prefix: its first two and three letters are indexed as such.
    prefix = '2 3'
);

INSERT INTO kb_articles_fts (kb_articles_fts) VALUES ('rebuild');

CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
-- The old row's words, as they were indexed, take it out of the index.
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body_text)
    VALUES ('delete', old.id, old.title, old.body_text);
END;
CREATE TRIGGER kb_articles_fts_update AFTER UPDATE OF title, body_text ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body_text)
    VALUES ('delete', old.id, old.title, old.body_text);
    INSERT INTO kb_articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
