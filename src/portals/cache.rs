//! This node's copy of the portals and their settings.
//!
//! Nearly every request needs its portal and some of its settings, and they change a few times a
//! year, so each node keeps them in memory instead of reading them per request. The copy is
//! dropped (and read again, whole, by the next request that needs it):
//! - at once on this node, after it stored a change (`forget`);
//! - on every node, within a second, when any writer changed them: triggers on `portals` and
//!   `portal_settings` bump `config_version` and, on PostgreSQL, notify the event channel; the
//!   event bus (`crate::events`) hears it and calls `forget`. That covers other nodes, the
//!   command line in another process, and SQL typed by hand.
//!
//! A copy being read while a change lands is not kept: `generation` moves on every `forget`, and
//! a copy is stored only if the generation it was read under is still current.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use sqlx::Row;

use super::Portal;
use crate::db::Db;

/// The portals and every stored setting, as read at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    portals: Vec<Portal>,
    settings: HashMap<i64, Vec<(String, String)>>,
}

impl Snapshot {
    pub fn by_slug(&self, slug: &str) -> Option<&Portal> {
        self.portals.iter().find(|p| p.slug == slug)
    }

    pub fn by_host(&self, host: &str) -> Option<&Portal> {
        self.portals.iter().find(|p| p.host.as_deref() == Some(host))
    }

    pub fn by_id(&self, id: i64) -> Option<&Portal> {
        self.portals.iter().find(|p| p.id == id)
    }

    /// Every portal, by name.
    pub fn portals(&self) -> &[Portal] {
        &self.portals
    }

    /// A portal's stored settings as `(key, value)`; none for a portal that keeps the defaults.
    pub fn settings(&self, portal_id: i64) -> impl Iterator<Item = (&str, &str)> {
        self.settings.get(&portal_id).into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// One stored setting.
    pub fn setting(&self, portal_id: i64, key: &str) -> Option<&str> {
        self.settings(portal_id).find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

#[derive(Debug, Default)]
pub struct ConfigCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    generation: AtomicU64,
}

impl ConfigCache {
    /// Drops the copy: the next reader reads the database again.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn cached(&self) -> Option<Arc<Snapshot>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn keep(&self, snapshot: Arc<Snapshot>, read_under: u64) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) == read_under {
            *current = Some(snapshot);
        }
    }
}

/// The portals and settings as this node knows them (read from the database if it has no copy).
pub async fn snapshot(db: &Db) -> Result<Arc<Snapshot>, sqlx::Error> {
    let cache = db.config_cache();
    if let Some(snapshot) = cache.cached() {
        return Ok(snapshot);
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let snapshot = Arc::new(read(db).await?);
    cache.keep(snapshot.clone(), generation);
    Ok(snapshot)
}

async fn read(db: &Db) -> Result<Snapshot, sqlx::Error> {
    let rows = sqlx::query("SELECT id, slug, name, host, default_language FROM portals ORDER BY name, id")
        .fetch_all(db.pool())
        .await?;
    let portals = rows.iter().map(super::from_row).collect::<Result<Vec<_>, _>>()?;
    let mut settings: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for row in sqlx::query("SELECT portal_id, key, value FROM portal_settings").fetch_all(db.pool()).await? {
        settings.entry(row.try_get("portal_id")?).or_default().push((row.try_get("key")?, row.try_get("value")?));
    }
    Ok(Snapshot { portals, settings })
}
