-- What an article search checks of each match, in a small index: the portal, the language,
-- who may read it and whether it is published (the columns after the article's text in the
-- row, which a look at the row itself reaches only through its overflow pages).
--
-- The search no longer asks the full-text index for a scope word (migration 0019's `scope`
-- column, still written, no longer read): bm25 counts the articles holding each word of a
-- query, and a scope word is held by every article of the portal's language and visibility,
-- so that count cost most of a search at 100,000 articles.
CREATE INDEX kb_articles_search_scope ON kb_articles (id, portal_id, language, visibility, published_revision);
