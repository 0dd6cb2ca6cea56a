//! The SQL that writes articles, on the connection of the change being made (the caller owns
//! the transaction, so an article, its revision and its counters change together or not at all).

use sqlx::{AnyConnection, Row};

use super::Visibility;
use super::markdown;

/// A category as it is created, with its name in one language.
#[derive(Clone, Debug)]
pub struct NewCategory<'a> {
    pub portal_id: i64,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub language: &'a str,
    pub name: &'a str,
    pub description: &'a str,
}

/// Writes a category and its first name. The parent, if any, must be the same portal's (the
/// composite foreign key refuses another's).
pub async fn create_category(conn: &mut AnyConnection, new: &NewCategory<'_>, now: i64) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query(
        "INSERT INTO kb_categories (portal_id, parent_id, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(new.portal_id)
    .bind(new.parent_id)
    .bind(new.position)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    set_category_name(conn, new.portal_id, id, new.language, new.name, new.description).await?;
    Ok(id)
}

/// Sets (or replaces) a category's name in one language.
pub async fn set_category_name(
    conn: &mut AnyConnection,
    portal_id: i64,
    category_id: i64,
    language: &str,
    name: &str,
    description: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO kb_category_names (portal_id, category_id, language, name, description) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (portal_id, category_id, language) DO UPDATE SET name = excluded.name, description = excluded.description",
    )
    .bind(portal_id)
    .bind(category_id)
    .bind(language)
    .bind(name)
    .bind(description)
    .execute(conn)
    .await?;
    Ok(())
}

/// An article as it is created: a draft until `publish`.
#[derive(Clone, Debug)]
pub struct NewArticle<'a> {
    pub portal_id: i64,
    pub category_id: i64,
    /// `en` or `pt-BR`.
    pub language: &'a str,
    /// The original this one translates, if it is a translation.
    pub translation_of: Option<i64>,
    pub visibility: Visibility,
    pub title: &'a str,
    pub markdown: &'a str,
    pub staff_id: Option<i64>,
}

/// Writes a new article holding `title` and `markdown` as its draft; nobody but editors sees it
/// until it is published.
pub async fn create_article(conn: &mut AnyConnection, new: &NewArticle<'_>, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO kb_articles (portal_id, category_id, language, translation_of, visibility, title, \
         draft_title, draft_markdown, draft_updated_at, draft_staff_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $8, $8) RETURNING id",
    )
    .bind(new.portal_id)
    .bind(new.category_id)
    .bind(new.language)
    .bind(new.translation_of)
    .bind(new.visibility.as_str())
    .bind(new.title)
    .bind(new.markdown)
    .bind(now)
    .bind(new.staff_id)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

/// Who publishes.
#[derive(Clone, Copy, Debug)]
pub struct Author<'a> {
    pub staff_id: Option<i64>,
    pub name: &'a str,
}

/// Publishes `title` and `markdown` as the article's next revision: renders and sanitises it,
/// stores the revision, copies it onto the article for readers and clears the draft. Returns
/// the revision's number. `restored_from` names the revision whose text this brings back.
pub async fn publish(
    conn: &mut AnyConnection,
    portal_id: i64,
    article_id: i64,
    text: (&str, &str),
    author: Author<'_>,
    restored_from: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (title, body_markdown) = text;
    let rendered = markdown::render(body_markdown);
    let number: i64 = sqlx::query(
        "INSERT INTO kb_revisions (portal_id, article_id, number, title, body_markdown, body_html, author_staff_id, \
         author_name, restored_from, created_at) \
         SELECT $1, $2, COALESCE(MAX(number), 0) + 1, $3, $4, $5, $6, $7, $8, $9 FROM kb_revisions \
         WHERE portal_id = $1 AND article_id = $2 RETURNING number",
    )
    .bind(portal_id)
    .bind(article_id)
    .bind(title)
    .bind(body_markdown)
    .bind(&rendered.html)
    .bind(author.staff_id)
    .bind(author.name)
    .bind(restored_from)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("number")?;
    sqlx::query(
        "UPDATE kb_articles SET title = $3, body_html = $4, body_text = $5, published_revision = $6, published_at = $7, \
         updated_at = $7, draft_title = NULL, draft_markdown = NULL, draft_updated_at = NULL, draft_staff_id = NULL \
         WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(article_id)
    .bind(title)
    .bind(&rendered.html)
    .bind(&rendered.text)
    .bind(number)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(number)
}

/// Creates an article and publishes it at once (the seed, imports, tests).
pub async fn create_published(
    conn: &mut AnyConnection,
    new: &NewArticle<'_>,
    author: Author<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id = create_article(&mut *conn, new, now).await?;
    publish(conn, new.portal_id, id, (new.title, new.markdown), author, None, now).await?;
    Ok(id)
}
