//! "Turn into a ticket": the agent's active chat becomes a ticket in the chat's department,
//! the transcript its first message and the chat's customer (or visitor) its requester, through
//! the tickets' own creation path (number, history, the usual emails). The chat then ends
//! (`ended_by = 'ticket'`) and points at the ticket.
//!
//! The ticket and the chat's link to it are written in one transaction, the link only while the
//! chat is still the agent's, active and without a ticket, so a double click or a race with a
//! transfer makes one ticket or none. Ending follows in routing's own transaction; should it
//! fail, the chat already names its ticket and the agent ends it as any chat.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::console_actions::active_chat;
use super::console_chat::render;
use super::console_queries::ListedChat;
use super::console_transcript as transcript;
use super::routing::{self, EndedBy};
use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, render_in};
use crate::tickets::store::{self, NewTicket};
use crate::tickets::{Actor, Priority};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::Path;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct TicketForm {
    #[serde(default)]
    subject: String,
}

/// Who asked, as the chat knows them.
struct Requester {
    customer_id: Option<i64>,
    language: Lang,
}

async fn requester(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<Requester> {
    let row = sqlx::query("SELECT customer_id, language FROM chats WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(chat_id)
        .fetch_one(state.db.pool())
        .await?;
    let language: String = row.try_get("language")?;
    Ok(Requester { customer_id: row.try_get("customer_id")?, language: Lang::parse(&language).unwrap_or_default() })
}

pub async fn turn_into_ticket(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TicketForm>,
) -> AppResult<Response> {
    let chat = active_chat(&state, &user, &id).await?;
    let subject = match crate::tickets::portal::check_subject(form.subject.trim()) {
        Ok(subject) => subject,
        Err(error) => {
            let mut page = render(&state, &user, csrf, chat).await?;
            page.subject = form.subject;
            page.errors = vec![error];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let number = create_ticket(&state, &user, &chat, &subject).await?;
    routing::end(&state, user.portal.id, chat.id, EndedBy::Ticket).await?;
    Ok(Redirect::to(&format!("/manage/tickets/{number}")).into_response())
}

/// Writes the ticket and links the chat to it; the ticket's number.
async fn create_ticket(state: &AppState, user: &ManageUser, chat: &ListedChat, subject: &str) -> AppResult<i64> {
    let portal_id = user.portal.id;
    let who = requester(state, portal_id, chat.id).await?;
    let lines = transcript::read(state, portal_id, chat.id, who.language).await?;
    let heading = render_in(who.language, || {
        crate::i18n::t2(
            "chat-console-transcript-heading",
            "department",
            chat.department.clone(),
            "agent",
            user.staff.name.clone(),
        )
    });
    let body = transcript::as_ticket_text(&lines, who.language, &heading);
    let new = NewTicket {
        portal_id,
        department_id: chat.department_id,
        customer_id: who.customer_id,
        requester_name: &chat.requester_name,
        requester_email: &chat.requester_email,
        // A customer signed in to start the chat; a visitor only typed an address.
        verified: who.customer_id.is_some(),
        priority: Priority::Normal,
        subject,
        body: &body,
        opened_by: Actor::Staff(user.staff.id),
    };
    let emails = crate::tickets::notify::Context::new(state, &user.portal).await?;
    let now = now();
    let mut tx = state.db.writer().begin().await?;
    let created = store::create(&mut tx, &new, now).await?;
    let linked = sqlx::query(
        "UPDATE chats SET ticket_id = $1 WHERE portal_id = $2 AND id = $3 AND agent_id = $4 AND state = 'active' \
         AND ticket_id IS NULL",
    )
    .bind(created.id)
    .bind(portal_id)
    .bind(chat.id)
    .bind(user.staff.id)
    .execute(&mut *tx)
    .await?;
    if linked.rows_affected() != 1 {
        // Dropping the transaction rolls the ticket back.
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("chat-console-ticket-conflict")));
    }
    crate::tickets::notify::ticket_created(&mut tx, &emails, created.id).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(portal_id, chat_id = chat.id, number = created.number, "chat turned into a ticket");
    Ok(created.number)
}
