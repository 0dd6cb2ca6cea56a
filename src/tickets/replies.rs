//! Saved replies: texts an agent inserts into a reply with one click, with placeholders filled
//! for the ticket (`{{customer_name}}`, `{{ticket_number}}`, `{{agent_name}}`; any other is left
//! as typed). Each is either one agent's own or a department's:
//! - an agent with `answer_tickets` manages their own (nobody else sees them);
//! - a department's are offered on that department's tickets, listed to the agents who see
//!   the department, and managed by those who manage departments (`manage_departments`,
//!   portal administrators, system administrators).
//!
//! On the ticket page, each offered reply is a link that re-renders the page with the text in
//! the reply box (`?reply=ID`, filled on the server); the small script `saved-replies.js` makes
//! the same link fill the box in place.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::access::{self, Scope};
use crate::accounts::permissions::{Permission, Role};
use crate::auth::ManageUser;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::{Path, Query};
use crate::web::layout::Shell;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/saved-replies", get(list_page).post(create))
        .route("/manage/saved-replies/{id}", get(edit_page).post(update))
        .route("/manage/saved-replies/{id}/delete", post(delete))
        .route("/static/saved-replies.js", get(script))
}

pub const TITLE_MAX_CHARS: usize = 100;
/// Saved replies offered on a ticket or listed on the page, at most.
const LIST_LIMIT: i64 = 200;

#[derive(Clone, Debug)]
pub struct SavedReply {
    pub id: i64,
    pub department_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub title: String,
    pub body: String,
}

fn saved_reply(r: &AnyRow) -> Result<SavedReply, sqlx::Error> {
    Ok(SavedReply {
        id: r.try_get("id")?,
        department_id: r.try_get("department_id")?,
        staff_id: r.try_get("staff_id")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
    })
}

/// Whether someone manages the departments' saved replies.
pub fn manages_department_replies(user: &ManageUser) -> bool {
    user.role == Role::Admin || user.staff.is_superadmin || user.can(Permission::ManageDepartments)
}

/// The text of a saved reply for one ticket: the placeholders filled as plain text.
pub fn fill(body: &str, customer_name: &str, ticket_number: i64, agent_name: &str) -> String {
    body.replace("{{customer_name}}", customer_name)
        .replace("{{ticket_number}}", &ticket_number.to_string())
        .replace("{{agent_name}}", agent_name)
}

/// The saved replies offered to `staff_id` on a ticket of `department_id`: their own and the
/// department's, by title. Two selects, each on its index (`saved_replies_by_staff`,
/// `saved_replies_by_department`); a row is one or the other, never both.
pub async fn offered(
    db: &Db,
    portal_id: i64,
    staff_id: i64,
    department_id: i64,
) -> Result<Vec<SavedReply>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, department_id, staff_id, title, body FROM saved_replies WHERE portal_id = $1 AND staff_id = $2 \
         UNION ALL \
         SELECT id, department_id, staff_id, title, body FROM saved_replies WHERE portal_id = $1 AND department_id = $3 \
         ORDER BY title, id LIMIT $4",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(department_id)
    .bind(LIST_LIMIT)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(saved_reply).collect()
}

/// One saved reply of the portal, whoever's it is.
async fn find(db: &Db, portal_id: i64, id: i64) -> Result<Option<SavedReply>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, department_id, staff_id, title, body FROM saved_replies WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(saved_reply).transpose()
}

/// The saved reply `raw` (from an address) as offered on a ticket of `department_id`, or 404.
pub async fn offered_one(db: &Db, user: &ManageUser, department_id: i64, raw: &str) -> AppResult<SavedReply> {
    let id = raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)?;
    let found = find(db, user.portal.id, id).await?.ok_or(AppError::NotFound)?;
    let offered = found.staff_id == Some(user.staff.id) || found.department_id == Some(department_id);
    if offered { Ok(found) } else { Err(AppError::NotFound) }
}

/// The saved reply `id` for a change by `user`: 404 for one they cannot see (another portal's,
/// another agent's own, a department's they do not see), 403 for one they see but may not change.
async fn for_change(state: &AppState, user: &ManageUser, id: i64) -> AppResult<SavedReply> {
    let found = find(&state.db, user.portal.id, id).await?.ok_or(AppError::NotFound)?;
    match (found.staff_id, found.department_id) {
        (Some(owner), _) if owner == user.staff.id => {
            user.require(Permission::AnswerTickets)?;
            Ok(found)
        }
        (None, Some(department)) => {
            let scope = access::scope(&state.db, user).await?;
            if !scope.allows_department(department) && !manages_department_replies(user) {
                return Err(AppError::NotFound);
            }
            if !manages_department_replies(user) {
                return Err(AppError::forbidden(Msg::new("ticket-replies-department-only")));
            }
            Ok(found)
        }
        _ => Err(AppError::NotFound),
    }
}

/// The page is for those who answer tickets or manage the departments' replies.
fn require_page(user: &ManageUser) -> AppResult<()> {
    if user.can(Permission::AnswerTickets) || manages_department_replies(user) {
        Ok(())
    } else {
        user.require(Permission::AnswerTickets)
    }
}

fn check_title(raw: &str) -> Result<String, Msg> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(Msg::new("ticket-replies-title-required"));
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(Msg::new("ticket-replies-title-too-long").arg("max", TITLE_MAX_CHARS as i64));
    }
    if title.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("ticket-replies-title-control"));
    }
    Ok(title.to_string())
}

/// The title and text of a form, or what is wrong with them.
fn check(form: &ReplyForm) -> Result<(String, String), Vec<Msg>> {
    match (check_title(&form.title), super::portal::check_message(&form.body)) {
        (Ok(title), Ok(body)) => Ok((title, body)),
        (title, body) => Err([title.err(), body.err()].into_iter().flatten().collect()),
    }
}

// ---- pages -----------------------------------------------------------------------------------

pub struct ListedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The department's name, for a department's reply.
    pub department: Option<String>,
    pub editable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/saved_replies.html")]
struct ListPage {
    shell: Shell,
    replies: Vec<ListedReply>,
    /// Where a new reply may go: ("me" or a department id, label).
    owners: Vec<(String, String)>,
    may_create: bool,
    form: ReplyForm,
    errors: Vec<Msg>,
    title_max: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/saved_reply_edit.html")]
struct EditPage {
    shell: Shell,
    id: i64,
    department: Option<String>,
    form: ReplyForm,
    errors: Vec<Msg>,
    title_max: usize,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReplyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// `me`, or the id of the department whose reply it is (creation only).
    #[serde(default)]
    owner: String,
}

impl ListPage {
    fn owner_selected(&self, value: &str) -> bool {
        self.form.owner == value
    }
}

#[derive(Deserialize, Default)]
pub struct MsgQuery {
    msg: Option<String>,
}

async fn list_view(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    form: ReplyForm,
    errors: Vec<Msg>,
) -> AppResult<ListPage> {
    let portal_id = user.portal.id;
    let manager = manages_department_replies(user);
    let scope = if manager { Scope::WholePortal } else { access::scope(&state.db, user).await? };
    let departments = crate::accounts::departments::list(&state.db, portal_id).await?;
    let name_of = |id: i64| departments.iter().find(|d| d.id == id).map(|d| d.name.clone());
    let rows = sqlx::query(
        "SELECT id, department_id, staff_id, title, body FROM saved_replies WHERE portal_id = $1 AND staff_id = $2 \
         UNION ALL \
         SELECT id, department_id, staff_id, title, body FROM saved_replies \
         WHERE portal_id = $1 AND department_id IS NOT NULL \
         ORDER BY department_id, title, id LIMIT $3",
    )
    .bind(portal_id)
    .bind(user.staff.id)
    .bind(LIST_LIMIT)
    .fetch_all(state.db.pool())
    .await?;
    let mut replies = Vec::new();
    for reply in rows.iter().map(saved_reply) {
        let reply = reply?;
        let department = reply.department_id.filter(|d| scope.allows_department(*d));
        if reply.department_id.is_some() && department.is_none() {
            continue;
        }
        let editable = if department.is_some() { manager } else { user.can(Permission::AnswerTickets) };
        let department = department.map(|d| name_of(d).unwrap_or_default());
        replies.push(ListedReply { id: reply.id, title: reply.title, body: reply.body, department, editable });
    }
    let mut owners = Vec::new();
    if user.can(Permission::AnswerTickets) {
        owners.push(("me".to_string(), crate::i18n::t("ticket-replies-owner-me")));
    }
    if manager {
        owners.extend(departments.iter().map(|d| (d.id.to_string(), d.name.clone())));
    }
    Ok(ListPage {
        shell: Shell::new(user, csrf, "/manage/tickets", msg),
        replies,
        may_create: !owners.is_empty(),
        owners,
        form,
        errors,
        title_max: TITLE_MAX_CHARS,
    })
}

async fn list_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    require_page(&user)?;
    let form = ReplyForm { owner: "me".into(), ..ReplyForm::default() };
    Ok(list_view(&state, &user, csrf, q.msg.as_deref(), form, vec![]).await?.into_response())
}

/// Whose the new reply is: (staff_id, department_id), checked against what `user` may create.
async fn owner_of(
    state: &AppState,
    user: &ManageUser,
    raw: &str,
) -> AppResult<Result<(Option<i64>, Option<i64>), Msg>> {
    if raw.trim() == "me" {
        user.require(Permission::AnswerTickets)?;
        return Ok(Ok((Some(user.staff.id), None)));
    }
    let Ok(department) = raw.trim().parse::<i64>() else {
        return Ok(Err(Msg::new("ticket-replies-owner-unknown")));
    };
    if !manages_department_replies(user) {
        return Err(AppError::forbidden(Msg::new("ticket-replies-department-only")));
    }
    let departments = crate::accounts::departments::list(&state.db, user.portal.id).await?;
    if !departments.iter().any(|d| d.id == department) {
        return Ok(Err(Msg::new("ticket-replies-owner-unknown")));
    }
    Ok(Ok((None, Some(department))))
}

async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<Response> {
    require_page(&user)?;
    let owner = owner_of(&state, &user, &form.owner).await?;
    let (owner, (title, body)) = match (owner, check(&form)) {
        (Ok(owner), Ok(text)) => (owner, text),
        (owner, text) => {
            let errors = [owner.err()].into_iter().flatten().chain(text.err().unwrap_or_default()).collect();
            let page = list_view(&state, &user, csrf, None, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let now = now();
    sqlx::query(
        "INSERT INTO saved_replies (portal_id, department_id, staff_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(user.portal.id)
    .bind(owner.1)
    .bind(owner.0)
    .bind(&title)
    .bind(&body)
    .bind(now)
    .execute(state.db.writer())
    .await?;
    Ok(Redirect::to("/manage/saved-replies?msg=saved-reply-saved").into_response())
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}

async fn department_name(state: &AppState, portal_id: i64, reply: &SavedReply) -> AppResult<Option<String>> {
    let Some(id) = reply.department_id else { return Ok(None) };
    let departments = crate::accounts::departments::list(&state.db, portal_id).await?;
    Ok(departments.into_iter().find(|d| d.id == id).map(|d| d.name))
}

async fn edit_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let reply = for_change(&state, &user, parse_id(&id)?).await?;
    let department = department_name(&state, user.portal.id, &reply).await?;
    let form = ReplyForm { title: reply.title, body: reply.body, owner: String::new() };
    let shell = Shell::new(&user, csrf, "/manage/tickets", None);
    let page = EditPage { shell, id: reply.id, department, form, errors: vec![], title_max: TITLE_MAX_CHARS };
    Ok(page.into_response())
}

async fn update(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<Response> {
    let reply = for_change(&state, &user, parse_id(&id)?).await?;
    let (title, body) = match check(&form) {
        Ok(text) => text,
        Err(errors) => {
            let department = department_name(&state, user.portal.id, &reply).await?;
            let shell = Shell::new(&user, csrf, "/manage/tickets", None);
            let page = EditPage { shell, id: reply.id, department, form, errors, title_max: TITLE_MAX_CHARS };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    sqlx::query("UPDATE saved_replies SET title = $1, body = $2, updated_at = $3 WHERE portal_id = $4 AND id = $5")
        .bind(&title)
        .bind(&body)
        .bind(now())
        .bind(user.portal.id)
        .bind(reply.id)
        .execute(state.db.writer())
        .await?;
    Ok(Redirect::to("/manage/saved-replies?msg=saved-reply-saved").into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

async fn delete(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let reply = for_change(&state, &user, parse_id(&id)?).await?;
    sqlx::query("DELETE FROM saved_replies WHERE portal_id = $1 AND id = $2")
        .bind(user.portal.id)
        .bind(reply.id)
        .execute(state.db.writer())
        .await?;
    Ok(Redirect::to("/manage/saved-replies?msg=saved-reply-deleted").into_response())
}

/// Fills the reply box in place when a saved reply's link is clicked (pages allow no inline
/// script); without it, the link re-renders the page with the text filled.
async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/saved-replies.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_as_plain_text_and_unknown_ones_left() {
        let text =
            fill("Hi {{customer_name}}, #{{ticket_number}} - {{agent_name}} {{other}}", "<b>Ana</b>", 1001, "Bo");
        assert_eq!(text, "Hi <b>Ana</b>, #1001 - Bo {{other}}");
        assert!(check_title(" ").is_err() && check_title("a\nb").is_err() && check_title(&"x".repeat(101)).is_err());
        assert_eq!(check_title("  Thanks  "), Ok("Thanks".to_string()));
    }
}
