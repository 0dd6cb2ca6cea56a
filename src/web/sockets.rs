//! What every WebSocket of the application shares.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt};

/// The read buffer each socket starts with. The library's default, 128 KiB, made an open socket
/// cost about 140 KiB of memory (1.4 GB for 10,000 chats: docs/benchmarks.md, "Chat"), while
/// the frames clients send are small; the buffer still grows for a larger one, up to the
/// socket's own `max_message_size`.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// An upgrade with small buffers and messages of at most `max_message_bytes` (a larger one
/// closes the socket).
pub fn lean(upgrade: WebSocketUpgrade, max_message_bytes: usize) -> WebSocketUpgrade {
    upgrade.read_buffer_size(READ_BUFFER_BYTES).max_message_size(max_message_bytes).max_frame_size(max_message_bytes)
}

/// What a socket's address answers when the agent's session refused it, before any upgrade: a
/// database that is away keeps its 5xx (the page's scripts try again), anything else is 401,
/// never a redirect, which a script cannot follow. The scripts take a 401 for the session's end
/// and stop (`static/presence.js`, `static/chat.js`), so it must mean exactly that.
pub fn session_refused(refusal: Response) -> Response {
    if refusal.status().is_server_error() { refusal } else { StatusCode::UNAUTHORIZED.into_response() }
}

/// A peer that stopped reading (a frozen tab, a laptop shut, a network gone without a word)
/// leaves a send waiting for as long as TCP keeps trying, and the socket's task with it: a
/// send or a close that has not gone through within this long ends the socket.
pub const SEND_WITHIN: Duration = Duration::from_secs(10);

/// Sends `message`: false when that failed or took longer than `SEND_WITHIN`, and the socket is
/// then done with (how much of the frame went out is not known).
pub async fn send_within<S: Sink<Message> + Unpin>(sink: &mut S, message: Message) -> bool {
    matches!(tokio::time::timeout(SEND_WITHIN, sink.send(message)).await, Ok(Ok(())))
}

/// A close is a courtesy: a peer that reads nothing (perhaps the send before timed out) is
/// not waited for beyond this.
const CLOSE_WITHIN: Duration = Duration::from_secs(2);

/// Closes the socket, giving up after `CLOSE_WITHIN`.
pub async fn close_within<S: Sink<Message> + Unpin>(sink: &mut S) {
    let _ = tokio::time::timeout(CLOSE_WITHIN, sink.close()).await;
}
