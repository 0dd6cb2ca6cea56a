//! What every node does in the background for chat (lane: core): offers past their time go to
//! the next agent; an agent whose connections all went quiet turns away after a grace period
//! (and gets nothing new) and, after a longer one, their chats go back to the queue at their
//! old place; an agent with no management session left goes offline. Every step re-checks its
//! condition inside its own transaction, so nodes sweeping at once do each thing once.

use std::time::Duration;

use sqlx::Row;

use super::presence::{self, Channel, SetBy};
use super::routing::{self, Published};
use crate::error::AppResult;
use crate::web::state::AppState;

/// Starts this node's sweeper; it stops with the database.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(state.chat.sweep_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !state.db.pool().is_closed() {
            tick.tick().await;
            if let Err(e) = sweep(&state).await {
                tracing::warn!(error = ?e, "chat sweep failed; trying again");
            }
        }
    });
}

/// One pass.
pub async fn sweep(state: &AppState) -> AppResult<()> {
    let now = crate::db::now();
    routing::expire_offers(state, now).await?;
    turn_away_silent(state, now).await?;
    requeue_chats_of_silent(state, now).await?;
    sign_off_without_session(state, now).await?;
    Ok(())
}

/// Pairs (portal, staff) a query finds.
async fn pairs(state: &AppState, sql: &'static str, binds: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let rows = query.fetch_all(state.db.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("portal_id")?, r.try_get("staff_id")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// Available on chats, lease out for longer than the grace period: away (undone by their next
/// sign of life), and the chats offered to them go to the next agent.
async fn turn_away_silent(state: &AppState, now: i64) -> AppResult<()> {
    let cutoff = now - state.chat.away_after_secs;
    let silent = pairs(
        state,
        "SELECT portal_id, staff_id FROM agent_presence WHERE channel = 'chat' AND state = 'available' \
         AND lease_until <= $1",
        &[cutoff],
    )
    .await?;
    for (portal_id, staff_id) in silent {
        let mut tx = routing::begin(state, portal_id).await?;
        let turned = sqlx::query(
            "UPDATE agent_presence SET state = 'away', set_by = 'grace', updated_at = $1 \
             WHERE portal_id = $2 AND staff_id = $3 AND channel = 'chat' AND state = 'available' AND lease_until <= $4",
        )
        .bind(now)
        .bind(portal_id)
        .bind(staff_id)
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        let mut out = Published::default();
        if turned.rows_affected() == 1 {
            out.agent(portal_id, staff_id);
            routing::return_work(&mut tx, portal_id, staff_id, false, now, &mut out).await?;
        }
        routing::finish(state, tx, out).await?;
    }
    Ok(())
}

/// Chats of agents silent for longer than the requeue period (or no longer in the portal) go
/// back to the queue, keeping their place.
async fn requeue_chats_of_silent(state: &AppState, now: i64) -> AppResult<()> {
    let cutoff = now - state.chat.requeue_after_secs;
    let silent = pairs(
        state,
        "SELECT DISTINCT c.portal_id, c.agent_id AS staff_id FROM chats c \
         WHERE c.state IN ('offered', 'active') AND c.agent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agent_presence p \
              WHERE p.portal_id = c.portal_id AND p.staff_id = c.agent_id AND p.channel = 'chat' AND p.lease_until > $1)",
        &[cutoff],
    )
    .await?;
    for (portal_id, staff_id) in silent {
        let mut tx = routing::begin(state, portal_id).await?;
        // Still silent (no presence at all: removed from the portal meanwhile).
        let back = sqlx::query(
            "SELECT staff_id FROM agent_presence WHERE portal_id = $1 AND staff_id = $2 AND channel = 'chat' \
             AND lease_until > $3",
        )
        .bind(portal_id)
        .bind(staff_id)
        .bind(cutoff)
        .fetch_optional(&mut *tx)
        .await?;
        let mut out = Published::default();
        if back.is_none() {
            let n = routing::return_work(&mut tx, portal_id, staff_id, true, now, &mut out).await?;
            tracing::info!(portal_id, staff_id, chats = n, "an agent went silent: their chats went back to the queue");
        }
        routing::finish(state, tx, out).await?;
    }
    Ok(())
}

/// Present somewhere with no management session left (ended or run out): offline everywhere.
async fn sign_off_without_session(state: &AppState, now: i64) -> AppResult<()> {
    let gone = pairs(
        state,
        "SELECT DISTINCT p.portal_id, p.staff_id FROM agent_presence p WHERE p.state <> 'offline' \
         AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.staff_id = p.staff_id AND s.realm = 'manage' \
              AND s.expires_at > $1 AND s.last_seen_at > $2)",
        &[now, crate::auth::sessions::idle_cutoff(state.sessions, now)],
    )
    .await?;
    for (portal_id, staff_id) in gone {
        for channel in Channel::ALL {
            presence::set(state, portal_id, staff_id, channel, presence::State::Offline, SetBy::Session).await?;
        }
    }
    Ok(())
}
