//! What an agent changes on a ticket: a public reply or an internal note (with the status the
//! ticket moves to), and its properties (status, priority, department, assignee). Each change,
//! its history rows and its emails are written in one transaction; a change made meanwhile by
//! someone else is refused (409) rather than overwritten.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::ticket::{parse_number, render, visible_ticket};
use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::tickets::access::{self, Scope};
use crate::tickets::manage_queries::{self as queries, DeskMessage, DeskTicket, Props};
use crate::tickets::store::{self, Event};
use crate::tickets::{Actor, Priority, Status};
use crate::tickets::{notify, uploads};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::Path;
use crate::web::state::AppState;

pub(super) type Tx = sqlx::Transaction<'static, sqlx::Any>;

fn changed_meanwhile() -> AppError {
    AppError::Page(StatusCode::CONFLICT, Msg::new("tickets-changed-meanwhile"))
}

/// Replying to and changing tickets takes `answer_tickets`; seeing them does not.
pub(super) fn require_answer(user: &ManageUser) -> AppResult<()> {
    user.require(crate::accounts::permissions::Permission::AnswerTickets)
}

/// Opens the write transaction and finds the ticket in it, as the agent sees it, or 404.
async fn ticket_for_change(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<(Tx, Scope, DeskTicket)> {
    let number = parse_number(raw)?;
    let scope = access::scope(&state.db, user).await?;
    let mut tx = state.db.writer().begin().await?;
    let ticket = queries::find(&mut tx, user.portal.id, &scope, number).await?.ok_or(AppError::NotFound)?;
    // A merged ticket is closed for good: its thread went to the other one.
    if let Some(into) = ticket.merged_into {
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("ticket-merge-is-merged").arg("number", into)));
    }
    Ok((tx, scope, ticket))
}

/// Writes `new` over `ticket`'s properties with one history row per change and the emails they
/// send (the requester hears of the resolution, a new assignee of the assignment), or refuses
/// when the ticket changed meanwhile.
pub(super) async fn apply_props(
    tx: &mut Tx,
    emails: &notify::Context,
    user: &ManageUser,
    ticket: &DeskTicket,
    new: &Props,
    now: i64,
) -> AppResult<()> {
    let old = &ticket.props;
    if old == new {
        return Ok(());
    }
    let (portal_id, actor, name) = (user.portal.id, Actor::Staff(user.staff.id), user.staff.name.as_str());
    if !queries::apply(tx, portal_id, ticket.id, old, new, now).await? {
        return Err(changed_meanwhile());
    }
    let ids = |v: Option<i64>| v.map(|id| id.to_string());
    let changes = [
        ("status", Some(old.status.as_str().to_string()), Some(new.status.as_str().to_string())),
        ("priority", Some(old.priority.as_str().to_string()), Some(new.priority.as_str().to_string())),
        ("department", ids(Some(old.department_id)), ids(Some(new.department_id))),
        ("assignee", ids(old.assignee_id), ids(new.assignee_id)),
    ];
    for (what, before, after) in changes.iter().filter(|(_, b, a)| b != a) {
        let event = Event { what, old: before.as_deref(), new: after.as_deref() };
        store::record(tx, portal_id, ticket.id, actor, name, event, now).await?;
    }
    if new.status == Status::Resolved && old.status != Status::Resolved {
        notify::resolved(tx, emails, ticket.id).await?;
    }
    if let Some(assignee) = new.assignee_id.filter(|_| new.assignee_id != old.assignee_id) {
        notify::assigned(tx, emails, ticket.id, assignee, Some(user.staff.id)).await?;
    }
    Ok(())
}

// ---- reply or note ---------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    message: String,
    /// `public` (the default) or `note`: which button was pressed.
    #[serde(default)]
    kind: String,
    /// The status the ticket moves to with it; empty keeps it.
    #[serde(default)]
    then: String,
}

/// Whether the message is a note, and the status chosen with it (`None`: keep it).
fn reply_choice(form: &ReplyForm) -> AppResult<(bool, Option<Status>)> {
    let note = match form.kind.as_str() {
        "" | "public" => false,
        "note" => true,
        _ => return Err(AppError::bad_request(Msg::new("desk-bad-kind"))),
    };
    let chosen = match form.then.as_str() {
        "" | "keep" => None,
        code => Some(Status::parse(code).ok_or_else(|| AppError::bad_request(Msg::new("desk-bad-status")))?),
    };
    Ok((note, chosen))
}

/// The status after an agent writes: the one chosen, else a new ticket becomes open on the
/// desk's first public reply.
fn status_after(current: Status, chosen: Option<Status>, note: bool) -> Status {
    match chosen {
        Some(s) => s,
        None if !note && current == Status::New => Status::Open,
        None => current,
    }
}

/// The ticket is found (404) before the form is read, so that no file is stored for a ticket
/// the agent does not see; it is found again in the transaction, where its status counts.
pub async fn reply(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    request: Request,
) -> AppResult<Response> {
    require_answer(&user)?;
    visible_ticket(&state, &user, &number).await?;
    let upload = uploads::read::<ReplyForm>(&state, user.portal.id, request).await?;
    let form = &upload.form;
    let (note, chosen) = match reply_choice(form) {
        Ok(choice) => choice,
        Err(refused) => {
            upload.discard(&state.db).await;
            return Err(refused);
        }
    };
    let (mut tx, scope, ticket) = ticket_for_change(&state, &user, &number).await?;
    let body = match crate::tickets::portal::check_message(&form.message) {
        Ok(_) if !note && ticket.props.status == Status::Closed => {
            Err((StatusCode::CONFLICT, Msg::new("desk-reply-closed")))
        }
        Ok(body) => Ok(body),
        Err(msg) => Err((StatusCode::UNPROCESSABLE_ENTITY, msg)),
    };
    let body = match body {
        Ok(body) => body,
        Err((status, msg)) => {
            tx.rollback().await?;
            upload.discard(&state.db).await;
            let mut page = render(&state, &user, csrf, &scope, ticket, None).await?;
            page.errors = vec![msg];
            if !upload.files.is_empty() {
                page.errors.push(Msg::new("attachments-choose-again"));
            }
            page.reply = form.message.clone();
            return Ok((status, page).into_response());
        }
    };
    let (portal_id, now) = (user.portal.id, now());
    let message = DeskMessage { note, staff_id: user.staff.id, author_name: &user.staff.name, body: &body };
    let message_id = queries::add_message(&mut tx, portal_id, ticket.id, message, now).await?;
    let message = message_id.to_string();
    let event = Event { what: if note { "note" } else { "reply" }, old: None, new: Some(&message) };
    let actor = Actor::Staff(user.staff.id);
    store::record(&mut tx, portal_id, ticket.id, actor, &user.staff.name, event, now).await?;
    upload.link(&mut tx, ticket.id, message_id, actor, &user.staff.name, now).await?;
    let emails = notify::Context::new(&state, &user.portal).await?;
    if !note {
        queries::desk_spoke(&mut tx, portal_id, ticket.id).await?;
        notify::desk_replied(&mut tx, &emails, ticket.id, message_id).await?;
    }
    let new = Props { status: status_after(ticket.props.status, chosen, note), ..ticket.props };
    // Nothing else changes, but the ticket has news: it goes to the top of the queues; only if
    // it is still as read (on PostgreSQL the customer's close can commit meanwhile, and a reply
    // must not land on a ticket closed since).
    if new == ticket.props && !queries::apply(&mut tx, portal_id, ticket.id, &new, &new, now).await? {
        return Err(changed_meanwhile());
    }
    apply_props(&mut tx, &emails, &user, &ticket, &new, now).await?;
    tx.commit().await?;
    state.outbox.notify();
    let notice = if note { "ticket-noted" } else { "ticket-replied" };
    Ok(Redirect::to(&format!("/manage/tickets/{}?msg={notice}#m{message_id}", ticket.number)).into_response())
}

// ---- properties ------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) priority: String,
    #[serde(default)]
    pub(super) department: String,
    /// A staff id, or empty for nobody.
    #[serde(default)]
    pub(super) assignee: String,
    /// The properties the page showed (`Props::stamp`): the form holds every property, so
    /// applying it over a colleague's change made since would silently undo that change.
    #[serde(default)]
    pub(super) seen: String,
}

/// The properties the form asks for, checked against the portal: a department of the portal,
/// a new assignee who is an agent of that department.
pub(super) async fn wanted_props(
    tx: &mut Tx,
    portal_id: i64,
    current: &Props,
    form: &UpdateForm,
) -> AppResult<Result<Props, Msg>> {
    let bad = || AppError::bad_request(Msg::new("desk-bad-field"));
    let status = Status::parse(form.status.trim()).ok_or_else(bad)?;
    let priority = Priority::parse(form.priority.trim()).ok_or_else(bad)?;
    let department_id = form.department.trim().parse::<i64>().map_err(|_| bad())?;
    let assignee_id = match form.assignee.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| bad())?),
    };
    let departments = crate::accounts::departments::list_on(tx, portal_id).await?;
    let Some(department) = departments.iter().find(|d| d.id == department_id) else {
        return Ok(Err(Msg::new("tickets-department-unknown")));
    };
    // An assignee kept as they are in the same department stays, even if they have left it
    // since: changing the priority does not take the ticket away from them.
    let kept = assignee_id == current.assignee_id && department_id == current.department_id;
    if let Some(id) = assignee_id.filter(|_| !kept) {
        let agents = queries::department_agents(tx, portal_id, department_id).await?;
        if !agents.iter().any(|(agent, _)| *agent == id) {
            return Ok(Err(Msg::new("desk-assignee-not-in-department").arg("department", &department.name)));
        }
    }
    Ok(Ok(Props { status, priority, department_id, assignee_id }))
}

pub async fn update(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    CsrfForm(form): CsrfForm<UpdateForm>,
) -> AppResult<Response> {
    require_answer(&user)?;
    let (mut tx, scope, ticket) = ticket_for_change(&state, &user, &number).await?;
    // A form without `seen` (a script) applies as it is; a page's form only over what it showed.
    if !form.seen.is_empty() && form.seen != ticket.props.stamp() {
        return Err(changed_meanwhile());
    }
    let new = match wanted_props(&mut tx, user.portal.id, &ticket.props, &form).await? {
        Ok(new) => new,
        Err(msg) => {
            tx.rollback().await?;
            let mut page = render(&state, &user, csrf, &scope, ticket, None).await?;
            page.errors = vec![msg];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let emails = notify::Context::new(&state, &user.portal).await?;
    apply_props(&mut tx, &emails, &user, &ticket, &new, now()).await?;
    tx.commit().await?;
    state.outbox.notify();
    // Moved to a department the agent does not see: the ticket is no longer theirs to open.
    if !scope.allows_department(new.department_id) {
        return Ok(Redirect::to("/manage/tickets?msg=ticket-moved").into_response());
    }
    Ok(Redirect::to(&format!("/manage/tickets/{}?msg=ticket-updated", ticket.number)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_reply_opens_a_new_ticket_and_a_chosen_status_wins() {
        assert_eq!(status_after(Status::New, None, false), Status::Open);
        assert_eq!(status_after(Status::New, None, true), Status::New);
        assert_eq!(status_after(Status::Open, Some(Status::Pending), false), Status::Pending);
        assert_eq!(status_after(Status::Pending, None, false), Status::Pending);
    }
}
