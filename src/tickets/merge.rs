//! Merging a ticket into another of the same requester: the whole thread (with the files of its
//! messages, which hang on the messages) moves to the target, keeping each message's time so the
//! target's thread stays in order; the merged ticket closes and points at the target
//! (`merged_into_id`); both histories say so. All of it in one transaction.
//!
//! The requester's ways in keep working:
//! - their portal page of the merged ticket shows where it went (the target is theirs too);
//! - a private link made for the merged ticket opens the target (`visitors::links::find`);
//! - an email reply naming an old Message-ID finds the message, and so its ticket now
//!   (`ticket_for_message_id`): messages keep their `email_message_id` when they move.
//!
//! Merges are kept one step deep: when a ticket that others were merged into is merged in turn,
//! those others are pointed at the new target as well, so a merged ticket always points at one
//! that is not merged (index `tickets_merged_into`, migration 0015).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{AnyConnection, Row};

use super::manage::ticket::{parse_number, render};
use super::manage_queries::{self as queries, DeskTicket};
use super::store::{self, Event};
use super::{Actor, Status, access};
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::Path;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct MergeForm {
    /// The number of the ticket to merge into (a leading `#` is fine).
    #[serde(default)]
    into: String,
}

/// Why a merge between two tickets the agent may change is refused (422).
fn refusal(source: &DeskTicket, target: &DeskTicket) -> Option<Msg> {
    if source.id == target.id {
        return Some(Msg::new("ticket-merge-self"));
    }
    if source.merged_into.is_some() {
        return Some(Msg::new("ticket-merge-already-merged").arg("number", source.number));
    }
    if target.merged_into.is_some() {
        return Some(Msg::new("ticket-merge-target-merged").arg("number", target.number));
    }
    if !same_requester(source, target) {
        return Some(Msg::new("ticket-merge-other-requester").arg("number", target.number));
    }
    None
}

/// The same customer's, or for visitors' tickets that no customer owns, the same address.
fn same_requester(a: &DeskTicket, b: &DeskTicket) -> bool {
    match (a.customer_id, b.customer_id) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.requester_email.eq_ignore_ascii_case(&b.requester_email),
        _ => false,
    }
}

/// `POST /manage/tickets/{number}/merge`: merges the ticket into the one numbered in the form.
/// 404 for a target the agent cannot see (missing, another portal's, another department's);
/// 422 with the page for a target that cannot take it.
pub async fn merge(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> AppResult<Response> {
    user.require(Permission::AnswerTickets)?;
    let number = parse_number(&number)?;
    let scope = access::scope(&state.db, &user).await?;
    let portal_id = user.portal.id;
    let mut tx = state.db.writer().begin().await?;
    let source = queries::find(&mut tx, portal_id, &scope, number).await?.ok_or(AppError::NotFound)?;
    let wanted = form.into.trim().trim_start_matches('#').trim();
    let target = match wanted.parse::<i64>().ok().filter(|n| *n > 0) {
        Some(n) => Some(queries::find(&mut tx, portal_id, &scope, n).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let problem = match &target {
        None => Some(Msg::new("ticket-merge-number-needed")),
        Some(target) => refusal(&source, target),
    };
    let (Some(target), None) = (target, problem.clone()) else {
        tx.rollback().await?;
        let mut page = render(&state, &user, csrf, &scope, source, None).await?;
        page.errors = problem.into_iter().collect();
        page.merge_into = form.into;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = (Actor::Staff(user.staff.id), user.staff.name.as_str());
    if !write(&mut tx, portal_id, &source, &target, actor, now()).await? {
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("tickets-changed-meanwhile")));
    }
    tx.commit().await?;
    tracing::info!(portal = %user.portal.slug, from = source.number, into = target.number, "ticket merged");
    Ok(Redirect::to(&format!("/manage/tickets/{}?msg=ticket-merged", target.number)).into_response())
}

/// Marks both tickets (the lower id first, so two merges crossing each other on PostgreSQL
/// wait for one another rather than deadlock); false when either was merged meanwhile.
async fn claim(
    conn: &mut AnyConnection,
    portal_id: i64,
    source: &DeskTicket,
    target: &DeskTicket,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut order = [source.id, target.id];
    order.sort_unstable();
    for id in order {
        let done = if id == source.id {
            sqlx::query(
                "UPDATE tickets SET status = 'closed', merged_into_id = $1, updated_at = $2 \
                 WHERE portal_id = $3 AND id = $4 AND merged_into_id IS NULL",
            )
            .bind(target.id)
        } else {
            sqlx::query(
                "UPDATE tickets SET updated_at = $1 WHERE portal_id = $2 AND id = $3 AND merged_into_id IS NULL",
            )
        };
        let done = done.bind(now).bind(portal_id).bind(id).execute(&mut *conn).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The merge's writes, in the caller's transaction.
async fn write(
    conn: &mut AnyConnection,
    portal_id: i64,
    source: &DeskTicket,
    target: &DeskTicket,
    (actor, name): (Actor, &str),
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !claim(conn, portal_id, source, target, now).await? {
        return Ok(false);
    }
    // The thread moves; files stay on their messages (ticket_message_attachments).
    sqlx::query("UPDATE ticket_messages SET ticket_id = $1 WHERE portal_id = $2 AND ticket_id = $3")
        .bind(target.id)
        .bind(portal_id)
        .bind(source.id)
        .execute(&mut *conn)
        .await?;
    // Tickets merged into the source before now point at the target (one step deep).
    sqlx::query("UPDATE tickets SET merged_into_id = $1 WHERE portal_id = $2 AND merged_into_id = $3")
        .bind(target.id)
        .bind(portal_id)
        .bind(source.id)
        .execute(&mut *conn)
        .await?;
    let (from, into) = (source.number.to_string(), target.number.to_string());
    if source.props.status != Status::Closed {
        let closed = Event { what: "status", old: Some(source.props.status.as_str()), new: Some("closed") };
        store::record(conn, portal_id, source.id, actor, name, closed, now).await?;
    }
    let merged = Event { what: "merged-into", old: None, new: Some(&into) };
    store::record(conn, portal_id, source.id, actor, name, merged, now).await?;
    let merged_in = Event { what: "merged-in", old: None, new: Some(&from) };
    store::record(conn, portal_id, target.id, actor, name, merged_in, now).await?;
    Ok(true)
}

/// A ticket as an email reply finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoundTicket {
    pub id: i64,
    pub number: i64,
}

/// How many merges a lookup follows at most (merges are kept one step deep; this only guards
/// against a loop in data written by hand).
const MAX_MERGE_STEPS: usize = 8;

/// The ticket of portal `portal_id` that an email with this Message-ID key (as stored in
/// `ticket_messages.email_message_id`) belongs to now: the ticket its message is in (messages
/// move with a merge; the ticket id inside our keys is where it was first sent from), and past
/// any merge of that ticket. `None` when no message of the portal has that key.
pub async fn ticket_for_message_id(
    db: &Db,
    portal_id: i64,
    message_id: &str,
) -> Result<Option<FoundTicket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.number, t.merged_into_id FROM ticket_messages m \
         JOIN tickets t ON t.portal_id = m.portal_id AND t.id = m.ticket_id \
         WHERE m.portal_id = $1 AND m.email_message_id = $2 ORDER BY m.id LIMIT 1",
    )
    .bind(portal_id)
    .bind(message_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(mut row) = row else { return Ok(None) };
    for _ in 0..MAX_MERGE_STEPS {
        let Some(next) = row.try_get::<Option<i64>, _>("merged_into_id")? else { break };
        let found = sqlx::query("SELECT id, number, merged_into_id FROM tickets WHERE portal_id = $1 AND id = $2")
            .bind(portal_id)
            .bind(next)
            .fetch_optional(db.pool())
            .await?;
        let Some(found) = found else { break };
        row = found;
    }
    Ok(Some(FoundTicket { id: row.try_get("id")?, number: row.try_get("number")? }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::manage_queries::Props;
    use crate::tickets::{Priority, Status};

    fn ticket(id: i64, customer_id: Option<i64>, email: &str) -> DeskTicket {
        DeskTicket {
            id,
            number: 1000 + id,
            subject: "s".into(),
            props: Props { status: Status::Open, priority: Priority::Normal, department_id: 1, assignee_id: None },
            customer_id,
            requester_name: "R".into(),
            requester_email: email.into(),
            verified: true,
            created_at: 0,
            updated_at: 0,
            merged_into: None,
        }
    }

    #[test]
    fn only_tickets_of_one_requester_merge_and_never_twice() {
        let a = ticket(1, Some(7), "a@x.test");
        assert_eq!(refusal(&a, &ticket(2, Some(7), "other@x.test")), None);
        assert!(refusal(&a, &a).is_some());
        assert!(refusal(&a, &ticket(2, Some(8), "a@x.test")).is_some());
        assert!(refusal(&a, &ticket(2, None, "a@x.test")).is_some());
        let visitor = ticket(3, None, "v@x.test");
        assert_eq!(refusal(&visitor, &ticket(4, None, "V@X.test")), None);
        assert!(refusal(&visitor, &ticket(4, None, "w@x.test")).is_some());
        let merged = DeskTicket { merged_into: Some(1002), ..ticket(5, Some(7), "a@x.test") };
        assert!(refusal(&merged, &a).is_some() && refusal(&a, &merged).is_some());
    }
}
