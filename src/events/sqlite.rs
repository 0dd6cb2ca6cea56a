//! SQLite: the command line changes portals and settings from another process, which no
//! in-process channel reaches. A few times a second this node reads the one-row change counter
//! that triggers bump (migration 0017), and tells the bus when it moved.

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
                if seen.is_some_and(|v| v != version) {
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
