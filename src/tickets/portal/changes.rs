//! What a customer changes on their ticket: a reply, closing it, reopening it. Each change, its
//! history rows and the ticket's new status are written in one transaction.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{check_message, customer_for_change, own_ticket, parse_number, ticket_page};
use crate::accounts::customers::Customer;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::tickets::portal_queries::{self as queries, OwnTicket};
use crate::tickets::store::{self, Event};
use crate::tickets::{Actor, Status, uploads};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

#[derive(Deserialize, Clone)]
pub struct ReplyForm {
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
pub struct EmptyForm {}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Opens the write transaction and finds the customer's ticket in it, or 404.
async fn own_ticket_for_change(
    state: &AppState,
    customer: &Customer,
    portal_id: i64,
    raw: &str,
) -> AppResult<(Tx, OwnTicket)> {
    let number = parse_number(raw)?;
    let mut tx = state.db.writer().begin().await?;
    let ticket = queries::find_own(&mut tx, portal_id, customer.id, number).await?.ok_or(AppError::NotFound)?;
    Ok((tx, ticket))
}

fn changed_meanwhile() -> AppError {
    AppError::Page(StatusCode::CONFLICT, Msg::new("tickets-changed-meanwhile"))
}

/// Moves the ticket to `to` and writes the history row.
async fn change_status(
    tx: &mut Tx,
    portal_id: i64,
    customer: &Customer,
    ticket: &OwnTicket,
    to: Status,
    replied: bool,
    now: i64,
) -> AppResult<()> {
    if !queries::set_status(tx, portal_id, ticket.id, ticket.status, to, replied, now).await? {
        return Err(changed_meanwhile());
    }
    if to != ticket.status {
        let event = Event { what: "status", old: Some(ticket.status.as_str()), new: Some(to.as_str()) };
        store::record(tx, portal_id, ticket.id, Actor::Customer(customer.id), &customer.name, event, now).await?;
    }
    Ok(())
}

/// The ticket is found (404) before the form is read, so that no file is stored for a ticket
/// that is not the customer's; it is found again in the transaction, where its status counts.
pub async fn reply(
    State(state): State<AppState>,
    user: crate::auth::extract::PortalUser,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, number)): Path<(String, String)>,
    request: Request,
) -> AppResult<Response> {
    let customer = customer_for_change(&user)?;
    let portal_id = user.portal.portal.id;
    own_ticket(&state, &customer, portal_id, &number).await?;
    let upload = uploads::read::<ReplyForm>(&state, portal_id, request).await?;
    let (mut tx, ticket) = own_ticket_for_change(&state, &customer, portal_id, &number).await?;
    let body = match (ticket.status, check_message(&upload.form.message)) {
        (Status::Closed, _) => Err((StatusCode::CONFLICT, Msg::new("tickets-reply-closed"))),
        (_, Err(msg)) => Err((StatusCode::UNPROCESSABLE_ENTITY, msg)),
        (_, Ok(body)) => Ok(body),
    };
    let body = match body {
        Ok(body) => body,
        Err((status, msg)) => {
            tx.rollback().await?;
            upload.discard(&state.db).await;
            let mut page = ticket_page(&state, user, csrf, ticket).await?;
            page.errors = vec![msg];
            if !upload.files.is_empty() {
                page.errors.push(Msg::new("attachments-choose-again"));
            }
            page.reply = upload.form.message.clone();
            return Ok((status, page).into_response());
        }
    };
    let now = now();
    let actor = Actor::Customer(customer.id);
    let message_id =
        queries::add_requester_message(&mut tx, portal_id, ticket.id, Some(customer.id), &customer.name, &body, now)
            .await?;
    change_status(&mut tx, portal_id, &customer, &ticket, ticket.status.after_customer_reply(), true, now).await?;
    let message = message_id.to_string();
    let event = Event { what: "reply", old: None, new: Some(&message) };
    store::record(&mut tx, portal_id, ticket.id, actor, &customer.name, event, now).await?;
    upload.link(&mut tx, ticket.id, message_id, actor, &customer.name, now).await?;
    let emails = crate::tickets::notify::Context::new(&state, &user.portal.portal).await?;
    crate::tickets::notify::customer_replied(&mut tx, &emails, ticket.id, message_id).await?;
    tx.commit().await?;
    state.outbox.notify();
    let to = format!("{}/tickets/{}?msg=replied#m{message_id}", user.portal.base, ticket.number);
    Ok(Redirect::to(&to).into_response())
}

pub async fn close(
    State(state): State<AppState>,
    user: crate::auth::extract::PortalUser,
    Path((_slug, number)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    move_to(&state, &user, &number, Status::Closed, "closed").await
}

pub async fn reopen(
    State(state): State<AppState>,
    user: crate::auth::extract::PortalUser,
    Path((_slug, number)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    move_to(&state, &user, &number, Status::Open, "reopened").await
}

/// Closes or reopens the customer's ticket; asking for the status it already has changes nothing.
async fn move_to(
    state: &AppState,
    user: &crate::auth::extract::PortalUser,
    number: &str,
    to: Status,
    notice: &str,
) -> AppResult<Response> {
    let customer = customer_for_change(user)?;
    let portal_id = user.portal.portal.id;
    let (mut tx, ticket) = own_ticket_for_change(state, &customer, portal_id, number).await?;
    // A merged ticket stays closed: its thread went on in the other one.
    if let Some(into) = ticket.merged_into {
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("ticket-merge-is-merged").arg("number", into)));
    }
    // Reopening applies to a closed ticket only; any other is open enough already.
    let applies = if to == Status::Closed { ticket.status != Status::Closed } else { ticket.status == Status::Closed };
    if applies {
        change_status(&mut tx, portal_id, &customer, &ticket, to, false, now()).await?;
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(Redirect::to(&format!("{}/tickets/{}?msg={notice}", user.portal.base, ticket.number)).into_response())
}
