-- Article search ranks, per language, the newest 500 matches a reader may read
-- (src/search/postgres.rs). A word in a tenth of 100,000 articles made it visit every match in
-- the articles' wide table to find the newest: about 12,500 rows, most of a search's time.
-- `kb_search_newest` holds a copy of the words of only the newest published articles of each
-- portal and language (about `size` of them, 16,384 unless changed: it may hold an eighth more
-- or less before it is trimmed or filled again), with indexes of its own, its
-- rows kept narrow (the words out of line): a search asks it first, and the whole table only
-- when the copy holds fewer than 500 readable matches and is not every published article.
-- The copy is always a suffix: every published article of its portal and language whose id is
-- `below` or more is in it, none under (`below` 0: every published article is in it), so its
-- newest 500 matches are the table's. At 100,000 articles the heaviest one-word searches went
-- from 25-30 to 8-11 ms (docs/benchmarks.md), the others gained about half a millisecond.
CREATE TABLE kb_search_bounds (
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    size BIGINT NOT NULL DEFAULT 16384 CHECK (size > 0),
    below BIGINT NOT NULL DEFAULT 9223372036854775807,
    held BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (portal_id, language)
);

CREATE TABLE kb_search_newest (
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    article_id BIGINT NOT NULL,
    visibility TEXT NOT NULL,
    search tsvector NOT NULL,
    PRIMARY KEY (portal_id, language, article_id)
);
ALTER TABLE kb_search_newest ALTER COLUMN search SET STORAGE EXTERNAL;
ALTER TABLE kb_search_newest SET (toast_tuple_target = 128);
CREATE INDEX kb_search_newest_en ON kb_search_newest USING GIN (search) WHERE language = 'en';
CREATE INDEX kb_search_newest_pt_br ON kb_search_newest USING GIN (search) WHERE language = 'pt-BR';

-- Brings one portal's and language's copy up to date after `changed` articles changed (were
-- published, withdrawn, edited, deleted, moved to another language or visibility). Writers of
-- one portal and language take turns on its bounds row, and each statement here sees what the
-- one before committed: an article published while another is withdrawn is never left out.
-- (The app's writers of a portal already take turns on its `kb_versions` row, migration 0021,
-- which its triggers take before these: two portals' or languages' locks never cross.)
-- A search's newest `p_limit` matches in the copy, for a reader of `p_visibilities`. Planned
-- anew for each search, with the language written in (its own index's condition), and never
-- by reading the whole copy: the planner does not count reading each document out of line,
-- and with the copy's true statistics it chose to test all 33,000 documents of a copy against
-- a common prefix (88 ms) rather than ask the words' index (2 ms).
CREATE FUNCTION frontdesk_kb_newest_matches(
    p_portal BIGINT, p_language TEXT, p_query tsquery, p_visibilities TEXT[], p_limit BIGINT
) RETURNS TABLE (id BIGINT, search tsvector) LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT n.article_id, n.search FROM kb_search_newest n WHERE n.portal_id = $1 AND n.language = %L '
        'AND n.visibility = ANY ($2) AND n.search @@ $3 ORDER BY n.article_id + 0 DESC LIMIT $4', p_language)
        USING p_portal, p_visibilities, p_query, p_limit;
END
$$;

-- Trimming reads the copy's own key; filling walks the portal's articles down from `below`,
-- by the primary key, as far as it needs (no index of the articles' table serves only this: a
-- search's plan once chose such an index over the words' one and read 20,000 documents).
CREATE FUNCTION frontdesk_kb_newest_sync(p_portal BIGINT, p_language TEXT, p_changed BIGINT[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_size BIGINT;
    v_below BIGINT;
    v_held BIGINT;
    v_slack BIGINT;
    v_cutoff BIGINT;
    v_rows BIGINT;
BEGIN
    INSERT INTO kb_search_bounds (portal_id, language) VALUES (p_portal, p_language) ON CONFLICT DO NOTHING;
    SELECT size, below, held INTO v_size, v_below, v_held FROM kb_search_bounds
        WHERE portal_id = p_portal AND language = p_language FOR UPDATE;
    v_slack := v_size / 8;
    -- A bulk load (`frontdesk seed`, src/search/mod.rs) empties the copy instead, and searches
    -- read the whole table (`below` above 0, nothing held) until it is filled again at the end,
    -- or by the next change if the load never ends: correct all along, and no copying of
    -- articles that later ones push out.
    IF current_setting('frontdesk.kb_search', true) = 'deferred' THEN
        DELETE FROM kb_search_newest WHERE portal_id = p_portal AND language = p_language;
        UPDATE kb_search_bounds SET below = 9223372036854775807, held = 0
            WHERE portal_id = p_portal AND language = p_language;
        RETURN;
    END IF;
    DELETE FROM kb_search_newest
        WHERE portal_id = p_portal AND language = p_language AND article_id = ANY (p_changed);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_held := v_held - v_rows;
    INSERT INTO kb_search_newest (portal_id, language, article_id, visibility, search)
        SELECT portal_id, language, id, visibility, search FROM kb_articles
        WHERE portal_id = p_portal AND language = p_language AND published_revision IS NOT NULL
            AND id = ANY (p_changed) AND id >= v_below
        ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_held := v_held + v_rows;
    IF v_held > v_size + v_slack THEN
        SELECT article_id INTO v_cutoff FROM kb_search_newest
            WHERE portal_id = p_portal AND language = p_language
            ORDER BY article_id DESC OFFSET v_size - 1 LIMIT 1;
        DELETE FROM kb_search_newest
            WHERE portal_id = p_portal AND language = p_language AND article_id < v_cutoff;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        v_held := v_held - v_rows;
        v_below := v_cutoff;
    ELSIF v_held < v_size - v_slack AND v_below > 0 THEN
        SELECT COUNT(*), MIN(id) INTO v_rows, v_cutoff FROM (
            SELECT id FROM kb_articles
            WHERE portal_id = p_portal AND language = p_language AND published_revision IS NOT NULL
                AND id < v_below
            ORDER BY id DESC LIMIT v_size - v_held
        ) more;
        IF v_rows < v_size - v_held THEN
            v_cutoff := 0;
        END IF;
        INSERT INTO kb_search_newest (portal_id, language, article_id, visibility, search)
            SELECT portal_id, language, id, visibility, search FROM kb_articles
            WHERE portal_id = p_portal AND language = p_language AND published_revision IS NOT NULL
                AND id >= v_cutoff AND id < v_below
            ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        v_held := v_held + v_rows;
        v_below := v_cutoff;
    END IF;
    -- Written even when unchanged: a writer whose snapshot predates another's sync (REPEATABLE
    -- READ) then fails to lock the row instead of bringing the copy up to date from old rows.
    UPDATE kb_search_bounds SET below = v_below, held = v_held
        WHERE portal_id = p_portal AND language = p_language;
END
$$;

-- Syncs each portal and language of the changed rows (portal, language, id: three arrays of
-- one length), in one order.
CREATE FUNCTION frontdesk_kb_newest_sync_changed(p_portals BIGINT[], p_languages TEXT[], p_ids BIGINT[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN SELECT c.portal_id, c.language, array_agg(DISTINCT c.id) AS ids
        FROM unnest(p_portals, p_languages, p_ids) AS c (portal_id, language, id)
        GROUP BY c.portal_id, c.language ORDER BY c.portal_id, c.language
    LOOP
        PERFORM frontdesk_kb_newest_sync(r.portal_id, r.language, r.ids);
    END LOOP;
END
$$;

CREATE FUNCTION frontdesk_kb_newest_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM frontdesk_kb_newest_sync_changed(array_agg(portal_id), array_agg(language), array_agg(id))
        FROM inserted_rows WHERE published_revision IS NOT NULL;
    RETURN NULL;
END
$$;

-- Only what a search reads counts: a vote or a draft changes nothing here. An article moved to
-- another language changes both languages' copies.
CREATE FUNCTION frontdesk_kb_newest_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM frontdesk_kb_newest_sync_changed(array_agg(n.portal_id), array_agg(both_languages.language), array_agg(n.id))
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.language), (n.language)) AS both_languages (language)
        WHERE (o.published_revision IS NULL) <> (n.published_revision IS NULL)
            OR o.language <> n.language OR o.visibility <> n.visibility
            OR (n.published_revision IS NOT NULL AND (o.title <> n.title OR o.body_text <> n.body_text));
    RETURN NULL;
END
$$;

-- A portal being deleted takes its copy with it (the foreign keys): nothing to bring up to date.
CREATE FUNCTION frontdesk_kb_newest_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM frontdesk_kb_newest_sync_changed(array_agg(d.portal_id), array_agg(d.language), array_agg(d.id))
        FROM deleted_rows d
        WHERE d.published_revision IS NOT NULL AND EXISTS (SELECT 1 FROM portals p WHERE p.id = d.portal_id);
    RETURN NULL;
END
$$;

-- Emptied with the articles: the next sync of each portal and language starts afresh.
CREATE FUNCTION frontdesk_kb_newest_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM kb_search_newest;
    DELETE FROM kb_search_bounds;
    RETURN NULL;
END
$$;

-- The copy and its bounds are keyed by portal and id, which the triggers take from the new row:
-- an article keeps both for life (nothing in the app changes them).
CREATE FUNCTION frontdesk_kb_article_keys_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an article''s id and portal do not change (article %)', OLD.id;
END
$$;

-- A portal's copies made afresh, to hold its newest `p_size` published articles per language
-- (NULL: the size they have; docs/operations.md: a larger copy, or one out of step after a
-- restore without triggers; the end of a bulk load). Takes the portal's turn first, as the
-- app's writers do.
CREATE FUNCTION frontdesk_kb_newest_rebuild(p_portal BIGINT, p_size BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    UPDATE kb_versions SET version = version + 1 WHERE portal_id = p_portal;
    INSERT INTO kb_search_bounds (portal_id, language, size)
        SELECT p_portal, language, COALESCE(p_size, 16384) FROM (VALUES ('en'), ('pt-BR')) AS languages (language)
        ON CONFLICT (portal_id, language) DO UPDATE SET size = COALESCE(p_size, kb_search_bounds.size);
    FOR r IN SELECT language FROM kb_search_bounds WHERE portal_id = p_portal ORDER BY language FOR UPDATE LOOP
        DELETE FROM kb_search_newest WHERE portal_id = p_portal AND language = r.language;
        UPDATE kb_search_bounds SET below = 9223372036854775807, held = 0 WHERE portal_id = p_portal AND language = r.language;
        PERFORM frontdesk_kb_newest_sync(p_portal, r.language, '{}');
    END LOOP;
END
$$;

CREATE TRIGGER kb_articles_newest_inserted AFTER INSERT ON kb_articles
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_newest_inserted();
CREATE TRIGGER kb_articles_newest_updated AFTER UPDATE ON kb_articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION frontdesk_kb_newest_updated();
CREATE TRIGGER kb_articles_newest_deleted AFTER DELETE ON kb_articles
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_newest_deleted();
CREATE TRIGGER kb_articles_newest_truncated AFTER TRUNCATE ON kb_articles
    FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_newest_truncated();
CREATE TRIGGER kb_articles_keys_kept BEFORE UPDATE OF id, portal_id ON kb_articles FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.portal_id IS DISTINCT FROM NEW.portal_id)
    EXECUTE FUNCTION frontdesk_kb_article_keys_kept();

SELECT frontdesk_kb_newest_sync(portal_id, language, '{}') FROM (
    SELECT DISTINCT portal_id, language FROM kb_articles WHERE published_revision IS NOT NULL
) published;
-- Searches are planned with the copy's statistics from the start, not after autovacuum's turn.
ANALYZE kb_search_newest;
