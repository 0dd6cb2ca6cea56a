//! What the conversation needs from routing and presence (core's lane), in one place: the
//! queue place shown to a waiting customer, handing a new chat to routing, ending a chat,
//! whether anyone answers the department now.

use super::{presence, routing};
use crate::error::AppResult;
use crate::web::state::AppState;

/// A waiting chat's place: `position` 1 is next; the estimated wait in seconds when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub position: i64,
    pub wait_secs: Option<i64>,
}

pub async fn queue_place(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<Option<Place>> {
    let place = routing::queue_place(&state.db, portal_id, chat_id).await?;
    Ok(place.map(|p| Place { position: p.position, wait_secs: p.estimated_wait_secs }))
}

pub async fn enqueue(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<()> {
    routing::enqueue(state, portal_id, chat_id).await
}

pub async fn end_by_customer(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<()> {
    routing::end(state, portal_id, chat_id, routing::EndedBy::Customer).await
}

pub async fn anyone_available(state: &AppState, portal_id: i64, department_id: i64) -> AppResult<bool> {
    presence::anyone_available(&state.db, portal_id, department_id).await
}
