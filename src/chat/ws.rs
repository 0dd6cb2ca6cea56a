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
//! Each connection has two tasks: one reads the client's frames and stores what they send; the
//! other writes: the acknowledgements, and whatever the event bus says changed (read back from
//! the database, so a message stored by another node arrives the same way). When either ends,
//! `select!` ends the other. `?after=N` resumes after message N: nothing is lost or sent twice.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::lanes;
use super::portal_access::{Requester, own_chat};
use super::store::{self, Author, Chat, ChatMessage};
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::extract::MaybePortalUser;
use crate::error::{AppError, AppResult};
use crate::events::{Event, Topic, TopicReceiver};
use crate::i18n::{Lang, Msg};
use crate::web::state::AppState;

/// The largest frame a client may send; a bigger one closes the socket. A message of
/// `BODY_MAX_CHARS` characters of four bytes each, as JSON, fits.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// Messages one connection may send in `SEND_WINDOW`; more are refused until it passes.
const SENDS_PER_WINDOW: usize = 30;
const SEND_WINDOW: Duration = Duration::from_secs(10);
/// Typing is passed on at most this often.
const TYPING_EVERY: Duration = Duration::from_secs(2);
/// How often the writer looks at the database without being told: a lost event (a node that
/// died between commit and notify) is noticed this late, and waits are re-estimated.
const REFRESH_EVERY: Duration = Duration::from_secs(30);

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
    session_id: Option<i64>,
}

impl Conn {
    /// Whether the session behind this socket is still current; a database hiccup keeps it.
    async fn session_alive(&self) -> bool {
        let Some(id) = self.session_id else { return true };
        crate::auth::sessions::is_current(&self.state.db, self.state.sessions, id).await.unwrap_or(true)
    }
}

fn unauthorized() -> Response {
    StatusCode::UNAUTHORIZED.into_response()
}

fn not_a_socket() -> Response {
    AppError::bad_request(Msg::new("chat-error-not-a-socket")).into_response()
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
    let chat = own_chat(&state, portal_id, &requester, &id).await?;
    let after = query.after()?;
    let Ok(ws) = ws else { return Ok(not_a_socket()) };
    let conn = Conn {
        state,
        portal_id,
        chat_id: chat.id,
        side: Side::Customer,
        lang: Lang::current(),
        files_base: format!("{}/chats/{}/files", portal.base, chat.id),
        session_id: user.as_ref().map(|u| u.session.id),
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
    let Ok(user) = user else { return Ok(unauthorized()) };
    crate::web::csrf::check_origin(&headers, &state)?;
    let id = super::portal_access::parse_id(&id)?;
    let chat = store::load(&state.db, user.portal.id, id).await?.ok_or(AppError::NotFound)?;
    let writes = agent_side(&state, &user, &chat).await?;
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
        session_id: Some(user.session.id),
    };
    Ok(upgrade(ws, conn, after))
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
        let mut writer = Writer { conn: writer_conn, last_seq: after, shown: None, queue: None };
        writer.run(&mut sink, &mut outgoing, events).await;
        let _ = sink.close().await;
    });
    let mut reader = tokio::spawn(async move {
        let mut reader = Reader { conn, out, sends: Vec::new(), typed: None };
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
        _ = &mut reader => writer.abort(),
    }
}

// ---- the writing half --------------------------------------------------------------------------

/// What the client was last told of the chat's state, to tell only changes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shown {
    state: String,
    agent: Option<String>,
    place: Option<lanes::Place>,
}

struct Writer {
    conn: Conn,
    /// The last message number sent to the client.
    last_seq: i64,
    shown: Option<Shown>,
    /// The department queue followed while the chat waits (positions move when others leave it).
    queue: Option<(i64, TopicReceiver)>,
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

async fn next_queue_event(queue: &mut Option<(i64, TopicReceiver)>) -> Option<Event> {
    match queue {
        Some((_, receiver)) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

impl Writer {
    async fn run(&mut self, sink: &mut Sink, outgoing: &mut mpsc::Receiver<String>, mut events: TopicReceiver) {
        if self.refresh(sink).await.is_err() {
            return;
        }
        let mut tick = tokio::time::interval(REFRESH_EVERY);
        tick.tick().await;
        loop {
            let done = tokio::select! {
                frame = outgoing.recv() => match frame {
                    Some(frame) => send(sink, frame).await,
                    None => Err(()),
                },
                event = events.recv() => match event {
                    Some(Event::Typing { agent, .. }) => self.typing(sink, agent).await,
                    Some(_) => self.refresh(sink).await,
                    None => Err(()),
                },
                event = next_queue_event(&mut self.queue) => match event {
                    Some(_) => self.refresh(sink).await,
                    None => Err(()),
                },
                _ = tick.tick() => if self.conn.session_alive().await { self.refresh(sink).await } else { Err(()) },
            };
            if done.is_err() {
                return;
            }
        }
    }

    /// Typing from the other side is passed on; one's own is not echoed.
    async fn typing(&mut self, sink: &mut Sink, agent: bool) -> Result<(), ()> {
        if agent == self.conn.side.is_agent_side() {
            return Ok(());
        }
        send(sink, json!({"type": "typing", "agent": agent}).to_string()).await
    }

    /// Sends the messages after the last one sent, then the state if it changed.
    async fn refresh(&mut self, sink: &mut Sink) -> Result<(), ()> {
        let c = &self.conn;
        let Ok(Some(chat)) = store::load(&c.state.db, c.portal_id, c.chat_id).await else {
            // The database is away: the next event or tick tries again.
            return Ok(());
        };
        // Transferred to someone else: this agent reads no further.
        if let Side::Agent { staff_id } = c.side
            && chat.agent_id != Some(staff_id)
        {
            let msg = Msg::new("chat-error-not-yours").in_lang(c.lang);
            let _ = send(sink, json!({"type": "error", "message": msg, "client_id": null}).to_string()).await;
            return Err(());
        }
        // The chat's own count says whether there is anything new to read (a tick usually has not).
        while chat.last_seq > self.last_seq {
            let Ok(messages) = store::messages_after(&c.state.db, c.portal_id, c.chat_id, self.last_seq).await else {
                return Ok(());
            };
            let full = messages.len() as i64 == store::PAGE;
            for m in &messages {
                send(sink, message_frame(c, &chat, m).to_string()).await?;
                self.last_seq = m.seq;
            }
            if !full {
                break;
            }
        }
        self.follow_queue(&chat);
        let c = &self.conn;
        let place = if matches!(chat.state.as_str(), "waiting" | "offered") {
            lanes::queue_place(&c.state, c.portal_id, c.chat_id).await.ok().flatten()
        } else {
            None
        };
        let shown = Shown { state: chat.state.clone(), agent: chat.agent_name.clone(), place };
        if self.shown.as_ref() != Some(&shown) {
            send(sink, state_frame(&shown).to_string()).await?;
            self.shown = Some(shown);
        }
        Ok(())
    }

    /// Follows the department's queue while the chat waits in it (a transfer changes which).
    fn follow_queue(&mut self, chat: &Chat) {
        let waiting = chat.state == "waiting" || chat.state == "offered";
        match (&self.queue, waiting) {
            (Some((department, _)), true) if *department == chat.department_id => {}
            (_, true) => {
                let topic = Topic::Queue { portal_id: chat.portal_id, department_id: chat.department_id };
                self.queue = Some((chat.department_id, self.conn.state.events.subscribe_to(topic)));
            }
            (_, false) => self.queue = None,
        }
    }
}

async fn send(sink: &mut Sink, frame: String) -> Result<(), ()> {
    sink.send(Message::Text(frame.into())).await.map_err(|_| ())
}

fn state_frame(shown: &Shown) -> serde_json::Value {
    json!({
        "type": "state",
        "state": shown.state,
        "position": shown.place.map(|p| p.position),
        "wait_secs": shown.place.and_then(|p| p.wait_secs),
        "agent": shown.agent,
    })
}

/// A message as a client receives it: the text in the reader's language (system lines).
fn message_frame(c: &Conn, chat: &Chat, m: &ChatMessage) -> serde_json::Value {
    let name = match m.author.as_str() {
        "customer" => Some(chat.requester_name.clone()),
        "agent" => m.staff_name.clone(),
        _ => None,
    };
    let file = m.file.as_ref().map(|f| {
        json!({
            "id": f.id,
            "name": f.filename,
            "size": crate::tickets::downloads::human_size(f.size),
            "url": format!("{}/{}", c.files_base, f.id),
        })
    });
    json!({
        "type": "message",
        "seq": m.seq,
        "author": m.author,
        "name": name,
        "body": m.text_in(c.lang),
        "client_id": m.client_id,
        "at": m.created_at,
        "file": file,
    })
}

// ---- the reading half --------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientFrame {
    Send { client_id: String, body: String },
    Typing,
    Ping,
}

struct Reader {
    conn: Conn,
    out: mpsc::Sender<String>,
    /// When this connection's recent messages were sent (for `SENDS_PER_WINDOW`).
    sends: Vec<Instant>,
    typed: Option<Instant>,
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

impl Reader {
    /// Handles one frame; false when the connection should end (the writer is gone).
    async fn frame(&mut self, text: &str) -> bool {
        let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
            self.error(Msg::new("chat-error-bad-frame"), None).await;
            return !self.out.is_closed();
        };
        match frame {
            ClientFrame::Ping => self.push(json!({"type": "pong"}).to_string()).await,
            ClientFrame::Typing => self.typing().await,
            ClientFrame::Send { client_id, body } => {
                if !self.conn.session_alive().await {
                    return false;
                }
                self.send(client_id, body).await
            }
        }
        !self.out.is_closed()
    }

    async fn push(&self, frame: String) {
        let _ = self.out.send(frame).await;
    }

    async fn error(&self, msg: Msg, client_id: Option<&str>) {
        let frame = json!({"type": "error", "message": msg.in_lang(self.conn.lang), "client_id": client_id});
        self.push(frame.to_string()).await;
    }

    async fn typing(&mut self) {
        if self.conn.side == Side::Supervisor || self.typed.is_some_and(|t| t.elapsed() < TYPING_EVERY) {
            return;
        }
        self.typed = Some(Instant::now());
        let c = &self.conn;
        let event = Event::Typing { portal_id: c.portal_id, chat_id: c.chat_id, agent: c.side.is_agent_side() };
        c.state.events.publish(event).await;
    }

    fn over_limit(&mut self) -> bool {
        self.sends.retain(|t| t.elapsed() < SEND_WINDOW);
        if self.sends.len() >= SENDS_PER_WINDOW {
            return true;
        }
        self.sends.push(Instant::now());
        false
    }

    async fn send(&mut self, client_id: String, body: String) {
        if !valid_client_id(&client_id) {
            return self.error(Msg::new("chat-error-bad-client-id"), None).await;
        }
        let body = match check_body(&body) {
            Ok(body) => body,
            Err(msg) => return self.error(msg, Some(&client_id)).await,
        };
        let author = match self.conn.side {
            Side::Supervisor => return self.error(Msg::new("chat-error-read-only"), Some(&client_id)).await,
            Side::Customer => Author::Customer,
            Side::Agent { staff_id } => {
                if let Err(msg) = self.still_their_chat(staff_id).await {
                    return self.error(msg, Some(&client_id)).await;
                }
                Author::Agent(staff_id)
            }
        };
        if self.over_limit() {
            // Not for good: the client sends it again later.
            return self.error(Msg::new("chat-error-slow-down"), None).await;
        }
        match deliver(&self.conn.state, self.conn.portal_id, self.conn.chat_id, author, &client_id, &body, None).await {
            Ok(seq) => self.push(json!({"type": "ack", "client_id": client_id, "seq": seq}).to_string()).await,
            // The chat's own limit (across connections): not for good either.
            Err(AppError::TooManyRequests(msg)) => self.error(msg, None).await,
            Err(AppError::Page(_, msg)) => self.error(msg, Some(&client_id)).await,
            Err(AppError::NotFound) => self.error(Msg::new("chat-error-ended"), Some(&client_id)).await,
            Err(e) => {
                tracing::warn!(error = %e, chat = self.conn.chat_id, "a chat message was not stored");
                self.error(Msg::new("chat-error-not-stored"), None).await
            }
        }
    }

    /// An agent writes while the chat is theirs and active (a transfer hands it to another).
    async fn still_their_chat(&self, staff_id: i64) -> Result<(), Msg> {
        let c = &self.conn;
        match store::load(&c.state.db, c.portal_id, c.chat_id).await {
            Ok(Some(chat)) if chat.agent_id == Some(staff_id) && chat.state == "active" => Ok(()),
            Ok(Some(chat)) if chat.is_ended() => Err(Msg::new("chat-error-ended")),
            Ok(_) => Err(Msg::new("chat-error-not-yours")),
            Err(_) => Err(Msg::new("chat-error-not-stored")),
        }
    }
}

/// Stores a message and tells every node (once committed); its number. A resend of one stored
/// before returns that one's number, and tells nobody again.
pub(crate) async fn deliver(
    state: &AppState,
    portal_id: i64,
    chat_id: i64,
    author: Author,
    client_id: &str,
    body: &str,
    attachment_id: Option<i64>,
) -> AppResult<i64> {
    let appended = store::append(&state.db, portal_id, chat_id, author, Some(client_id), body, attachment_id).await?;
    if appended.fresh {
        state.events.publish(Event::Chat { portal_id, chat_id }).await;
    }
    Ok(appended.message.seq)
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
