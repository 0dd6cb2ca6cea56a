//! The agents' side of tickets in the management interface: the queues ("Mine", "Unassigned",
//! each department the agent sees, "All" for those who see the whole portal), and the ticket
//! page (`manage/ticket.rs`) with its changes (`manage/changes.rs`). Everything is limited to
//! the portal being worked in and to what `access::scope` shows the agent.

use axum::Router;
use axum::routing::{get, post};

use super::queues::QueueRow;
use super::{Priority, Status};
use crate::i18n::t;
use crate::web::state::AppState;

mod bulk;
mod changes;
pub mod filters;
mod queue;
pub(crate) mod ticket;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/tickets", get(queue::queue_page))
        .route("/manage/tickets/bulk", post(bulk::apply))
        .merge(super::views::router())
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
    /// Capped at `queues::COUNT_CAP` ("1000+").
    pub count: String,
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

type Names = (std::collections::HashMap<i64, String>, std::collections::HashMap<i64, String>);

pub(super) fn row_view(r: QueueRow, (departments, staff): &Names) -> Row {
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
