-- The knowledge base: nested categories, articles in English or Portuguese (translations linked),
-- each visible to everyone, to signed-in customers, or to agents only; drafts, published
-- revisions, files, and "was this helpful?" votes. The twin of this file for the other engine
-- must keep the same tables and columns.
--
-- Readers only ever read `kb_articles`: the published title, HTML (rendered and sanitised once,
-- when published) and plain text live on the article row, so a page needs no join to a
-- revision. `published_revision` is NULL until the first publication: such an article is a
-- draft that only editors see.

CREATE TABLE kb_categories (
    id           INTEGER PRIMARY KEY,
    portal_id    INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    -- NULL for a top-level category.
    parent_id    INTEGER,
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, parent_id) REFERENCES kb_categories (portal_id, id)
);
CREATE INDEX kb_categories_by_parent ON kb_categories (portal_id, parent_id, position);

-- A category's name in each language it has one in (at least one).
CREATE TABLE kb_category_names (
    portal_id    INTEGER NOT NULL,
    category_id  INTEGER NOT NULL,
    language     TEXT    NOT NULL CHECK (language IN ('en', 'pt-BR')),
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (portal_id, category_id, language),
    FOREIGN KEY (portal_id, category_id) REFERENCES kb_categories (portal_id, id) ON DELETE CASCADE
);

CREATE TABLE kb_articles (
    id                  INTEGER PRIMARY KEY,
    portal_id           INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    category_id         INTEGER NOT NULL,
    language            TEXT    NOT NULL CHECK (language IN ('en', 'pt-BR')),
    -- The article this one translates (NULL for an original). Translations point at the
    -- original, never at another translation.
    translation_of      INTEGER,
    visibility          TEXT    NOT NULL CHECK (visibility IN ('public', 'customers', 'internal')),
    -- What readers see: copied from the revision last published.
    title               TEXT    NOT NULL,
    body_html           TEXT    NOT NULL DEFAULT '',
    -- The published body as plain text, for search and snippets.
    body_text           TEXT    NOT NULL DEFAULT '',
    published_revision  INTEGER,
    published_at        INTEGER,
    -- The draft being worked on (NULL when there is none): Markdown, not yet visible.
    draft_title         TEXT,
    draft_markdown      TEXT,
    draft_updated_at    INTEGER,
    draft_staff_id      INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    helpful_yes         INTEGER NOT NULL DEFAULT 0,
    helpful_no          INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, category_id) REFERENCES kb_categories (portal_id, id),
    FOREIGN KEY (portal_id, translation_of) REFERENCES kb_articles (portal_id, id)
);
CREATE INDEX kb_articles_by_category ON kb_articles (portal_id, category_id, published_at);
CREATE INDEX kb_articles_by_translation ON kb_articles (portal_id, translation_of) WHERE translation_of IS NOT NULL;
CREATE INDEX kb_articles_by_update ON kb_articles (portal_id, updated_at);

-- Every publication, numbered per article from 1. Restoring an old revision publishes a new one
-- with its text (`restored_from` says which).
CREATE TABLE kb_revisions (
    id               INTEGER PRIMARY KEY,
    portal_id        INTEGER NOT NULL,
    article_id       INTEGER NOT NULL,
    number           INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    body_markdown    TEXT    NOT NULL,
    body_html        TEXT    NOT NULL,
    author_staff_id  INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    -- Shown when the author is gone.
    author_name      TEXT    NOT NULL,
    restored_from    INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (portal_id, id),
    UNIQUE (portal_id, article_id, number),
    FOREIGN KEY (portal_id, article_id) REFERENCES kb_articles (portal_id, id) ON DELETE CASCADE
);

-- Files and images of an article, stored like ticket attachments.
CREATE TABLE kb_article_attachments (
    portal_id      INTEGER NOT NULL,
    article_id     INTEGER NOT NULL,
    attachment_id  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, article_id, attachment_id),
    FOREIGN KEY (portal_id, article_id) REFERENCES kb_articles (portal_id, id) ON DELETE CASCADE,
    FOREIGN KEY (portal_id, attachment_id) REFERENCES attachments (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_article_attachments_by_attachment ON kb_article_attachments (portal_id, attachment_id);

-- One vote per reader and article, which they may change: `voter` is `customer:ID` or
-- `visitor:` and the SHA-256 of the visitor's random cookie. The article's counters change in the
-- same transaction.
CREATE TABLE kb_votes (
    portal_id   INTEGER NOT NULL,
    article_id  INTEGER NOT NULL,
    voter       TEXT    NOT NULL,
    helpful     INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, article_id, voter),
    FOREIGN KEY (portal_id, article_id) REFERENCES kb_articles (portal_id, id) ON DELETE CASCADE
);
