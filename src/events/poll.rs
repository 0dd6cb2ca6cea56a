//! The change counter that triggers bump (migration 0017), read a few times a second; the bus
//! is told when it moved. On SQLite it is how a node hears of the command line's changes in
//! another process, which no in-process channel reaches. On PostgreSQL it backs up `LISTEN`:
//! while that connection is down (refused, or dropped silently by something in between) no
//! notification arrives, yet the copy must not stay stale for more than a second.

use std::time::Duration;

use sqlx::Row;

use super::{Event, EventBus};
use crate::db::Db;

/// Four reads a second: a change shows within a second, at no cost worth measuring.
const POLL: Duration = Duration::from_millis(250);

pub(super) async fn watch_config_version(db: Db, bus: EventBus) {
    let mut seen: Option<i64> = None;
    while !db.pool().is_closed() {
        match sqlx::query("SELECT version FROM config_version WHERE id = 1").fetch_one(db.pool()).await {
            Ok(row) => {
                let version: i64 = row.try_get("version").unwrap_or_default();
                // The first read counts as a change too: a copy read at startup, before this
                // task first ran, may predate a change that no later bump would reveal.
                if seen != Some(version) {
                    bus.deliver(Event::ConfigChanged);
                }
                seen = Some(version);
            }
            // The database will be back, or the node is stopping: the next read tells.
            Err(e) => tracing::debug!(error = %e, "cannot read the configuration version"),
        }
        tokio::time::sleep(POLL).await;
    }
}
