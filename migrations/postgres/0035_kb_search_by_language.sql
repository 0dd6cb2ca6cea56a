-- Article search reads one language's published articles per branch (src/search/postgres.rs),
-- but the one index held every article: a word both languages' dictionaries stem alike
-- (`password` in English articles is `password` in Portuguese too) made the Portuguese branch
-- visit each English match in the table to drop it by language, as many rows as the English
-- branch ranked. One index per language holds only the articles its branch may return
-- (drafts are never searched). At 100,000 articles a one-word search's SQL went from 18-24 ms
-- to 11-18 ms; the indexes take about 8 s to build.
CREATE INDEX kb_articles_search_en ON kb_articles USING GIN (search)
    WHERE language = 'en' AND published_revision IS NOT NULL;
CREATE INDEX kb_articles_search_pt_br ON kb_articles USING GIN (search)
    WHERE language = 'pt-BR' AND published_revision IS NOT NULL;
DROP INDEX kb_articles_search;
