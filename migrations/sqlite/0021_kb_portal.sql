-- What the portal's knowledge-base pages keep in memory (src/kb/portal_cache.rs): each node keeps
-- a copy of a portal's categories and published articles' titles, and checks this one row per
-- page. Triggers bump it on every change a reader could see (a category, a name, an article
-- published, moved, retitled, unpublished or deleted), whoever makes it: the server, another
-- node, the command line, SQL typed by hand. Votes and drafts do not count. The twin of this
-- file for the other engine must keep the same tables and columns.
CREATE TABLE kb_versions (
    portal_id  INTEGER PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL
);

CREATE TRIGGER kb_categories_inserted AFTER INSERT ON kb_categories
BEGIN INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
      ON CONFLICT (portal_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER kb_categories_updated AFTER UPDATE ON kb_categories
BEGIN INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
      ON CONFLICT (portal_id) DO UPDATE SET version = version + 1; END;
-- A deletion only counts up: the portal may be being deleted itself (a cascade).
CREATE TRIGGER kb_categories_deleted AFTER DELETE ON kb_categories
BEGIN UPDATE kb_versions SET version = version + 1 WHERE portal_id = OLD.portal_id; END;

CREATE TRIGGER kb_category_names_inserted AFTER INSERT ON kb_category_names
BEGIN INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
      ON CONFLICT (portal_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER kb_category_names_updated AFTER UPDATE ON kb_category_names
BEGIN INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
      ON CONFLICT (portal_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER kb_category_names_deleted AFTER DELETE ON kb_category_names
BEGIN UPDATE kb_versions SET version = version + 1 WHERE portal_id = OLD.portal_id; END;

CREATE TRIGGER kb_articles_inserted AFTER INSERT ON kb_articles
BEGIN INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
      ON CONFLICT (portal_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER kb_articles_updated
AFTER UPDATE OF category_id, language, translation_of, visibility, title, published_revision, published_at ON kb_articles
BEGIN INSERT INTO kb_versions (portal_id, version) VALUES (NEW.portal_id, 1)
      ON CONFLICT (portal_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER kb_articles_deleted AFTER DELETE ON kb_articles
BEGIN UPDATE kb_versions SET version = version + 1 WHERE portal_id = OLD.portal_id; END;
