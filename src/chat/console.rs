//! The agents' chat pages (lane: console). "Chats" in the management menu, for those who answer
//! chats (`answer_chats`): the chats offered to the agent (Accept / Decline, with the time left),
//! the chats they answer, and the queue of their departments; each chat's page holds the
//! conversation (`chat.js` on the agent's socket) and what the agent does with it: saved
//! replies, transfer (`console_actions`), end, turn into a ticket (`console_ticket`).
//!
//! The lists follow changes live through `console_live`'s socket; without script the page is
//! the same, current when loaded. A chat id in an address is hostile: another portal's chat, or
//! one that is not the agent's, is 404, as one that does not exist.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::console_queries::{self as queries, ListedChat};
use super::routing;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::manage_login::EmptyForm;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::tickets::access;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::{Path, Query};
use crate::web::layout::{MenuEntry, Shell, Visibility};
use crate::web::state::AppState;

pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        href: "/manage/chats",
        label: "chat-console-menu",
        order: 15,
        visible: Visibility::Holders(Permission::AnswerChats),
    },
    MenuEntry {
        href: "/manage/chats/supervise",
        label: "chat-supervise-menu",
        order: 16,
        visible: Visibility::Holders(Permission::SuperviseChats),
    },
];

/// What the list says after an action sent the agent back to it (`?done=`): the page's own
/// notices, so that the feature's `notices` stay with presence.
fn done_text(code: &str) -> Option<String> {
    let key = match code {
        "declined" => "chat-console-done-declined",
        "transferred" => "chat-console-done-transferred",
        "ended" => "chat-console-done-ended",
        "ticket" => "chat-console-done-ticket",
        _ => return None,
    };
    Some(crate::i18n::t(key))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/chats", get(list_page))
        .route("/manage/chats/{id}", get(super::console_chat::chat_page))
        .route("/manage/chats/{id}/accept", post(accept))
        .route("/manage/chats/{id}/decline", post(decline))
        .merge(super::console_actions::router())
        .merge(super::console_live::router())
        .merge(super::supervise::router())
}

/// A chat on the lists, in words.
pub struct ChatRow {
    pub id: i64,
    pub requester: String,
    pub email: String,
    pub department: String,
    pub agent: String,
    pub state: String,
    /// What the clock counts: the time left to accept, how long the customer has waited, or
    /// for how long the chat has been answered (a catalog key).
    pub clock_label: &'static str,
    /// `until` (counts down to `at`) or `since` (counts up from `at`), for the script.
    pub clock_kind: &'static str,
    pub at: i64,
    /// The clock as loaded, `m:ss`; the script keeps it ticking.
    pub clock: String,
}

/// A number of seconds as a clock: `0:07`, `12:30`, `1:02:03`. The same in every language.
pub fn clock(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

pub fn state_label(state: &str) -> String {
    crate::i18n::t(match state {
        "waiting" => "chat-console-state-waiting",
        "offered" => "chat-console-state-offered",
        "active" => "chat-console-state-active",
        _ => "chat-console-state-ended",
    })
}

impl ChatRow {
    fn new(c: ListedChat, clock_label: &'static str, clock_kind: &'static str, at: i64, secs: i64) -> ChatRow {
        ChatRow {
            id: c.id,
            requester: c.requester_name,
            email: c.requester_email,
            department: c.department,
            agent: c.agent_name.unwrap_or_default(),
            state: state_label(&c.state),
            clock_label,
            clock_kind,
            at,
            clock: clock(secs),
        }
    }

    /// An offer: the time left to accept it.
    pub fn offer(c: ListedChat, now: i64) -> ChatRow {
        let until = c.offered_until.unwrap_or(now);
        ChatRow::new(c, "chat-console-clock-left", "until", until, until - now)
    }

    /// A chat being answered: for how long.
    pub fn active(c: ListedChat, now: i64) -> ChatRow {
        let since = c.accepted_at.unwrap_or(c.created_at);
        ChatRow::new(c, "chat-console-clock-answered", "since", since, now - since)
    }

    /// A chat not yet answered: how long the customer has waited.
    pub fn waiting(c: ListedChat, now: i64) -> ChatRow {
        let since = c.created_at;
        ChatRow::new(c, "chat-console-clock-waiting", "since", since, now - since)
    }
}

/// The three lists, also served alone for the script to swap in (`?part=lists`).
#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/console_lists.html")]
pub struct Lists {
    pub csrf: String,
    /// The server's clock, against which the script sets its own.
    pub now: i64,
    pub offers: Vec<ChatRow>,
    pub active: Vec<ChatRow>,
    pub queue: Vec<ChatRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/console_list.html")]
struct ListPage {
    shell: Shell,
    done: Option<String>,
    lists: Lists,
}

/// The agent may answer chats in the portal they work in: otherwise 403, with why.
pub fn require_answer(user: &ManageUser) -> AppResult<()> {
    user.require(Permission::AnswerChats)
}

async fn lists(state: &AppState, user: &ManageUser, csrf: String) -> AppResult<Lists> {
    let (portal_id, me) = (user.portal.id, user.staff.id);
    let now = now();
    let scope = access::scope(&state.db, user).await?;
    let offers = queries::of_agent(&state.db, portal_id, me, "offered").await?;
    let active = queries::of_agent(&state.db, portal_id, me, "active").await?;
    let queue = queries::in_departments(&state.db, portal_id, &scope, &["waiting"]).await?;
    Ok(Lists {
        csrf,
        now,
        offers: offers.into_iter().map(|c| ChatRow::offer(c, now)).collect(),
        active: active.into_iter().map(|c| ChatRow::active(c, now)).collect(),
        queue: queue.into_iter().map(|c| ChatRow::waiting(c, now)).collect(),
    })
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    done: Option<String>,
    part: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    require_answer(&user)?;
    let lists = lists(&state, &user, csrf.clone()).await?;
    if q.part.as_deref() == Some("lists") {
        return Ok(lists.into_response());
    }
    let shell = Shell::new(&user, csrf, "/manage/chats", None);
    Ok(ListPage { shell, done: q.done.as_deref().and_then(done_text), lists }.into_response())
}

/// The chat `raw` names, if it is the agent's (offered to them, answered by them, or ended while
/// theirs); otherwise 404 as for a chat that does not exist.
pub async fn agents_chat(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<ListedChat> {
    require_answer(user)?;
    let id = queries::parse_id(raw).ok_or(AppError::NotFound)?;
    let chat = queries::find(&state.db, user.portal.id, id).await?.ok_or(AppError::NotFound)?;
    if chat.agent_id != Some(user.staff.id) {
        return Err(AppError::NotFound);
    }
    Ok(chat)
}

async fn accept(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let chat = agents_chat(&state, &user, &id).await?;
    routing::accept(&state, user.portal.id, user.staff.id, chat.id).await?;
    Ok(Redirect::to(&format!("/manage/chats/{}", chat.id)).into_response())
}

async fn decline(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let chat = agents_chat(&state, &user, &id).await?;
    routing::decline(&state, user.portal.id, user.staff.id, chat.id).await?;
    Ok(Redirect::to("/manage/chats?done=declined").into_response())
}
