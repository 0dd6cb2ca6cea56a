//! An article's files in management: downloaded (and shown as images in the editor's preview)
//! and deleted. They are uploaded with the article's form (`manage_articles.rs`) and stored like
//! ticket attachments, in the database; readers get them through the portal's own route, which
//! checks that they may read the article.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::Row;

use super::manage::parse_id;
use super::manage_articles::{EmptyForm, editable};
use crate::auth::ManageUser;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::web::csrf::CsrfForm;
use crate::web::extract::Path;
use crate::web::state::AppState;

/// Whether the portal's file `file_id` belongs to the article.
pub async fn of_article(db: &Db, portal_id: i64, article_id: i64, file_id: i64) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS found FROM kb_article_attachments WHERE portal_id = $1 AND article_id = $2 AND attachment_id = $3",
    )
    .bind(portal_id)
    .bind(article_id)
    .bind(file_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get::<i64, _>("found")).transpose()?.is_some())
}

/// The article's file, `id` and `file` from the address; 404 for any other.
async fn article_file(state: &AppState, user: &ManageUser, id: &str, file: &str) -> AppResult<(i64, i64)> {
    let article = editable(state, user, id).await?;
    let file = parse_id(file)?;
    if !of_article(&state.db, user.portal.id, article.id, file).await? {
        return Err(AppError::NotFound);
    }
    Ok((article.id, file))
}

pub async fn download(
    State(state): State<AppState>,
    user: ManageUser,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let (_, file) = article_file(&state, &user, &id, &file).await?;
    crate::tickets::downloads::serve(&state.db, user.portal.id, file).await
}

pub async fn delete(
    State(state): State<AppState>,
    user: ManageUser,
    Path((id, file)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let (article_id, file) = article_file(&state, &user, &id, &file).await?;
    // The link and the chunks go with the file (cascade).
    sqlx::query("DELETE FROM attachments WHERE portal_id = $1 AND id = $2")
        .bind(user.portal.id)
        .bind(file)
        .execute(state.db.writer())
        .await?;
    Ok(Redirect::to(&format!("/manage/kb/articles/{article_id}?msg=kb-file-deleted")).into_response())
}
