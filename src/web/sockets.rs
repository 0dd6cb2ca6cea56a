//! What every WebSocket of the application shares.

use axum::extract::ws::WebSocketUpgrade;

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
