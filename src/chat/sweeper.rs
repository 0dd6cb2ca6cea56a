//! What every node does in the background for chat (lane: core): offers past their time go to
//! the next agent; an agent whose connections all went quiet turns away after a grace period
//! and, after a longer one, their chats go back to the queue; an agent with no management
//! session left goes offline. Every step is a conditional update, so nodes sweeping at once
//! do each thing once.

use std::time::Duration;

use crate::web::state::AppState;

/// Starts this node's sweeper; it stops with the database.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(state.chat.sweep_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !state.db.pool().is_closed() {
            tick.tick().await;
            if let Err(e) = sweep(&state).await {
                tracing::warn!(error = %e, "chat sweep failed; trying again");
            }
        }
    });
}

/// One pass.
pub async fn sweep(state: &AppState) -> crate::error::AppResult<()> {
    let now = crate::db::now();
    crate::chat::routing::expire_offers(state, now).await?;
    Ok(())
}
