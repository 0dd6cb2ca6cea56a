//! The change counters that triggers bump (migrations 0017 and 0037), read a few times a
//! second; the bus is told when one moved. On SQLite it is how a node hears of the command line's changes in
//! another process, which no in-process channel reaches. On PostgreSQL it backs up `LISTEN`:
//! while that connection is down (refused, or dropped silently by something in between) no
//! notification arrives, yet the copy must not stay stale for more than a second.

use std::collections::HashMap;
use std::time::Duration;

use sqlx::Row;

use super::{Event, EventBus};
use crate::db::Db;

/// Four reads a second: a change shows within a second, at no cost worth measuring.
const POLL: Duration = Duration::from_millis(250);

/// The counters read together, each with the event its move stands for: the portals and
/// settings (migration 0017), and the customers and their sessions (migration 0037).
const COUNTERS: [(&str, Event); 2] = [("config", Event::ConfigChanged), ("signed_in", Event::SignInsChanged)];

pub(super) async fn watch_config_version(db: Db, bus: EventBus) {
    let mut seen: [Option<i64>; 2] = [None; 2];
    let read = "SELECT (SELECT version FROM config_version WHERE id = 1) AS config, \
                (SELECT version FROM signed_in_version WHERE id = 1) AS signed_in";
    while !db.pool().is_closed() {
        match sqlx::query(read).fetch_one(db.pool()).await {
            Ok(row) => {
                for ((column, event), seen) in COUNTERS.iter().zip(seen.iter_mut()) {
                    let version: i64 = row.try_get(*column).unwrap_or_default();
                    // The first read counts as a change too: a copy read at startup, before
                    // this task first ran, may predate a change that no later bump would reveal.
                    if *seen != Some(version) {
                        bus.deliver(*event);
                    }
                    *seen = Some(version);
                }
            }
            // The database will be back, or the node is stopping: the next read tells.
            Err(e) => tracing::debug!(error = %e, "cannot read the change counters"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The knowledge bases' versions (migration 0021), which triggers bump on every change a reader
/// could see: each portal whose version moved is announced as `Event::Kb`. On SQLite this is how
/// the command line's changes reach the server; on PostgreSQL triggers notify at once, and this
/// bounds how long a silently dead `LISTEN` connection could hide a change. One small read of a
/// sum first, so that nothing is read row by row while nothing changed.
pub(super) async fn watch_kb_versions(db: Db, bus: EventBus) {
    let mut seen_sum: Option<(i64, i64)> = None;
    let mut seen: HashMap<i64, i64> = HashMap::new();
    while !db.pool().is_closed() {
        if let Err(e) = check_kb_versions(&db, &bus, &mut seen_sum, &mut seen).await {
            tracing::debug!(error = %e, "cannot read the knowledge bases' versions");
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn check_kb_versions(
    db: &Db,
    bus: &EventBus,
    seen_sum: &mut Option<(i64, i64)>,
    seen: &mut HashMap<i64, i64>,
) -> Result<(), sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS portals, COALESCE(SUM(version), 0) AS total FROM kb_versions")
        .fetch_one(db.pool())
        .await?;
    let sum = (row.try_get::<i64, _>("portals")?, row.try_get::<i64, _>("total")?);
    if *seen_sum == Some(sum) {
        return Ok(());
    }
    let first = seen_sum.is_none();
    let rows = sqlx::query("SELECT portal_id, version FROM kb_versions").fetch_all(db.pool()).await?;
    let mut now = HashMap::with_capacity(rows.len());
    for row in rows {
        now.insert(row.try_get::<i64, _>("portal_id")?, row.try_get::<i64, _>("version")?);
    }
    // On the first read every portal counts as changed: a copy made before may predate it.
    for (&portal_id, version) in &now {
        if first || seen.get(&portal_id) != Some(version) {
            bus.deliver(Event::Kb { portal_id });
        }
    }
    *seen = now;
    *seen_sum = Some(sum);
    Ok(())
}

/// How long an ended session's row stays in `ended_sessions` (SQLite): a server that was not
/// running meanwhile has nothing open to close.
const ENDED_KEPT_SECS: i64 = 60;

/// SQLite: the sessions ended since the last look (migration 0029's table, written by a
/// trigger whoever deleted the session), each announced as `Event::SessionEnded`. Ends from
/// before this server started are not announced: it had no socket open then.
pub(super) async fn watch_ended_sessions(db: Db, bus: EventBus) {
    let mut seen: Option<i64> = None;
    let mut pruned_at = 0;
    while !db.pool().is_closed() {
        match announce_ended_sessions(&db, &bus, seen).await {
            Ok(last) => seen = Some(last),
            Err(e) => tracing::debug!(error = %e, "cannot read the ended sessions"),
        }
        let now = crate::db::now();
        if now - pruned_at >= ENDED_KEPT_SECS {
            pruned_at = now;
            let old = sqlx::query("DELETE FROM ended_sessions WHERE ended_at < $1").bind(now - ENDED_KEPT_SECS);
            if let Err(e) = old.execute(db.writer()).await {
                tracing::debug!(error = %e, "cannot drop old ended sessions");
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Announces the ends after `seen` (all are old news on the first look); the last number read.
async fn announce_ended_sessions(db: &Db, bus: &EventBus, seen: Option<i64>) -> Result<i64, sqlx::Error> {
    let Some(seen) = seen else {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM ended_sessions").fetch_one(db.pool()).await?;
        return row.try_get("seq");
    };
    let rows = sqlx::query("SELECT seq, session_id FROM ended_sessions WHERE seq > $1 ORDER BY seq")
        .bind(seen)
        .fetch_all(db.pool())
        .await?;
    let mut last = seen;
    for row in rows {
        last = row.try_get("seq")?;
        bus.deliver(Event::SessionEnded { session_id: row.try_get("session_id")? });
    }
    Ok(last)
}
