//! The SQL of the management pages for articles: reading one for its editor, the list, the
//! draft and settings saved, files linked, unpublishing and deleting. Every statement is scoped
//! to the portal; the caller has checked `edit_kb`.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Visibility;
use crate::db::Db;

/// An article as its editor sees it.
#[derive(Clone, Debug)]
pub struct EditorArticle {
    pub id: i64,
    pub category_id: i64,
    pub language: String,
    pub translation_of: Option<i64>,
    pub visibility: Visibility,
    /// The published title (the first title until the first publication).
    pub title: String,
    pub published_revision: Option<i64>,
    pub published_at: Option<i64>,
    pub draft_title: Option<String>,
    pub draft_markdown: Option<String>,
    pub draft_updated_at: Option<i64>,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub updated_at: i64,
}

impl EditorArticle {
    /// The title an editor knows it by: the draft's, else the published one.
    pub fn working_title(&self) -> &str {
        self.draft_title.as_deref().unwrap_or(&self.title)
    }

    /// Published, with a draft not yet published.
    pub fn has_changes(&self) -> bool {
        self.published_revision.is_some() && self.draft_markdown.is_some()
    }
}

const COLUMNS: &str = "id, category_id, language, translation_of, visibility, title, published_revision, published_at, \
                       draft_title, draft_markdown, draft_updated_at, helpful_yes, helpful_no, updated_at";

fn editor_article(r: &AnyRow) -> Result<EditorArticle, sqlx::Error> {
    let visibility: String = r.try_get("visibility")?;
    Ok(EditorArticle {
        id: r.try_get("id")?,
        category_id: r.try_get("category_id")?,
        language: r.try_get("language")?,
        translation_of: r.try_get("translation_of")?,
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Internal),
        title: r.try_get("title")?,
        published_revision: r.try_get("published_revision")?,
        published_at: r.try_get("published_at")?,
        draft_title: r.try_get("draft_title")?,
        draft_markdown: r.try_get("draft_markdown")?,
        draft_updated_at: r.try_get("draft_updated_at")?,
        helpful_yes: r.try_get("helpful_yes")?,
        helpful_no: r.try_get("helpful_no")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The portal's article `id`, if it has one.
pub async fn find(db: &Db, portal_id: i64, id: i64) -> Result<Option<EditorArticle>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM kb_articles WHERE portal_id = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(editor_article).transpose()
}

/// The text an editor starts from: the draft, else the latest revision's text (the published
/// one, or the last one published before it was taken down), else nothing.
pub async fn working_text(db: &Db, portal_id: i64, a: &EditorArticle) -> Result<(String, String), sqlx::Error> {
    if let Some(markdown) = &a.draft_markdown {
        return Ok((a.working_title().to_string(), markdown.clone()));
    }
    let row = sqlx::query(
        "SELECT title, body_markdown FROM kb_revisions WHERE portal_id = $1 AND article_id = $2 \
         ORDER BY number DESC LIMIT 1",
    )
    .bind(portal_id)
    .bind(a.id)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        Some(r) => (r.try_get("title")?, r.try_get("body_markdown")?),
        None => (a.title.clone(), String::new()),
    })
}

/// What the list shows, filtered.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// 0 for every category.
    pub category_id: i64,
    /// Empty for every language.
    pub language: String,
    /// `draft`, `published`, `changes`, or empty for all.
    pub state: String,
    /// Words the title (the draft's, else the published one) contains, or empty.
    pub words: String,
}

/// A `LIKE` pattern that finds `words` anywhere, case aside (ASCII on SQLite), with `%`, `_`
/// and the escape character itself taken literally.
pub fn contains_pattern(words: &str) -> String {
    let words = words.trim().to_lowercase();
    if words.is_empty() {
        return String::new();
    }
    let escaped = words.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// One page of the list, newest change first; `PAGE + 1` rows are asked for so the caller knows
/// whether there is a next page.
pub async fn list(
    db: &Db,
    portal_id: i64,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<EditorArticle>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM kb_articles WHERE portal_id = $1 \
         AND ($2 = 0 OR category_id = $2) AND ($3 = '' OR language = $3) \
         AND ($4 = '' OR ($4 = 'draft' AND published_revision IS NULL) \
              OR ($4 = 'published' AND published_revision IS NOT NULL) \
              OR ($4 = 'changes' AND published_revision IS NOT NULL AND draft_updated_at IS NOT NULL)) \
         AND ($7 = '' OR LOWER(COALESCE(draft_title, title)) LIKE $7 ESCAPE '\\') \
         ORDER BY updated_at DESC, id DESC LIMIT $5 OFFSET $6"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(filter.category_id)
        .bind(&filter.language)
        .bind(&filter.state)
        .bind(limit)
        .bind(offset)
        .bind(contains_pattern(&filter.words))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(editor_article).collect()
}

/// An article's other-language versions: (id, language, title), the original first.
pub async fn translations(
    db: &Db,
    portal_id: i64,
    a: &EditorArticle,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let original = a.translation_of.unwrap_or(a.id);
    let rows = sqlx::query(
        "SELECT id, language, COALESCE(draft_title, title) AS title FROM kb_articles \
         WHERE portal_id = $1 AND (id = $2 OR translation_of = $2) AND id <> $3 ORDER BY translation_of IS NOT NULL, id",
    )
    .bind(portal_id)
    .bind(original)
    .bind(a.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("language")?, r.try_get("title")?))).collect()
}

/// Why an article may not be linked as a translation of `original_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TranslationRefusal {
    /// No such article in the portal (or it is the article itself).
    Unknown,
    /// The original is itself a translation: translations point at originals.
    NotAnOriginal,
    /// The article has translations of its own, so it is an original.
    HasTranslations,
    SameLanguage,
    /// The original already has a translation in this language.
    Taken,
}

/// Checks that `article_id` (None for one being created) in `language` may be a translation of
/// `original_id`.
pub async fn check_translation(
    db: &Db,
    portal_id: i64,
    article_id: Option<i64>,
    language: &str,
    original_id: i64,
) -> Result<Result<(), TranslationRefusal>, sqlx::Error> {
    let this = article_id.unwrap_or(0);
    let row = sqlx::query("SELECT language, translation_of FROM kb_articles WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(original_id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row.filter(|_| original_id != this) else { return Ok(Err(TranslationRefusal::Unknown)) };
    if row.try_get::<Option<i64>, _>("translation_of")?.is_some() {
        return Ok(Err(TranslationRefusal::NotAnOriginal));
    }
    if row.try_get::<String, _>("language")? == language {
        return Ok(Err(TranslationRefusal::SameLanguage));
    }
    let own = sqlx::query("SELECT COUNT(*) AS n FROM kb_articles WHERE portal_id = $1 AND translation_of = $2")
        .bind(portal_id)
        .bind(this)
        .fetch_one(db.pool())
        .await?
        .try_get::<i64, _>("n")?;
    if own > 0 {
        return Ok(Err(TranslationRefusal::HasTranslations));
    }
    let taken = sqlx::query(
        "SELECT COUNT(*) AS n FROM kb_articles WHERE portal_id = $1 AND translation_of = $2 AND language = $3 AND id <> $4",
    )
    .bind(portal_id)
    .bind(original_id)
    .bind(language)
    .bind(this)
    .fetch_one(db.pool())
    .await?
    .try_get::<i64, _>("n")?;
    Ok(if taken > 0 { Err(TranslationRefusal::Taken) } else { Ok(()) })
}

/// Whether the original `original_id` has a translation in `language`.
pub async fn has_translation_in(
    db: &Db,
    portal_id: i64,
    original_id: i64,
    language: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM kb_articles WHERE portal_id = $1 AND translation_of = $2 AND language = $3",
    )
    .bind(portal_id)
    .bind(original_id)
    .bind(language)
    .fetch_one(db.pool())
    .await?
    .try_get("n")?;
    Ok(n > 0)
}

/// An article's settings and draft, as the editor saved them.
pub struct Saved<'a> {
    pub category_id: i64,
    pub language: &'a str,
    pub translation_of: Option<i64>,
    pub visibility: Visibility,
    pub title: &'a str,
    pub markdown: &'a str,
    pub staff_id: i64,
}

/// Writes the settings (they apply at once, published or not) and the draft. An article never
/// published also takes the title, so that it is listed by it. False when the article is gone.
pub async fn save_draft(
    conn: &mut AnyConnection,
    portal_id: i64,
    id: i64,
    s: &Saved<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE kb_articles SET category_id = $3, language = $4, translation_of = $5, visibility = $6, \
         title = CASE WHEN published_revision IS NULL THEN $7 ELSE title END, \
         draft_title = $7, draft_markdown = $8, draft_updated_at = $9, draft_staff_id = $10, updated_at = $9 \
         WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(id)
    .bind(s.category_id)
    .bind(s.language)
    .bind(s.translation_of)
    .bind(s.visibility.as_str())
    .bind(s.title)
    .bind(s.markdown)
    .bind(now)
    .bind(s.staff_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the article changed, which also takes its row for the rest of the transaction: two
/// publications of one article at once then wait for each other instead of both numbering the
/// same next revision. False when the article is gone.
pub async fn touch(conn: &mut AnyConnection, portal_id: i64, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE kb_articles SET updated_at = $3 WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Links uploaded (pending) files to the article, in the change's transaction. False when a file
/// is no longer pending (swept after an hour).
pub async fn link_files(conn: &mut AnyConnection, portal_id: i64, id: i64, files: &[i64]) -> Result<bool, sqlx::Error> {
    for file in files {
        if !crate::tickets::attachments::link_pending(conn, portal_id, *file).await? {
            return Ok(false);
        }
        sqlx::query("INSERT INTO kb_article_attachments (portal_id, article_id, attachment_id) VALUES ($1, $2, $3)")
            .bind(portal_id)
            .bind(id)
            .bind(file)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Forgets the draft of a published article: `only_if_unchanged` when it holds exactly the
/// published text (saving without changing anything is no change). False when there was no
/// such draft.
pub async fn drop_draft(
    conn: &mut AnyConnection,
    portal_id: i64,
    id: i64,
    only_if_unchanged: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE kb_articles SET draft_title = NULL, draft_markdown = NULL, draft_updated_at = NULL, draft_staff_id = NULL \
         WHERE portal_id = $1 AND id = $2 AND published_revision IS NOT NULL AND draft_markdown IS NOT NULL \
         AND ($3 = 0 OR EXISTS (SELECT 1 FROM kb_revisions r WHERE r.portal_id = $1 AND r.article_id = $2 \
              AND r.number = kb_articles.published_revision AND r.title = kb_articles.draft_title \
              AND r.body_markdown = kb_articles.draft_markdown))",
    )
    .bind(portal_id)
    .bind(id)
    .bind(i64::from(only_if_unchanged))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the article off the portal; its revisions stay, and publishing brings it back.
pub async fn unpublish(db: &Db, portal_id: i64, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE kb_articles SET published_revision = NULL, published_at = NULL, updated_at = $3 \
         WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(id)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Deletes the article with its revisions, votes and files; its translations become originals.
pub async fn delete(conn: &mut AnyConnection, portal_id: i64, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE kb_articles SET translation_of = NULL WHERE portal_id = $1 AND translation_of = $2")
        .bind(portal_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // The files go with the article (their links would go by cascade, the files would stay).
    sqlx::query(
        "DELETE FROM attachments WHERE portal_id = $1 AND id IN \
         (SELECT attachment_id FROM kb_article_attachments WHERE portal_id = $1 AND article_id = $2)",
    )
    .bind(portal_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    for sql in [
        "DELETE FROM kb_votes WHERE portal_id = $1 AND article_id = $2",
        "DELETE FROM kb_revisions WHERE portal_id = $1 AND article_id = $2",
        "DELETE FROM kb_articles WHERE portal_id = $1 AND id = $2",
    ] {
        sqlx::query(sql).bind(portal_id).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// A file of an article as its editor sees it.
#[derive(Clone, Debug)]
pub struct ArticleFile {
    pub id: i64,
    pub filename: String,
    pub size: i64,
    pub content_type: String,
}

impl ArticleFile {
    pub fn is_image(&self) -> bool {
        crate::tickets::downloads::served_type(&self.content_type, &self.filename).starts_with("image/")
    }
}

pub async fn files(db: &Db, portal_id: i64, article_id: i64) -> Result<Vec<ArticleFile>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.id, a.filename, a.size, a.content_type FROM kb_article_attachments l \
         JOIN attachments a ON a.portal_id = l.portal_id AND a.id = l.attachment_id \
         WHERE l.portal_id = $1 AND l.article_id = $2 ORDER BY a.id",
    )
    .bind(portal_id)
    .bind(article_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ArticleFile {
                id: r.try_get("id")?,
                filename: r.try_get("filename")?,
                size: r.try_get("size")?,
                content_type: r.try_get("content_type")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("  "), "");
        assert_eq!(contains_pattern("Reset"), "%reset%");
        assert_eq!(contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
