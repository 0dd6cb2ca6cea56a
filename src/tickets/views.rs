//! Saved views: an agent names the queue page's current filters and finds them in the queue
//! menu with their count. A view is personal, or shared by an administrator (a portal
//! administrator or a system administrator: those who already see the whole portal) with a
//! department, whose members all see it. A view stores only the canonical filter string; the
//! queue page reads it and applies the viewer's own scope each time, so a shared view never
//! shows an agent more than their own queues do.
//!
//! Personal views are renamed and deleted by their owner; shared ones by administrators only.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::manage::filters::{QueueQuery, parse_filters, parse_status};
use crate::accounts::permissions::Role;
use crate::auth::ManageUser;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Path;
use crate::web::state::AppState;

/// Views one person may keep, so that the menu's counts stay a handful of queries.
pub const MAX_PER_PERSON: i64 = 20;
/// Views the menu lists at most (own and shared).
const MAX_LISTED: i64 = 40;
const NAME_MAX: usize = 80;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/tickets/views", post(create))
        .route("/manage/tickets/views/{id}/rename", post(rename))
        .route("/manage/tickets/views/{id}/delete", post(delete))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub staff_id: i64,
    /// The department it is shared with; `None` for a personal view.
    pub department_id: Option<i64>,
    pub name: String,
    pub query: String,
}

/// Who may share views with a department, and rename or delete shared ones.
pub fn may_share(user: &ManageUser) -> bool {
    user.role == Role::Admin || user.staff.is_superadmin
}

/// Whether `user` may rename or delete `view` (which they see).
pub fn may_edit(user: &ManageUser, view: &SavedView) -> bool {
    match view.department_id {
        None => view.staff_id == user.staff.id,
        Some(_) => may_share(user),
    }
}

fn saved_view(r: &AnyRow) -> Result<SavedView, sqlx::Error> {
    Ok(SavedView {
        id: r.try_get("id")?,
        staff_id: r.try_get("staff_id")?,
        department_id: r.try_get("department_id")?,
        name: r.try_get("name")?,
        query: r.try_get("query")?,
    })
}

/// The views `user` sees: their personal ones first (at most `MAX_PER_PERSON`, so always
/// listed), then those shared with a department they belong to, and for administrators every
/// shared view of the portal; by name within each.
pub async fn visible(db: &Db, user: &ManageUser) -> Result<Vec<SavedView>, sqlx::Error> {
    select_visible(db, user, None).await
}

/// The views of `user`, or with `only` the one with that id if they see it, whatever its place
/// in the menu.
async fn select_visible(db: &Db, user: &ManageUser, only: Option<i64>) -> Result<Vec<SavedView>, sqlx::Error> {
    let portal_id = user.portal.id;
    let member_of = crate::accounts::departments::of_staff(db, portal_id, user.staff.id).await?;
    // Department ids come from the database, never from a form.
    let list: Vec<String> = member_of.iter().map(i64::to_string).collect();
    let mut shared =
        if list.is_empty() { String::new() } else { format!(" OR department_id IN ({})", list.join(", ")) };
    if may_share(user) {
        shared = " OR department_id IS NOT NULL".into();
    }
    let one = if only.is_some() { " AND id = $3" } else { "" };
    let sql = format!(
        "SELECT id, staff_id, department_id, name, query FROM ticket_views \
         WHERE portal_id = $1 AND ((staff_id = $2 AND department_id IS NULL){shared}){one} \
         ORDER BY CASE WHEN department_id IS NULL THEN 0 ELSE 1 END, name, id LIMIT {MAX_LISTED}"
    );
    // Audited: the string holds database ids and constants; the values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(user.staff.id);
    if let Some(id) = only {
        query = query.bind(id);
    }
    query.fetch_all(db.pool()).await?.iter().map(saved_view).collect()
}

/// The view with this id if `user` sees it; 404 otherwise (another portal's, another agent's).
pub async fn find_visible(db: &Db, user: &ManageUser, raw_id: &str) -> AppResult<SavedView> {
    let id = raw_id.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    select_visible(db, user, Some(id)).await?.into_iter().next().ok_or(AppError::NotFound)
}

fn checked_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(AppError::Page(StatusCode::UNPROCESSABLE_ENTITY, Msg::new("ticket-queue-view-name")));
    }
    Ok(name.to_string())
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    /// The page's canonical filter string.
    #[serde(default)]
    query: String,
    /// A department id to share the view with; empty for a personal view.
    #[serde(default)]
    share: String,
}

/// The department a view is shared with: one of the portal's, and only by an administrator.
async fn share_target(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<Option<i64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if !may_share(user) {
        return Err(AppError::forbidden(Msg::new("ticket-queue-share-admins")));
    }
    let id = raw.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let departments = crate::accounts::departments::list(&state.db, user.portal.id).await?;
    departments.iter().find(|d| d.id == id).map(|d| Some(d.id)).ok_or(AppError::NotFound)
}

async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    let name = checked_name(&form.name)?;
    let query = QueueQuery::from_canonical(&form.query)?;
    parse_filters(&query)?;
    // A status that does not read would make every page showing the view a 400.
    parse_status(query.status.as_deref()).ok_or_else(|| AppError::bad_request(Msg::new("desk-bad-status")))?;
    let department_id = share_target(&state, &user, &form.share).await?;
    let portal_id = user.portal.id;
    let mut tx = state.db.writer().begin().await?;
    let owned: i64 = sqlx::query("SELECT COUNT(*) AS n FROM ticket_views WHERE portal_id = $1 AND staff_id = $2")
        .bind(portal_id)
        .bind(user.staff.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if owned >= MAX_PER_PERSON {
        let msg = Msg::new("ticket-queue-view-limit").arg("limit", MAX_PER_PERSON.to_string());
        return Err(AppError::Page(StatusCode::CONFLICT, msg));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO ticket_views (portal_id, staff_id, department_id, name, query, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(portal_id)
    .bind(user.staff.id)
    .bind(department_id)
    .bind(&name)
    .bind(query.canonical())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/manage/tickets?view={id}")).into_response())
}

/// The view, if `user` sees it (404) and may change it (403).
async fn editable(state: &AppState, user: &ManageUser, raw_id: &str) -> AppResult<SavedView> {
    let view = find_visible(&state.db, user, raw_id).await?;
    if !may_edit(user, &view) {
        return Err(AppError::forbidden(Msg::new("ticket-queue-view-not-yours")));
    }
    Ok(view)
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> AppResult<Response> {
    let view = editable(&state, &user, &id).await?;
    let name = checked_name(&form.name)?;
    sqlx::query("UPDATE ticket_views SET name = $1 WHERE portal_id = $2 AND id = $3")
        .bind(&name)
        .bind(user.portal.id)
        .bind(view.id)
        .execute(state.db.writer())
        .await?;
    Ok(Redirect::to(&format!("/manage/tickets?view={}", view.id)).into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {}

async fn delete(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm<DeleteForm>,
) -> AppResult<Response> {
    let view = editable(&state, &user, &id).await?;
    sqlx::query("DELETE FROM ticket_views WHERE portal_id = $1 AND id = $2")
        .bind(user.portal.id)
        .bind(view.id)
        .execute(state.db.writer())
        .await?;
    Ok(Redirect::to("/manage/tickets").into_response())
}
