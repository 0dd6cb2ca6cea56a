//! SQLite: an ordinary message stored and numbered in one statement, instead of the five calls
//! of `append_on` in a transaction (`BEGIN`, the numbering, the resend and flood check, the
//! insert, `COMMIT`). Each call is a hop to the connection's thread and back; at a thousand
//! messages a second, on a machine where waking a thread is dear, those hops were the time a
//! message took. The trigger of migration 0031 moves the chat's counter with the insert.
//!
//! A statement that writes takes SQLite's write lock before it reads, so the number it reads is
//! still the last when it inserts, whoever else writes to the file. As on PostgreSQL
//! (`store_pg`), only the ordinary case is stored here: an open chat, no message of this sender
//! with this client id, the sender under the flood limit. Anything else stores nothing and
//! answers `None`, and the caller takes the careful path, which says exactly why.

use sqlx::any::AnyRow;

use super::store::Ordinary;
use crate::db::Db;

const APPEND: &str = "INSERT INTO chat_messages (portal_id, chat_id, seq, author, staff_id, client_id, body, created_at) \
    SELECT $1, $2, c.last_seq + 1, $3, $7, $4, $8, $9 FROM chats c \
    WHERE c.portal_id = $1 AND c.id = $2 AND c.state <> 'ended' \
      AND NOT EXISTS (SELECT 1 FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 \
                      AND author = $3 AND client_id = $4) \
      AND (SELECT COUNT(*) FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 \
           AND author = $3 AND created_at > $5) < $6 \
    RETURNING seq, (SELECT name FROM staff WHERE id = $7) AS staff_name";

/// The row stored (`seq`, `staff_name`); `None` when the careful path must take it.
pub(super) async fn append_at_once(db: &Db, message: &Ordinary<'_>) -> Result<Option<AnyRow>, sqlx::Error> {
    message.bound(APPEND).fetch_optional(db.writer()).await
}
