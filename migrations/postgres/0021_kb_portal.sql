-- What the portal's knowledge-base pages keep in memory (src/kb/portal_cache.rs): each node keeps
-- a copy of a portal's categories and published articles' titles, and checks this one row per
-- page. Triggers bump it on every change a reader could see (a category, a name, an article
-- published, moved, retitled, unpublished or deleted), whoever makes it: the server, another
-- node, the command line, SQL typed by hand. Votes and drafts do not count. The twin of this
-- file for the other engine must keep the same tables and columns.
CREATE TABLE kb_versions (
    portal_id  BIGINT PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
    version    BIGINT NOT NULL
);

-- Rows inserted by one statement (the seed writes hundreds at once) count once per portal.
CREATE FUNCTION frontdesk_kb_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kb_versions (portal_id, version) SELECT DISTINCT portal_id, 1 FROM inserted_rows
    ON CONFLICT (portal_id) DO UPDATE SET version = kb_versions.version + 1;
    RETURN NULL;
END
$$;

-- A deletion only counts up: the portal may be being deleted itself (a cascade).
CREATE FUNCTION frontdesk_kb_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE kb_versions SET version = version + 1 WHERE portal_id IN (SELECT portal_id FROM deleted_rows);
    RETURN NULL;
END
$$;

CREATE FUNCTION frontdesk_kb_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = kb_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER kb_categories_inserted AFTER INSERT ON kb_categories
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_inserted();
CREATE TRIGGER kb_categories_updated AFTER UPDATE ON kb_categories
    FOR EACH ROW EXECUTE FUNCTION frontdesk_kb_updated();
CREATE TRIGGER kb_categories_deleted AFTER DELETE ON kb_categories
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_deleted();

CREATE TRIGGER kb_category_names_inserted AFTER INSERT ON kb_category_names
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_inserted();
CREATE TRIGGER kb_category_names_updated AFTER UPDATE ON kb_category_names
    FOR EACH ROW EXECUTE FUNCTION frontdesk_kb_updated();
CREATE TRIGGER kb_category_names_deleted AFTER DELETE ON kb_category_names
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_deleted();

CREATE TRIGGER kb_articles_inserted AFTER INSERT ON kb_articles
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_inserted();
CREATE TRIGGER kb_articles_updated AFTER UPDATE ON kb_articles FOR EACH ROW
    WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.language IS DISTINCT FROM NEW.language
          OR OLD.translation_of IS DISTINCT FROM NEW.translation_of OR OLD.visibility IS DISTINCT FROM NEW.visibility
          OR OLD.title IS DISTINCT FROM NEW.title OR OLD.published_revision IS DISTINCT FROM NEW.published_revision
          OR OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION frontdesk_kb_updated();
CREATE TRIGGER kb_articles_deleted AFTER DELETE ON kb_articles
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_kb_deleted();
