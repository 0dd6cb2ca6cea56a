//! What an agent does with a chat of theirs that is active: transfer it to another agent or
//! department, end it, or turn it into a ticket. Each goes through core's routing (one
//! transaction each, events after commit); ids in forms are hostile: an agent or department
//! that is not a choice the page offers is 404.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::console::agents_chat;
use super::console_queries::{self as queries, ListedChat};
use super::routing::{self, EndedBy};
use crate::auth::ManageUser;
use crate::auth::manage_login::EmptyForm;
use crate::error::{AppError, AppResult};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::Path;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/chats/{id}/transfer-agent", post(transfer_to_agent))
        .route("/manage/chats/{id}/transfer-department", post(transfer_to_department))
        .route("/manage/chats/{id}/end", post(end))
        .route("/manage/chats/{id}/send", post(send))
        .route("/manage/chats/{id}/ticket", post(super::console_ticket::turn_into_ticket))
}

/// The agent's chat, if it is active (an offer is accepted first; an ended chat is done): else 404.
pub async fn active_chat(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<ListedChat> {
    let chat = agents_chat(state, user, raw).await?;
    if chat.state != "active" {
        return Err(AppError::NotFound);
    }
    Ok(chat)
}

#[derive(Deserialize)]
struct AgentForm {
    #[serde(default)]
    agent: String,
}

async fn transfer_to_agent(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AgentForm>,
) -> AppResult<Response> {
    let chat = active_chat(&state, &user, &id).await?;
    let to = queries::parse_id(&form.agent).ok_or(AppError::NotFound)?;
    let agents = queries::chat_agents(&state.db, user.portal.id, chat.department_id).await?;
    if to == user.staff.id || !agents.iter().any(|(id, _)| *id == to) {
        return Err(AppError::NotFound);
    }
    routing::transfer_to_agent(&state, user.portal.id, user.staff.id, chat.id, to).await?;
    Ok(Redirect::to("/manage/chats?done=transferred").into_response())
}

#[derive(Deserialize)]
struct DepartmentForm {
    #[serde(default)]
    department: String,
}

async fn transfer_to_department(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DepartmentForm>,
) -> AppResult<Response> {
    let chat = active_chat(&state, &user, &id).await?;
    let to = queries::parse_id(&form.department).ok_or(AppError::NotFound)?;
    let departments = queries::departments(&state.db, user.portal.id).await?;
    if to == chat.department_id || !departments.iter().any(|(id, _)| *id == to) {
        return Err(AppError::NotFound);
    }
    routing::transfer_to_department(&state, user.portal.id, user.staff.id, chat.id, to).await?;
    Ok(Redirect::to("/manage/chats?done=transferred").into_response())
}

async fn end(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let chat = active_chat(&state, &user, &id).await?;
    routing::end(&state, user.portal.id, chat.id, EndedBy::Agent(user.staff.id)).await?;
    Ok(Redirect::to("/manage/chats?done=ended").into_response())
}

#[derive(Deserialize)]
struct SendForm {
    #[serde(default)]
    body: String,
    /// Set when the page was made: sending the same form twice stores one message.
    #[serde(default)]
    client_id: String,
}

/// The message form without script (`chat.js` sends over the socket instead): stores the
/// message as the socket would, then shows the chat again.
async fn send(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SendForm>,
) -> AppResult<Response> {
    let chat = active_chat(&state, &user, &id).await?;
    let checked = super::ws::check_body(&form.body);
    let Ok(body) = checked else {
        let mut page = super::console_chat::render(&state, &user, csrf, chat).await?;
        page.reply = form.body;
        page.errors = checked.err().into_iter().collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let client_id = Some(form.client_id.as_str()).filter(|c| !c.is_empty() && c.len() <= 64);
    let client_id = client_id.map_or_else(crate::web::tokens::random_token, str::to_string);
    let author = super::store::Author::Agent(user.staff.id);
    let sender = super::store::Sender::in_session(author, state.sessions, Some(user.session.id));
    super::ws::deliver(&state, user.portal.id, chat.id, sender, &client_id, &body, None).await?;
    Ok(Redirect::to(&format!("/manage/chats/{}#chat-send", chat.id)).into_response())
}
