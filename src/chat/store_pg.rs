//! PostgreSQL: an ordinary message stored and numbered in one statement, instead of the seven
//! round trips of `append_on` in a transaction (`BEGIN`, the numbering, the resend and flood
//! check, the insert, the notification, `COMMIT`). At a thousand messages a second those round
//! trips were most of the time a message took. The nodes are told after the commit
//! (`EventBus::tell_soon`), not by the statement.
//!
//! The statement only does the ordinary case: an open chat (for an agent, their own active
//! chat), a current session (for a socket's message), no message of this sender with this
//! client id, the sender under the flood limit. Anything else stores nothing and answers
//! `None`, and the caller takes the careful path, which says exactly why. So does a resend
//! racing its own first copy: the second insert breaks the unique client id and is retried
//! there. SQLite's twin is `store_sqlite`.

use sqlx::Row;

use super::store::{FLOOD_LIMIT, FLOOD_WINDOW_SECS, Numbered, Ordinary};
use crate::db::Db;

/// The numbering takes the chat's row lock, as in `append_on`, so messages of one chat are
/// numbered one after the other. No notification: the caller tells the nodes once the
/// statement has committed (`EventBus::tell_soon`), so this commit does not take PostgreSQL's
/// lock of the notification queue, which made every message's commit wait for the one before.
const APPEND: &str = "WITH bumped AS ( \
        UPDATE chats SET last_seq = last_seq + 1 \
        WHERE portal_id = $1 AND id = $2 AND state <> 'ended' \
          AND ($3 <> 'agent' OR (agent_id = $7 AND state = 'active')) \
          AND ($10 IS NULL OR EXISTS (SELECT 1 FROM sessions WHERE id = $10 AND expires_at > $9 \
                                      AND last_seen_at > $11)) \
          AND NOT EXISTS (SELECT 1 FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 \
                          AND author = $3 AND client_id = $4) \
          AND (SELECT COUNT(*) FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 \
               AND author = $3 AND created_at > $5) < $6 \
        RETURNING last_seq), \
    stored AS ( \
        INSERT INTO chat_messages (portal_id, chat_id, seq, author, staff_id, client_id, body, created_at) \
        SELECT $1, $2, last_seq, $3, $7, $4, $8, $9 FROM bumped RETURNING seq) \
    SELECT stored.seq, (SELECT name FROM staff WHERE id = $7) AS staff_name FROM stored";

/// The message's number and agent's name; `None` when the careful path must take it.
pub(super) async fn append_at_once(db: &Db, message: &Ordinary<'_>) -> Result<Option<Numbered>, sqlx::Error> {
    let row = sqlx::query(APPEND)
        .bind(message.portal_id)
        .bind(message.chat_id)
        .bind(message.author.as_str())
        .bind(message.client_id)
        .bind(message.at - FLOOD_WINDOW_SECS)
        .bind(FLOOD_LIMIT)
        .bind(message.author.staff_id())
        .bind(message.body)
        .bind(message.at)
        .bind(message.session.map(|s| s.id))
        .bind(message.session.map(|s| s.seen_after))
        .fetch_optional(db.writer())
        .await?;
    row.map(|r| Ok(Numbered { seq: r.try_get("seq")?, staff_name: r.try_get("staff_name")? })).transpose()
}
