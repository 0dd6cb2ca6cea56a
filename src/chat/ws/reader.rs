//! The reading half of a chat socket: the client's frames, and storing what it sends.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::{Conn, Side, check_body, deliver, valid_client_id};
use crate::chat::store::{Author, Sender};
use crate::error::AppError;
use crate::events::Event;
use crate::i18n::Msg;

/// Messages one connection may send in `SEND_WINDOW`; more are refused until it passes.
const SENDS_PER_WINDOW: usize = 30;
const SEND_WINDOW: Duration = Duration::from_secs(10);
/// A message taking this long to store is logged.
const SLOW_SEND: Duration = Duration::from_millis(100);
/// Typing is passed on at most this often.
const TYPING_EVERY: Duration = Duration::from_secs(2);

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientFrame {
    Send { client_id: String, body: String },
    Typing,
    Ping,
}

pub(super) struct Reader {
    conn: Conn,
    out: mpsc::Sender<String>,
    /// When this connection's recent messages were sent (for `SENDS_PER_WINDOW`).
    sends: Vec<Instant>,
    typed: Option<Instant>,
}

impl Reader {
    pub(super) fn new(conn: Conn, out: mpsc::Sender<String>) -> Reader {
        Reader { conn, out, sends: Vec::new(), typed: None }
    }

    /// Handles one frame; false when the connection should end (the writer is gone, or the
    /// session has ended).
    pub(super) async fn frame(&mut self, text: &str) -> bool {
        let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
            self.error(Msg::new("chat-error-bad-frame"), None).await;
            return !self.out.is_closed();
        };
        match frame {
            ClientFrame::Ping => self.push(json!({"type": "pong"}).to_string()).await,
            ClientFrame::Typing => self.typing(),
            ClientFrame::Send { client_id, body } => {
                let started = Instant::now();
                if !self.conn.session_in_use().await {
                    return self.signed_out().await;
                }
                let checked = started.elapsed();
                let signed_in = self.send(client_id, body).await;
                self.note_if_slow(started, checked);
                if !signed_in {
                    return self.signed_out().await;
                }
            }
        }
        !self.out.is_closed()
    }

    /// The session has ended: the client is told (the writer sends it last), and the socket
    /// ends.
    async fn signed_out(&self) -> bool {
        self.push(super::signed_out_frame(self.conn.lang)).await;
        false
    }

    async fn push(&self, frame: String) {
        let _ = self.out.send(frame).await;
    }

    pub(super) async fn error(&self, msg: Msg, client_id: Option<&str>) {
        let frame = json!({"type": "error", "message": msg.in_lang(self.conn.lang), "client_id": client_id});
        self.push(frame.to_string()).await;
    }

    fn typing(&mut self) {
        if self.conn.side == Side::Supervisor || self.typed.is_some_and(|t| t.elapsed() < TYPING_EVERY) {
            return;
        }
        self.typed = Some(Instant::now());
        let c = &self.conn;
        let event = Event::Typing { portal_id: c.portal_id, chat_id: c.chat_id, agent: c.side.is_agent_side() };
        // Told with other events: a notification of its own took the queue's lock (`tell_soon`).
        c.state.events.tell_soon(event);
    }

    /// A message that took long to store is logged, with how much of it the session check took:
    /// what an operator needs to tell a slow database from a busy node.
    fn note_if_slow(&self, started: Instant, session_check: Duration) {
        let took = started.elapsed();
        if took >= SLOW_SEND {
            tracing::warn!(
                chat = self.conn.chat_id,
                ms = took.as_millis() as u64,
                session_check_ms = session_check.as_millis() as u64,
                "a chat message took long to store"
            );
        }
    }

    fn over_limit(&mut self) -> bool {
        self.sends.retain(|t| t.elapsed() < SEND_WINDOW);
        if self.sends.len() >= SENDS_PER_WINDOW {
            return true;
        }
        self.sends.push(Instant::now());
        false
    }

    /// Stores and acknowledges a message, or says why not; false once the socket's session
    /// turns out to have ended (checked as the message is stored), which ends the socket.
    async fn send(&mut self, client_id: String, body: String) -> bool {
        match self.checked(&client_id, &body) {
            Ok((author, body)) => self.store(author, client_id, body).await,
            Err((msg, for_good)) => {
                self.error(msg, for_good.then_some(client_id.as_str())).await;
                true
            }
        }
    }

    /// Who sends, and the text to store; or why not, and whether for good (the client stops
    /// resending a message refused for good).
    fn checked(&mut self, client_id: &str, body: &str) -> Result<(Author, String), (Msg, bool)> {
        if !valid_client_id(client_id) {
            return Err((Msg::new("chat-error-bad-client-id"), false));
        }
        let body = check_body(body).map_err(|msg| (msg, true))?;
        let author = match self.conn.side {
            Side::Supervisor => return Err((Msg::new("chat-error-read-only"), true)),
            Side::Customer => Author::Customer,
            // Their own active chat: checked as the message is stored.
            Side::Agent { staff_id } => Author::Agent(staff_id),
        };
        if self.over_limit() {
            // Not for good: the client sends it again later.
            return Err((Msg::new("chat-error-slow-down"), false));
        }
        Ok((author, body))
    }

    async fn store(&self, author: Author, client_id: String, body: String) -> bool {
        let c = &self.conn;
        let sender = Sender::in_session(author, c.state.sessions, c.session.session_id());
        match deliver(&c.state, c.portal_id, c.chat_id, sender, &client_id, &body, None).await {
            Ok(seq) => self.push(json!({"type": "ack", "client_id": client_id, "seq": seq}).to_string()).await,
            Err(AppError::Page(StatusCode::UNAUTHORIZED, _)) => return false,
            // The chat's own limit (across connections): not for good either.
            Err(AppError::TooManyRequests(msg)) => self.error(msg, None).await,
            Err(AppError::Page(_, msg)) => self.error(msg, Some(&client_id)).await,
            Err(AppError::NotFound) => self.error(Msg::new("chat-error-ended"), Some(&client_id)).await,
            Err(e) => {
                tracing::warn!(error = %e, chat = c.chat_id, "a chat message was not stored");
                self.error(Msg::new("chat-error-not-stored"), None).await
            }
        }
        true
    }
}
