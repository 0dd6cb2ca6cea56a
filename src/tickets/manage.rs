//! The agents' side of tickets in the management interface: the queues ("Mine", "Unassigned",
//! each department the agent sees, "All" for those who see the whole portal), and the ticket
//! page (`manage/ticket.rs`) with its changes (`manage/changes.rs`). Everything is limited to
//! the portal being worked in and to what `access::scope` shows the agent.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::access::{self, Scope};
use super::queues::{self, Cursor, Queue, QueueRow, StatusFilter};
use super::{Priority, Status};
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _, t};
use crate::web::csrf::CsrfToken;
use crate::web::extract::Query;
use crate::web::layout::Shell;
use crate::web::state::AppState;

mod changes;
pub(crate) mod ticket;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/tickets", get(queue_page))
        .route("/manage/tickets/{number}", get(ticket::show))
        // The reply form carries files; every other form keeps the 64 KiB of forms.
        .route("/manage/tickets/{number}/reply", post(changes::reply).layer(super::uploads::body_limit()))
        .route("/manage/tickets/{number}/files/{attachment}", get(ticket::download))
        .route("/manage/tickets/{number}/update", post(changes::update))
        .route("/manage/tickets/{number}/merge", post(super::merge::merge))
        .merge(super::replies::router())
}

/// Tickets on one page of a queue.
pub const PAGE_SIZE: i64 = 50;

/// The agent's name for a status (the customer reads "waiting on you" where an agent reads
/// "pending").
pub fn status_label(status: Status) -> String {
    match status {
        Status::New => t("desk-status-new"),
        Status::Open => t("desk-status-open"),
        Status::Pending => t("desk-status-pending"),
        Status::Resolved => t("desk-status-resolved"),
        Status::Closed => t("desk-status-closed"),
    }
}

pub fn priority_label(priority: Priority) -> String {
    match priority {
        Priority::Low => t("desk-priority-low"),
        Priority::Normal => t("desk-priority-normal"),
        Priority::High => t("desk-priority-high"),
        Priority::Urgent => t("desk-priority-urgent"),
    }
}

/// One queue in the queue menu, with its count.
pub struct QueueLink {
    pub code: String,
    pub label: String,
    pub count: i64,
    pub current: bool,
}

pub struct Row {
    pub number: i64,
    pub subject: String,
    pub requester: String,
    pub status: String,
    pub active: bool,
    pub priority: String,
    pub urgent: bool,
    pub department: String,
    pub assignee: String,
    pub updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/manage_queue.html")]
struct QueuePage {
    shell: Shell,
    queues: Vec<QueueLink>,
    queue: String,
    status: &'static str,
    statuses: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    next: Option<String>,
    first_page: bool,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    queue: Option<String>,
    status: Option<String>,
    after: Option<String>,
}

fn parse_status(raw: Option<&str>) -> Option<(StatusFilter, &'static str)> {
    match raw.unwrap_or("") {
        "" | "active" => Some((StatusFilter::Active, "active")),
        "any" => Some((StatusFilter::Any, "any")),
        other => Status::parse(other).map(|s| (StatusFilter::Only(s), s.as_str())),
    }
}

fn parse_cursor(raw: Option<&str>) -> AppResult<Option<Cursor>> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    let parsed =
        raw.split_once(':').and_then(|(u, i)| Some(Cursor { updated_at: u.parse().ok()?, id: i.parse().ok()? }));
    parsed.map(Some).ok_or_else(|| AppError::bad_request(Msg::new("tickets-bad-page")))
}

/// The queues the agent has, as (code, queue, label); `None` for a queue code they do not have.
fn queues_of(user: &ManageUser, scope: &Scope, departments: &[(i64, String)]) -> Vec<(String, Queue, String)> {
    let mut list = vec![
        ("mine".to_string(), Queue::Mine(user.staff.id), t("desk-queue-mine")),
        ("unassigned".to_string(), Queue::Unassigned, t("desk-queue-unassigned")),
    ];
    for (id, name) in departments.iter().filter(|(id, _)| scope.allows_department(*id)) {
        list.push((format!("d{id}"), Queue::Department(*id), name.clone()));
    }
    if *scope == Scope::WholePortal {
        list.push(("all".to_string(), Queue::All, t("desk-queue-all")));
    }
    list
}

async fn queue_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let portal_id = user.portal.id;
    let scope = access::scope(&state.db, &user).await?;
    let departments: Vec<(i64, String)> =
        crate::accounts::departments::list(&state.db, portal_id).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let available = queues_of(&user, &scope, &departments);
    let code = q.queue.clone().unwrap_or_else(|| "mine".into());
    // A queue code names only the agent's own queues: another department's id is not found.
    let (_, queue, _) = available.iter().find(|(c, _, _)| *c == code).ok_or(AppError::NotFound)?;
    let (filter, status) =
        parse_status(q.status.as_deref()).ok_or_else(|| AppError::bad_request(Msg::new("desk-bad-status")))?;
    let after = parse_cursor(q.after.as_deref())?;
    let mut rows = queues::page(&state.db, portal_id, &scope, *queue, filter, after, PAGE_SIZE + 1).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| format!("{}:{}", r.updated_at, r.id))
    } else {
        None
    };
    let mut queue_links = Vec::with_capacity(available.len());
    for (c, qu, label) in &available {
        let count = queues::count(&state.db, portal_id, &scope, *qu, filter).await?;
        queue_links.push(QueueLink { code: c.clone(), label: label.clone(), count, current: *c == code });
    }
    let names = super::manage_queries::names(&state.db, portal_id).await?;
    let page = QueuePage {
        shell: Shell::new(&user, csrf, "/manage/tickets", None),
        queues: queue_links,
        queue: code,
        status,
        statuses: status_choices(),
        rows: rows.into_iter().map(|r| row_view(r, &names)).collect(),
        next,
        first_page: after.is_none(),
    };
    Ok(page.into_response())
}

fn status_choices() -> Vec<(&'static str, String)> {
    let mut list = vec![("active", t("desk-filter-active"))];
    list.extend(Status::ALL.into_iter().map(|s| (s.as_str(), status_label(s))));
    list.push(("any", t("desk-filter-any")));
    list
}

type Names = (std::collections::HashMap<i64, String>, std::collections::HashMap<i64, String>);

fn row_view(r: QueueRow, (departments, staff): &Names) -> Row {
    let priority = Priority::parse(&r.priority).unwrap_or_default();
    Row {
        number: r.number,
        subject: r.subject,
        requester: r.requester_name,
        status: status_label(r.status),
        active: r.status.is_active(),
        priority: priority_label(priority),
        urgent: priority >= Priority::High,
        department: departments.get(&r.department_id).cloned().unwrap_or_default(),
        assignee: match r.assignee_id {
            Some(id) => staff.get(&id).cloned().unwrap_or_else(|| t("desk-someone-removed")),
            None => t("desk-unassigned"),
        },
        updated: crate::web::format_time(r.updated_at),
    }
}
