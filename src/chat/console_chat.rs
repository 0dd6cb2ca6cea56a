//! One chat's page for its agent: who the customer is, the conversation (read on the server,
//! then live through `chat.js` on the agent's socket), and what the agent may do with it while
//! it is theirs: accept or decline an offer; once active, saved replies, transfer to another
//! agent or department, end, turn into a ticket.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::console::{ChatRow, agents_chat, state_label};
use super::console_queries::{self as queries, ListedChat};
use super::console_transcript::{self as transcript, Line};
use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::tickets::replies;
use crate::web::csrf::CsrfToken;
use crate::web::extract::{Path, Query};
use crate::web::layout::Shell;
use crate::web::state::AppState;

/// A saved reply offered on the chat, its placeholders filled for the chat.
pub struct OfferedReply {
    pub id: i64,
    pub title: String,
    pub text: String,
}

/// An agent or a department to transfer to.
pub struct Target {
    pub id: i64,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/console_chat.html")]
pub struct ChatPage {
    pub shell: Shell,
    pub chat: ChatRow,
    pub state: String,
    /// `waiting`, `offered`, `active` or `ended`, for `chat.js`.
    pub raw_state: String,
    pub body_max: usize,
    pub offered: bool,
    pub active: bool,
    pub ticket: Option<i64>,
    pub messages: Vec<Line>,
    pub saved_replies: Vec<OfferedReply>,
    pub reply: String,
    /// The message form's own id, so that sending it twice stores one message.
    pub client_id: String,
    pub agents: Vec<Target>,
    pub departments: Vec<Target>,
    pub subject: String,
    pub errors: Vec<Msg>,
}

#[derive(Deserialize, Default)]
pub struct ChatQuery {
    /// A saved reply to put in the message box (the page without script).
    reply: Option<String>,
}

/// The page for the agent's chat `chat`.
pub async fn render(state: &AppState, user: &ManageUser, csrf: String, chat: ListedChat) -> AppResult<ChatPage> {
    let portal_id = user.portal.id;
    let now = now();
    let active = chat.state == "active";
    let saved_replies = if active { offered_replies(state, user, &chat).await? } else { Vec::new() };
    let (agents, departments) = if active { targets(state, user, &chat).await? } else { (Vec::new(), Vec::new()) };
    let lines = transcript::lines(state, portal_id, chat.id).await?;
    let ticket = transcript::ticket_number(state, portal_id, chat.id).await?;
    let subject = crate::i18n::t1("chat-console-ticket-default-subject", "name", chat.requester_name.clone());
    let row = match chat.state.as_str() {
        "offered" => ChatRow::offer(chat.clone(), now),
        "waiting" => ChatRow::waiting(chat.clone(), now),
        _ => ChatRow::active(chat.clone(), now),
    };
    Ok(ChatPage {
        shell: Shell::new(user, csrf, "/manage/chats", None),
        chat: row,
        state: state_label(&chat.state),
        raw_state: chat.state.clone(),
        body_max: super::store::BODY_MAX_CHARS,
        offered: chat.state == "offered",
        active,
        ticket,
        messages: lines,
        saved_replies,
        reply: String::new(),
        client_id: crate::web::tokens::random_token(),
        agents,
        departments,
        subject,
        errors: Vec::new(),
    })
}

/// The saved replies the ticket reply form would offer on the chat's department.
async fn offered_replies(state: &AppState, user: &ManageUser, chat: &ListedChat) -> AppResult<Vec<OfferedReply>> {
    let found = replies::offered(&state.db, user.portal.id, user.staff.id, chat.department_id).await?;
    Ok(found.into_iter().map(|r| OfferedReply { id: r.id, text: fill(&r.body, user, chat), title: r.title }).collect())
}

/// A saved reply's placeholders for a chat: the customer's and the agent's names (a chat has no
/// ticket number; that placeholder stays as typed).
fn fill(body: &str, user: &ManageUser, chat: &ListedChat) -> String {
    body.replace("{{customer_name}}", &chat.requester_name).replace("{{agent_name}}", &user.staff.name)
}

/// Whom the chat may go to: the department's other chat agents, the portal's other departments.
async fn targets(state: &AppState, user: &ManageUser, chat: &ListedChat) -> AppResult<(Vec<Target>, Vec<Target>)> {
    let agents = queries::chat_agents(&state.db, user.portal.id, chat.department_id).await?;
    let departments = queries::departments(&state.db, user.portal.id).await?;
    Ok((
        agents.into_iter().filter(|(id, _)| *id != user.staff.id).map(|(id, name)| Target { id, name }).collect(),
        departments
            .into_iter()
            .filter(|(id, _)| *id != chat.department_id)
            .map(|(id, name)| Target { id, name })
            .collect(),
    ))
}

pub async fn chat_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<ChatQuery>,
) -> AppResult<Response> {
    let chat = agents_chat(&state, &user, &id).await?;
    let mut page = render(&state, &user, csrf, chat).await?;
    if let Some(raw) = q.reply.as_deref().filter(|r| !r.is_empty()) {
        let id = queries::parse_id(raw).ok_or(AppError::NotFound)?;
        let reply = page.saved_replies.iter().find(|r| r.id == id).ok_or(AppError::NotFound)?;
        page.reply = reply.text.clone();
    }
    Ok(page.into_response())
}
