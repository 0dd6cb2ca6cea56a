//! A visitor's ticket through its private link: the public thread, a reply, closing and reopening
//! it, under the same rules as a customer's. The first opening proves the address. A token that
//! opens nothing in this portal is a 404, and such failures are throttled per client address.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::links::{self, LinkedTicket};
use crate::auth::throttle;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::portals::resolve::CurrentPortal;
use crate::tickets::portal::{MessageView, check_message, status_label};
use crate::tickets::portal_queries::{self as queries, OwnTicket};
use crate::tickets::store::{self, Event};
use crate::tickets::{Actor, Status};
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Wrong links from one client address before each next one must wait (1 s, then 2 s, 4 s ...
/// up to a minute). A token has 256 random bits, so this is not what keeps it from being
/// guessed; it keeps anyone from trying at speed, while people behind one address who mistype or
/// open an expired link now and then are never held back.
const WRONG_LINKS: throttle::Rule = throttle::Rule { free: 50, concurrent: 64 };

/// Who acts through the link: the customer once the ticket is theirs, else the visitor.
fn actor_of(linked: &LinkedTicket) -> Actor {
    linked.customer_id.map(Actor::Customer).unwrap_or(Actor::Other)
}

/// The ticket the link opens, or 404. Every lookup is admitted by the client address's throttle
/// and a miss counts as a failure there, so tokens cannot be guessed at speed. The first
/// opening proves the address (see `links::verify`).
async fn open(state: &AppState, portal: &CurrentPortal, client: &Client, token: &str) -> AppResult<LinkedTicket> {
    let keys = [(format!("ticket-link:{}", client.ip), WRONG_LINKS)];
    let linked = throttle::guarded_lookup(&state.db, &keys, "ticket-visitors-link-wait", || async {
        if !links::is_well_formed(token) {
            return Ok(None);
        }
        let mut conn = state.db.pool().acquire().await?;
        links::find(&mut conn, portal.portal.id, token, now()).await
    })
    .await?;
    if linked.verified {
        return Ok(linked);
    }
    let (portal_id, now) = (portal.portal.id, now());
    let mut tx = state.db.writer().begin().await?;
    if links::verify(&mut tx, portal_id, linked.ticket.id, &linked.requester_email, now).await? {
        let event = Event { what: "verified", old: None, new: Some(&linked.requester_email) };
        store::record(&mut tx, portal_id, linked.ticket.id, Actor::Other, &linked.requester_name, event, now).await?;
        tracing::info!(portal = %portal.portal.slug, number = linked.ticket.number, "visitor's address proven");
    }
    let linked = links::find(&mut tx, portal_id, token, now).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(linked)
}

/// Opens the write transaction and reads the link's ticket again in it, for a change.
async fn open_for_change(
    state: &AppState,
    portal: &CurrentPortal,
    client: &Client,
    token: &str,
) -> AppResult<(Tx, LinkedTicket)> {
    open(state, portal, client, token).await?;
    let mut tx = state.db.writer().begin().await?;
    let linked = links::find(&mut tx, portal.portal.id, token, now()).await?.ok_or(AppError::NotFound)?;
    Ok((tx, linked))
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/visitor_ticket.html")]
struct TicketPage {
    csrf: String,
    portal: CurrentPortal,
    /// This page's address (with the token), where its forms post.
    here: String,
    ticket: OwnTicket,
    status: String,
    closed: bool,
    created: String,
    updated: String,
    messages: Vec<MessageView>,
    notice: Option<Msg>,
    errors: Vec<Msg>,
    reply: String,
    /// Visitors send no files (the link's forms are plain forms).
    limits: Option<crate::tickets::uploads::FileLimits>,
    files_base: String,
    /// The number the link was made for, when that ticket was merged into this one.
    merged_from: Option<i64>,
    /// The satisfaction form, once the ticket is resolved or closed.
    rating: Option<crate::tickets::satisfaction::RatingView>,
}

async fn ticket_page(
    state: &AppState,
    portal: CurrentPortal,
    csrf: String,
    token: &str,
    ticket: OwnTicket,
) -> AppResult<TicketPage> {
    let messages = crate::tickets::portal::public_messages(&state.db, portal.portal.id, ticket.id).await?;
    let here = format!("{}{}", portal.base, links::follow_path(token));
    let action = format!("{here}/rating");
    let rating =
        crate::tickets::satisfaction::form_for(&state.db, portal.portal.id, ticket.id, ticket.status, action).await?;
    Ok(TicketPage {
        rating,
        csrf,
        files_base: format!("{here}/files"),
        here,
        limits: None,
        portal,
        status: status_label(ticket.status),
        closed: ticket.status == Status::Closed,
        created: crate::web::format_time(ticket.created_at),
        updated: crate::web::format_time(ticket.updated_at),
        ticket,
        messages,
        notice: None,
        errors: vec![],
        reply: String::new(),
        merged_from: None,
    })
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    msg: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, token)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let linked = open(&state, &portal, &client, &token).await?;
    let mut page = ticket_page(&state, portal, csrf, &token, linked.ticket).await?;
    page.merged_from = linked.merged_from;
    page.notice = match q.msg.as_deref() {
        Some("replied") => Some(Msg::new("tickets-notice-replied")),
        Some("closed") => Some(Msg::new("tickets-notice-closed")),
        Some("reopened") => Some(Msg::new("tickets-notice-reopened")),
        Some("rated") => Some(Msg::new("ticket-rating-saved")),
        _ => None,
    };
    Ok(page.into_response())
}

/// Moves the ticket to `to` and writes the history row; 409 when it changed meanwhile.
async fn change_status(
    tx: &mut Tx,
    portal_id: i64,
    linked: &LinkedTicket,
    to: Status,
    replied: bool,
    now: i64,
) -> AppResult<()> {
    let ticket = &linked.ticket;
    if !queries::set_status(tx, portal_id, ticket.id, ticket.status, to, replied, now).await? {
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("tickets-changed-meanwhile")));
    }
    if to != ticket.status {
        let event = Event { what: "status", old: Some(ticket.status.as_str()), new: Some(to.as_str()) };
        store::record(tx, portal_id, ticket.id, actor_of(linked), &linked.requester_name, event, now).await?;
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn reply(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, token)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<Response> {
    let (mut tx, linked) = open_for_change(&state, &portal, &client, &token).await?;
    let body = match (linked.ticket.status, check_message(&form.message)) {
        (Status::Closed, _) => Err((StatusCode::CONFLICT, Msg::new("tickets-reply-closed"))),
        (_, Err(msg)) => Err((StatusCode::UNPROCESSABLE_ENTITY, msg)),
        (_, Ok(body)) => Ok(body),
    };
    let body = match body {
        Ok(body) => body,
        Err((status, msg)) => {
            tx.rollback().await?;
            let mut page = ticket_page(&state, portal, csrf, &token, linked.ticket).await?;
            page.errors = vec![msg];
            page.reply = form.message;
            return Ok((status, page).into_response());
        }
    };
    let (portal_id, ticket_id, now) = (portal.portal.id, linked.ticket.id, now());
    let name = &linked.requester_name;
    let message_id = crate::tickets::portal_queries::add_requester_message(
        &mut tx,
        portal_id,
        ticket_id,
        linked.customer_id,
        name,
        &body,
        now,
    )
    .await?;
    change_status(&mut tx, portal_id, &linked, linked.ticket.status.after_customer_reply(), true, now).await?;
    let message = message_id.to_string();
    let event = Event { what: "reply", old: None, new: Some(&message) };
    store::record(&mut tx, portal_id, ticket_id, actor_of(&linked), name, event, now).await?;
    let emails = crate::tickets::notify::Context::new(&state, &portal.portal).await?;
    crate::tickets::notify::customer_replied(&mut tx, &emails, ticket_id, message_id).await?;
    tx.commit().await?;
    state.outbox.notify();
    let to = format!("{}{}?msg=replied#m{message_id}", portal.base, links::follow_path(&token));
    Ok(Redirect::to(&to).into_response())
}

pub async fn close(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    Path((_slug, token)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    move_to(&state, &portal, &client, &token, Status::Closed, "closed").await
}

pub async fn reopen(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    Path((_slug, token)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    move_to(&state, &portal, &client, &token, Status::Open, "reopened").await
}

/// Closes or reopens the ticket; asking for the status it already has changes nothing.
async fn move_to(
    state: &AppState,
    portal: &CurrentPortal,
    client: &Client,
    token: &str,
    to: Status,
    notice: &str,
) -> AppResult<Response> {
    let (mut tx, linked) = open_for_change(state, portal, client, token).await?;
    let status = linked.ticket.status;
    // Reopening applies to a closed ticket only; any other is open enough already.
    let applies = if to == Status::Closed { status != Status::Closed } else { status == Status::Closed };
    if applies {
        change_status(&mut tx, portal.portal.id, &linked, to, false, now()).await?;
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(Redirect::to(&format!("{}{}?msg={notice}", portal.base, links::follow_path(token))).into_response())
}

/// A file of the link's ticket, of a public message only (a note's, another ticket's or another
/// portal's file is a 404, as is one that does not exist).
pub async fn download(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    Path((_slug, token, attachment)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let linked = open(&state, &portal, &client, &token).await?;
    let id = attachment.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)?;
    let portal_id = portal.portal.id;
    if !crate::tickets::downloads::on_ticket(&state.db, portal_id, linked.ticket.id, id, true).await? {
        return Err(AppError::NotFound);
    }
    crate::tickets::downloads::serve(&state.db, portal_id, id).await
}

/// Rates the link's ticket (see `satisfaction`), as its requester.
pub async fn rate(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    Path((_slug, token)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<crate::tickets::satisfaction::RatingFormFields>,
) -> AppResult<Response> {
    use crate::tickets::satisfaction;
    let rating = satisfaction::checked(&form)?;
    let (mut tx, linked) = open_for_change(&state, &portal, &client, &token).await?;
    let ticket = satisfaction::find(&mut tx, portal.portal.id, linked.ticket.id).await?.ok_or(AppError::NotFound)?;
    let actor = (actor_of(&linked), linked.requester_name.clone());
    satisfaction::save_in(&mut tx, portal.portal.id, &ticket, &rating, actor).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}{}?msg=rated#rating-form", portal.base, links::follow_path(&token))).into_response())
}
