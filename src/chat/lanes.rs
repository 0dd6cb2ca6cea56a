//! What the conversation needs from routing (core's lane), in one place: the queue place shown
//! to a waiting customer, handing a new chat to routing, ending a chat, whether anyone answers.
//! TEMPORARY bodies until core's branch is merged; then each calls `routing::` / `presence::`.

use sqlx::Row;

use crate::error::AppResult;
use crate::events::Event;
use crate::web::state::AppState;

/// A waiting chat's place: `position` 1 is next; the estimated wait in seconds when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub position: i64,
    pub wait_secs: Option<i64>,
}

pub async fn queue_place(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<Option<Place>> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM chats o WHERE o.portal_id = c.portal_id AND o.department_id = c.department_id \
         AND o.state IN ('waiting', 'offered') AND (o.queued_at < c.queued_at OR (o.queued_at = c.queued_at AND o.id < c.id))) AS ahead \
         FROM chats c WHERE c.portal_id = $1 AND c.id = $2 AND c.state IN ('waiting', 'offered')",
    )
    .bind(portal_id)
    .bind(chat_id)
    .fetch_optional(state.db.pool())
    .await?;
    Ok(match row {
        Some(r) => Some(Place { position: r.try_get::<i64, _>("ahead")? + 1, wait_secs: None }),
        None => None,
    })
}

pub async fn enqueue(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<()> {
    let _ = (state, portal_id, chat_id);
    Ok(())
}

pub async fn end_by_customer(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE chats SET state = 'ended', ended_at = $1, ended_by = 'customer' WHERE portal_id = $2 AND id = $3 AND state <> 'ended'")
        .bind(crate::db::now())
        .bind(portal_id)
        .bind(chat_id)
        .execute(state.db.writer())
        .await?;
    state.events.publish(Event::Chat { portal_id, chat_id }).await;
    Ok(())
}

pub async fn anyone_available(state: &AppState, portal_id: i64, department_id: i64) -> AppResult<bool> {
    let _ = (state, portal_id, department_id);
    Ok(true)
}
