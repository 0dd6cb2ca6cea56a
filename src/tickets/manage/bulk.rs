//! Bulk actions on the tickets ticked in a queue: assign, status, priority, department. Each
//! ticket goes through the rules of the single-ticket form (`changes::wanted_props` and
//! `changes::apply_props`: scope, `answer_tickets`, an assignee who answers in the ticket's
//! department, one history row per change, the emails of each change), all in one transaction.
//! All or nothing: when one ticket is refused, none changes, and the agent reads which and why.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::Row;

use super::changes::{UpdateForm, apply_props, require_answer, wanted_props};
use super::filters::QueueQuery;
use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, t};
use crate::tickets::access;
use crate::tickets::manage_queries::{self as queries, DeskTicket};
use crate::tickets::{Priority, Status, notify};
use crate::web::csrf::CsrfForm;
use crate::web::state::AppState;

/// Tickets one bulk action may change: a page of the queue, twice over.
pub const MAX_TICKETS: usize = 100;

/// Who the tickets go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Assign {
    Keep,
    Nobody,
    Staff(i64),
}

/// What the bulk form asks for; `None` keeps a property as each ticket has it.
#[derive(Debug)]
struct BulkChange {
    numbers: Vec<i64>,
    status: Option<Status>,
    priority: Option<Priority>,
    department: Option<i64>,
    assign: Assign,
    /// The queue's query, to go back to.
    back: String,
}

fn bad(key: &'static str) -> AppError {
    AppError::bad_request(Msg::new(key))
}

impl BulkChange {
    fn read(fields: &[(String, String)]) -> AppResult<BulkChange> {
        let one = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("");
        let mut numbers = Vec::new();
        for (_, raw) in fields.iter().filter(|(k, _)| k == "ticket") {
            let n =
                raw.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| bad("ticket-queue-bad-selection"))?;
            if !numbers.contains(&n) {
                numbers.push(n);
            }
        }
        if numbers.is_empty() {
            return Err(bad("ticket-queue-bulk-none-selected"));
        }
        if numbers.len() > MAX_TICKETS {
            let msg = Msg::new("ticket-queue-bulk-too-many").arg("limit", MAX_TICKETS);
            return Err(AppError::Page(StatusCode::PAYLOAD_TOO_LARGE, msg));
        }
        let field = || bad("desk-bad-field");
        let status = match one("status") {
            "" => None,
            s => Some(Status::parse(s).ok_or_else(field)?),
        };
        let priority = match one("priority") {
            "" => None,
            p => Some(Priority::parse(p).ok_or_else(field)?),
        };
        let department = match one("department") {
            "" => None,
            d => Some(d.parse::<i64>().map_err(|_| field())?),
        };
        let assign = match one("assignee") {
            "" => Assign::Keep,
            "none" => Assign::Nobody,
            a => Assign::Staff(a.parse::<i64>().map_err(|_| field())?),
        };
        if status.is_none() && priority.is_none() && department.is_none() && assign == Assign::Keep {
            return Err(bad("ticket-queue-bulk-no-change"));
        }
        Ok(BulkChange { numbers, status, priority, department, assign, back: one("back").to_string() })
    }

    /// The single-ticket form this change makes for `ticket`: its properties with the chosen
    /// ones replaced.
    fn form_for(&self, ticket: &DeskTicket) -> UpdateForm {
        let p = &ticket.props;
        let assignee = match self.assign {
            Assign::Keep => p.assignee_id,
            Assign::Nobody => None,
            Assign::Staff(id) => Some(id),
        };
        UpdateForm {
            status: self.status.unwrap_or(p.status).as_str().into(),
            priority: self.priority.unwrap_or(p.priority).as_str().into(),
            department: self.department.unwrap_or(p.department_id).to_string(),
            assignee: assignee.map(|id| id.to_string()).unwrap_or_default(),
            seen: String::new(),
        }
    }

    /// Back to the queue the form came from (only its filters: the path is this one's).
    fn back_to(&self) -> String {
        let query = serde_urlencoded::from_str::<QueueQuery>(&self.back).unwrap_or_default();
        match query.view.as_deref().and_then(|v| v.trim().parse::<i64>().ok()) {
            Some(id) => format!("/manage/tickets?view={id}"),
            None => format!("/manage/tickets?{}", query.canonical()),
        }
    }
}

/// The selected tickets that were merged into another one: they take no more changes.
async fn merged_among(tx: &mut super::changes::Tx, portal_id: i64, numbers: &[i64]) -> AppResult<HashSet<i64>> {
    // The numbers were parsed as integers above; nothing typed reaches the text.
    let list: Vec<String> = numbers.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT number FROM tickets WHERE portal_id = $1 AND merged_into_id IS NOT NULL AND number IN ({})",
        list.join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).fetch_all(&mut **tx).await?;
    rows.iter().map(|r| Ok(r.try_get::<i64, _>("number")?)).collect()
}

pub async fn apply(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    require_answer(&user)?;
    let change = BulkChange::read(&fields)?;
    let (portal_id, now) = (user.portal.id, now());
    let scope = access::scope(&state.db, &user).await?;
    let emails = notify::Context::new(&state, &user.portal).await?;
    let mut tx = state.db.writer().begin().await?;
    let merged = merged_among(&mut tx, portal_id, &change.numbers).await?;
    let mut refused: Vec<String> = Vec::new();
    for &number in &change.numbers {
        // Another portal's ticket, or one the agent does not see, is refused like a missing one.
        let Some(ticket) = queries::find(&mut tx, portal_id, &scope, number).await? else {
            refused.push(format!("#{number}: {}", t("ticket-queue-refused-not-found")));
            continue;
        };
        if merged.contains(&number) {
            refused.push(format!("#{number}: {}", t("ticket-queue-refused-merged")));
            continue;
        }
        match wanted_props(&mut tx, portal_id, &ticket.props, &change.form_for(&ticket)).await? {
            Err(msg) => refused.push(format!("#{number}: {msg}")),
            // Once one is refused, nothing will be written: the rest are only checked.
            Ok(new) if refused.is_empty() => apply_props(&mut tx, &emails, &user, &ticket, &new, now).await?,
            Ok(_) => {}
        }
    }
    if !refused.is_empty() {
        tx.rollback().await?;
        let msg = Msg::new("ticket-queue-bulk-refused").arg("tickets", refused.join("; "));
        return Err(AppError::Page(StatusCode::UNPROCESSABLE_ENTITY, msg));
    }
    tx.commit().await?;
    state.outbox.notify();
    Ok(Redirect::to(&change.back_to()).into_response())
}
