//! The chat socket, the same protocol on both sides (lane: talk): the customer's
//! (`/portal/{slug}/chats/{id}/socket`) and the agent's (`/manage/chats/{id}/socket`; the
//! chat's agent, or a supervisor of its department reading along). JSON text frames:
//!
//! - client → server: `{"type":"send","client_id":"…","body":"…"}`, `{"type":"typing"}`,
//!   `{"type":"ping"}`. Files go over HTTP (`…/chats/{id}/files`), which answers as `ack` does.
//! - server → client: `message`, `ack` (only once the message is committed), `typing`, `state`,
//!   `pong`, `error` (in the reader's language; with the `client_id` when that message is refused
//!   for good, so the client stops resending it).
//!
//! Each connection has two tasks: one reads the client's frames and stores what they send
//! (`reader`); the other writes the acknowledgements, and whatever the event bus says changed
//! (`writer`: a message stored by another node arrives the same way as one stored here). When
//! either ends, `select!` ends the other. `?after=N` resumes after message N: nothing is lost or
//! sent twice.

mod reader;
mod session;
mod writer;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::portal_access::{Requester, own_chat};
use super::store::{self, Author, Chat, Sender};
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::extract::MaybePortalUser;
use crate::error::{AppError, AppResult};
use crate::events::{Event, Topic};
use crate::i18n::{Lang, Msg};
use crate::web::state::AppState;
use reader::Reader;
use writer::Writer;

/// The largest frame a client may send; a bigger one closes the socket. A message of
/// `BODY_MAX_CHARS` characters of four bytes each, as JSON, fits.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/{slug}/chats/{id}/socket", get(customer_socket))
        .route("/manage/chats/{id}/socket", get(agent_socket))
}

#[derive(Deserialize, Default)]
pub struct SocketQuery {
    #[serde(default)]
    after: Option<String>,
    /// The widget's visitor token.
    #[serde(default)]
    token: Option<String>,
}

impl SocketQuery {
    fn after(&self) -> AppResult<i64> {
        match self.after.as_deref().filter(|a| !a.is_empty()) {
            None => Ok(0),
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| AppError::bad_request(Msg::new("chat-error-bad-after"))),
        }
    }
}

/// Which side a connection speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Customer,
    Agent {
        staff_id: i64,
    },
    /// A supervisor reading along: receives everything, sends nothing.
    Supervisor,
}

impl Side {
    fn is_agent_side(self) -> bool {
        !matches!(self, Side::Customer)
    }
}

/// What one connection knows.
#[derive(Clone)]
struct Conn {
    state: AppState,
    portal_id: i64,
    chat_id: i64,
    side: Side,
    lang: Lang,
    /// Where the chat's files are downloaded from, for this side: `…/chats/{id}/files`.
    files_base: String,
    /// The session that opened the socket (none for a visitor's token): once it has ended
    /// (signed out, account disabled, run out), the socket stops too.
    session: session::SessionWord,
    /// A supervisor reading along: asked again, as the chat moves, whether they still may.
    supervisor: Option<std::sync::Arc<ManageUser>>,
}

impl Conn {
    /// Whether the session behind this socket is still current; a database hiccup keeps it.
    async fn session_alive(&self) -> bool {
        self.session.alive(&self.state).await
    }

    /// Like `session_alive`, counting a message sent as the session's activity.
    async fn session_in_use(&self) -> bool {
        self.session.in_use(&self.state).await
    }
}

fn unauthorized() -> Response {
    StatusCode::UNAUTHORIZED.into_response()
}

fn not_a_socket() -> Response {
    AppError::bad_request(Msg::new("chat-error-not-a-socket")).into_response()
}

/// The header that marks a refusal for good: the chat is not (or no longer) this reader's.
/// chat.js stops trying on this answer alone, not on any 404: a proxy's, while a node
/// restarts, or an agent's whose session was switched to another portal in another tab, pass.
pub const REFUSED_HEADER: &str = "x-chat-refused";

fn not_yours() -> Response {
    (StatusCode::NOT_FOUND, [(REFUSED_HEADER, "not-yours")]).into_response()
}

async fn customer_socket(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    Path((_slug, id)): Path<(String, String)>,
    Query(query): Query<SocketQuery>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    // Cross-site WebSocket hijacking: a page elsewhere must not open this with our cookies.
    // The widget's iframe is served from our own origin, so its socket passes.
    crate::web::csrf::check_origin(&headers, &state)?;
    let portal_id = portal.portal.id;
    let token = protocol_token(&headers).or(query.token.as_deref());
    let requester = Requester::of(&state, portal_id, user.as_ref(), &headers, token);
    if matches!(requester, Requester::Nobody) {
        return Ok(unauthorized());
    }
    // A chat that does not exist is refused as one of someone else's: no answer tells which.
    let chat = match own_chat(&state, portal_id, &requester, &id).await {
        Ok(chat) => chat,
        Err(AppError::NotFound) => return Ok(not_yours()),
        Err(e) => return Err(e),
    };
    let after = query.after()?;
    let Ok(ws) = ws else { return Ok(not_a_socket()) };
    let conn = Conn {
        state,
        portal_id,
        chat_id: chat.id,
        side: Side::Customer,
        lang: Lang::current(),
        files_base: format!("{}/chats/{}/files", portal.base, chat.id),
        session: session::SessionWord::new(user.as_ref().map(|u| u.session.id)),
        supervisor: None,
    };
    Ok(upgrade(ws, conn, after))
}

/// The chat's agent, or a supervisor of its department; anyone else: 404.
pub(crate) async fn agent_side(state: &AppState, user: &ManageUser, chat: &Chat) -> AppResult<bool> {
    if chat.agent_id == Some(user.staff.id) && user.can(Permission::AnswerChats) {
        return Ok(true);
    }
    if super::supervise::supervises(state, user, chat.department_id).await? {
        return Ok(false);
    }
    Err(AppError::NotFound)
}

async fn agent_socket(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    Path(id): Path<String>,
    Query(query): Query<SocketQuery>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let user = match user {
        Ok(user) => user,
        Err(refusal) => return Ok(crate::web::sockets::session_refused(refusal)),
    };
    crate::web::csrf::check_origin(&headers, &state)?;
    let Ok(id) = super::portal_access::parse_id(&id) else { return Ok(not_yours()) };
    let Some(chat) = store::load(&state.db, user.portal.id, id).await? else {
        return in_another_portal_of_theirs(&state, &user, id).await;
    };
    let writes = match agent_side(&state, &user, &chat).await {
        Ok(writes) => writes,
        Err(AppError::NotFound) => return Ok(not_yours()),
        Err(e) => return Err(e),
    };
    let after = query.after()?;
    let Ok(ws) = ws else { return Ok(not_a_socket()) };
    let side = if writes { Side::Agent { staff_id: user.staff.id } } else { Side::Supervisor };
    let conn = Conn {
        state,
        portal_id: user.portal.id,
        chat_id: chat.id,
        side,
        lang: Lang::current(),
        files_base: format!("/manage/chats/{}/files", chat.id),
        session: session::SessionWord::new(Some(user.session.id)),
        supervisor: (!writes).then(|| std::sync::Arc::new(user.clone())),
    };
    Ok(upgrade(ws, conn, after))
}

/// A chat not in the portal the agent's session is in: if it is in another portal they work
/// in, the session may have been switched in another tab, and back later (a plain 404, tried
/// again); anywhere else it is refused as any chat not theirs, so that no answer tells whether
/// a chat exists, in this portal or another.
async fn in_another_portal_of_theirs(state: &AppState, user: &ManageUser, id: i64) -> AppResult<Response> {
    for (portal, _) in user.memberships.iter().filter(|(p, _)| p.id != user.portal.id) {
        if store::load(&state.db, portal.id, id).await?.is_some() {
            return Err(AppError::NotFound);
        }
    }
    Ok(not_yours())
}

/// The subprotocol a client names to carry the widget's token (`token.` + the token) without
/// putting it in an address, where logs and histories keep it; the server answers with this one.
pub const PROTOCOL: &str = "frontdesk-chat";

/// The widget's visitor token, from `Sec-WebSocket-Protocol: frontdesk-chat, token.TOKEN`.
fn protocol_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix("token."))
}

fn upgrade(ws: WebSocketUpgrade, conn: Conn, after: i64) -> Response {
    crate::web::sockets::lean(ws.protocols([PROTOCOL]), MAX_FRAME_BYTES)
        .on_upgrade(move |socket| run(socket, conn, after))
        .into_response()
}

async fn run(socket: WebSocket, conn: Conn, after: i64) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<String>(64);
    // Subscribed before the first read, so that nothing committed after it is missed.
    let events = conn.state.events.subscribe_to(Topic::Chat { portal_id: conn.portal_id, chat_id: conn.chat_id });
    let writer_conn = conn.clone();
    let mut writer = tokio::spawn(async move {
        let mut writer = Writer::new(writer_conn, after);
        writer.run(&mut sink, &mut outgoing, events).await;
        crate::web::sockets::close_within(&mut sink).await;
    });
    let mut reader = tokio::spawn(async move {
        let mut reader = Reader::new(conn, out);
        while let Some(Ok(frame)) = stream.next().await {
            match frame {
                Message::Text(text) => {
                    if !reader.frame(text.as_str()).await {
                        break;
                    }
                }
                Message::Binary(_) => reader.error(Msg::new("chat-error-bad-frame"), None).await,
                Message::Close(_) => break,
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
    });
    tokio::select! {
        _ = &mut writer => reader.abort(),
        // The reader ends when the client leaves or its session has: the writer, which then
        // hears no more from it, sends what is queued (a last word) and closes.
        _ = &mut reader => {
            if tokio::time::timeout(LAST_WORDS, &mut writer).await.is_err() {
                writer.abort();
            }
        }
    }
}

/// How long a socket whose client or session has gone may take to send what is queued.
const LAST_WORDS: std::time::Duration = std::time::Duration::from_secs(2);

/// Tells a client its session has ended (signed out, run out, ended by an administrator), just
/// before the socket closes: it stops reconnecting and says so, in the reader's words.
fn signed_out_frame(lang: Lang) -> String {
    serde_json::json!({"type": "signed_out", "message": Msg::new("chat-error-signed-out").in_lang(lang)}).to_string()
}

/// A client's own id for a message: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= store::CLIENT_ID_MAX_CHARS
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A message's text: trimmed, not empty, not too long, no control characters but line breaks
/// and tabs.
pub fn check_body(body: &str) -> Result<String, Msg> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Msg::new("chat-error-empty"));
    }
    if body.chars().count() > store::BODY_MAX_CHARS {
        return Err(Msg::new("chat-error-too-long").arg("max", store::BODY_MAX_CHARS));
    }
    if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        return Err(Msg::new("chat-error-control"));
    }
    Ok(body.to_string())
}

/// Stores a message and tells every node once it is committed; its number. A resend of one
/// stored before returns that one's number and tells again (the first telling may have been
/// lost with its node; sockets skip a message they have sent). A socket's message names its
/// session (`Sender::session`), and is refused with `store::signed_out` once that has ended.
pub(crate) async fn deliver(
    state: &AppState,
    portal_id: i64,
    chat_id: i64,
    sender: Sender,
    client_id: &str,
    body: &str,
    attachment_id: Option<i64>,
) -> AppResult<i64> {
    if attachment_id.is_none()
        && sender.author != Author::System
        && let Some(message) =
            store::append_at_once(&state.chat_writer, portal_id, chat_id, sender, client_id, body).await?
    {
        // Told and kept already, by a task of its own: even had this one been cancelled.
        return Ok(message.seq);
    }
    let mut tx = state.db.writer().begin().await?;
    let appended = store::append_on(&mut tx, portal_id, chat_id, sender, Some(client_id), body, attachment_id).await?;
    let seq = appended.message.seq;
    if !appended.fresh {
        // Gives the number taken for nothing back.
        tx.rollback().await?;
        state.events.tell_soon(Event::ChatMessage { portal_id, chat_id, seq });
        return Ok(seq);
    }
    let told = [Event::ChatMessage { portal_id, chat_id, seq }];
    state.events.publish_in(&mut tx, &told).await?;
    tx.commit().await?;
    // Kept before this node's sockets hear of it, so that they need not read it back.
    state.chat_messages.remember(portal_id, chat_id, std::slice::from_ref(&appended.message));
    state.events.committed(&told);
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_and_bodies_are_checked() {
        assert!(valid_client_id("0b6f6c1e-4a9d-4d0e-9f51-0d2b8e7e6a11"));
        assert!(!valid_client_id("") && !valid_client_id("a b") && !valid_client_id(&"a".repeat(65)));
        assert_eq!(check_body("  hi \n there "), Ok("hi \n there".to_string()));
        assert!(check_body("   ").is_err());
        assert!(check_body("a\u{0}b").is_err());
        assert!(check_body(&"é".repeat(store::BODY_MAX_CHARS + 1)).is_err());
    }
}
