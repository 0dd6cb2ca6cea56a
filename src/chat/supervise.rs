//! Supervisors (`supervise_chats`): every chat in progress in their departments (waiting,
//! offered, active) with how long the customer waited, how long it has run and who answers it,
//! updated live (`console_live`); and any of those chats read along, live, without writing:
//! the agent's socket admits a supervisor of the chat's department read-only.
//!
//! "Their departments" are the tickets' rule: the departments they belong to, or the whole
//! portal for administrators and those who see every department. A chat of another department
//! or portal is 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::console::{clock, state_label};
use super::console_queries::{self as queries, ListedChat};
use super::console_transcript::{self as transcript, Line};
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::tickets::access;
use crate::web::csrf::CsrfToken;
use crate::web::extract::{Path, Query};
use crate::web::layout::Shell;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/manage/chats/supervise", get(overview)).route("/manage/chats/supervise/{id}", get(read_along))
}

/// A chat in progress, as a supervisor sees it: how long the customer waited (still ticking
/// while nobody answers) and for how long it has been answered.
pub struct SupervisedRow {
    pub id: i64,
    pub requester: String,
    pub department: String,
    pub state: String,
    pub agent: String,
    pub created_at: i64,
    pub answered: Option<i64>,
    pub wait: String,
    pub duration: String,
}

impl SupervisedRow {
    fn new(c: ListedChat, now: i64) -> SupervisedRow {
        let answered = c.accepted_at.filter(|_| c.state == "active");
        SupervisedRow {
            id: c.id,
            requester: c.requester_name,
            department: c.department,
            state: state_label(&c.state),
            agent: c.agent_name.unwrap_or_default(),
            created_at: c.created_at,
            answered,
            wait: clock(answered.unwrap_or(now) - c.created_at),
            duration: answered.map(|at| clock(now - at)).unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/supervise_rows.html")]
pub struct Rows {
    pub now: i64,
    pub rows: Vec<SupervisedRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/supervise_list.html")]
struct OverviewPage {
    shell: Shell,
    rows: Rows,
}

#[derive(serde::Deserialize, Default)]
struct OverviewQuery {
    part: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Response> {
    user.require(Permission::SuperviseChats)?;
    let scope = access::scope(&state.db, &user).await?;
    let chats = queries::in_departments(&state.db, user.portal.id, &scope, &["waiting", "offered", "active"]).await?;
    let now = now();
    let rows = Rows { now, rows: chats.into_iter().map(|c| SupervisedRow::new(c, now)).collect() };
    if q.part.as_deref() == Some("lists") {
        return Ok(rows.into_response());
    }
    Ok(OverviewPage { shell: Shell::new(&user, csrf, "/manage/chats/supervise", None), rows }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/supervise_chat.html")]
struct ReadAlongPage {
    shell: Shell,
    id: i64,
    requester: String,
    email: String,
    department: String,
    state: String,
    /// `waiting`, `offered`, `active` or `ended`, for `chat.js`.
    raw_state: String,
    agent: String,
    messages: Vec<Line>,
}

/// A chat of the supervisor's departments; anything else is 404.
pub async fn supervised_chat(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<ListedChat> {
    user.require(Permission::SuperviseChats)?;
    let id = queries::parse_id(raw).ok_or(AppError::NotFound)?;
    let chat = queries::find(&state.db, user.portal.id, id).await?.ok_or(AppError::NotFound)?;
    if !supervises(state, user, chat.department_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(chat)
}

/// For a socket reading along since `user` opened it: whether they still may, their rights
/// read again (taken away meanwhile, they stop). A database that is away keeps the socket, as
/// for sessions.
pub(crate) async fn still_supervises(state: &AppState, user: &ManageUser, department_id: i64) -> bool {
    match user.reread(&state.db).await {
        Ok(Some(now)) => supervises(state, &now, department_id).await.unwrap_or(true),
        Ok(None) => false,
        Err(_) => true,
    }
}

/// The one read-along rule, for these pages and the chat's socket and files alike: holding
/// `supervise_chats` and seeing the department by the tickets' rule (members, administrators,
/// those who see every department).
pub async fn supervises(state: &AppState, user: &ManageUser, department_id: i64) -> AppResult<bool> {
    Ok(user.can(Permission::SuperviseChats) && access::scope(&state.db, user).await?.allows_department(department_id))
}

async fn read_along(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let chat = supervised_chat(&state, &user, &id).await?;
    let lines = transcript::lines(&state, user.portal.id, chat.id).await?;
    let page = ReadAlongPage {
        shell: Shell::new(&user, csrf, "/manage/chats/supervise", None),
        id: chat.id,
        requester: chat.requester_name,
        email: chat.requester_email,
        department: chat.department,
        state: state_label(&chat.state),
        raw_state: chat.state.clone(),
        agent: chat.agent_name.unwrap_or_default(),
        messages: lines,
    };
    Ok(page.into_response())
}
