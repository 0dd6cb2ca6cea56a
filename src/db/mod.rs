//! The database handle the whole app shares.
//!
//! Queries are written once in SQL that SQLite and PostgreSQL both accept (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`, integers for times and flags) and run through sqlx's `Any` driver.
//! What differs per engine (connection set-up, migrations, and later full-text search and
//! notifications) lives in `sqlite.rs` and `postgres.rs`, chosen once from the URL scheme.

mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, SqlSafeStr};

pub use crate::config::Backend;
use crate::config::{DatabaseTimeouts, DatabaseUrl};
use crate::portals::cache::ConfigCache;

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// Where writes go. On SQLite a pool of one connection: SQLite allows one writer at a time,
    /// and writers queued here wait without sleeping, whereas writers contending inside SQLite
    /// back off in its busy handler for up to 100 ms each. On PostgreSQL the same pool as reads.
    writer: AnyPool,
    backend: Backend,
    /// How long `/healthz` waits for its trivial query.
    health_timeout: Duration,
    /// This node's copy of the portals and their settings, shared by every clone.
    config: Arc<ConfigCache>,
    /// Where the event bus listens (PostgreSQL opens its own connection for `LISTEN`).
    url: DatabaseUrl,
}

/// How long a pooled connection may sit unused before it is checked before use.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

impl Db {
    /// Connects with the default timeouts (the command-line tools).
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Db> {
        Db::connect_with(url, DatabaseTimeouts::default()).await
    }

    /// Connects (creating the SQLite file on first start) and brings the schema up to date.
    /// A request waits at most `acquire_timeout_ms` for a connection, so that while the
    /// database is away it gets a quick 503 instead of hanging.
    pub async fn connect_with(url: &DatabaseUrl, timeouts: DatabaseTimeouts) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let (conn_url, max_connections) = match backend {
            Backend::Sqlite => (sqlite::connection_url(url.as_str())?, 8),
            Backend::Postgres => (url.as_str().to_string(), 16),
        };
        // One direct connection first: an unreachable server or unwritable file fails at once,
        // with the driver's own reason, instead of after the pool's acquire timeout.
        match backend {
            Backend::Sqlite => sqlite::prepare_file(&conn_url).await?,
            Backend::Postgres => postgres::check_reachable(&conn_url)
                .await
                .with_context(|| format!("cannot connect to the database at {url}"))?,
        }
        let acquire_timeout = Duration::from_millis(timeouts.acquire_timeout_ms);
        let open = |max_connections: u32, acquire_timeout: Duration| {
            AnyPoolOptions::new()
                .max_connections(max_connections)
                .min_connections(1)
                .acquire_timeout(acquire_timeout)
                // sqlx pings every connection it hands out: a round trip per acquire, which
                // halved PostgreSQL's page rates. A connection used within the last second is
                // as alive as a ping would show; one idle for longer is pinged, so that a
                // database restarted meanwhile costs no request an error.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_WHEN_IDLE_FOR {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        match backend {
                            Backend::Sqlite => sqlite::configure_connection(conn).await,
                            Backend::Postgres => postgres::configure_connection(conn).await,
                        }
                    })
                })
                .connect(&conn_url)
        };
        let context = || format!("cannot connect to the database at {url}");
        let pool = open(max_connections, acquire_timeout).await.with_context(context)?;
        let writer = match backend {
            // Waiting for SQLite's one writer is queueing behind other writes, not an outage.
            Backend::Sqlite => open(1, acquire_timeout.max(sqlite::WRITER_WAIT)).await.with_context(context)?,
            Backend::Postgres => pool.clone(),
        };
        let health_timeout = Duration::from_millis(timeouts.health_timeout_ms);
        let db = Db { pool, writer, backend, health_timeout, config: Arc::default(), url: url.clone() };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let sources: &[(i64, &str, &'static str)] = match self.backend {
            Backend::Sqlite => sqlite::MIGRATIONS,
            Backend::Postgres => postgres::MIGRATIONS,
        };
        let migrations = sources
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(*version, (*name).into(), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&self.writer)
            .await
            .context("cannot bring the database schema up to date")
    }

    /// The pool for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for writes (`INSERT`, `UPDATE`, `DELETE`, transactions that write).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// This node's copy of the portals and their settings (`crate::portals::cache`).
    pub fn config_cache(&self) -> &ConfigCache {
        &self.config
    }

    /// The statement that claims due outbox messages: `$1` lease end, `$2` now, `$3` how many.
    pub fn outbox_claim_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => sqlite::OUTBOX_CLAIM,
            Backend::Postgres => postgres::OUTBOX_CLAIM,
        }
    }

    /// Takes a lock on `key` for the rest of the caller's transaction (a no-op on SQLite, whose
    /// write transactions never overlap).
    pub async fn lock_key(&self, conn: &mut sqlx::AnyConnection, key: &str) -> Result<(), sqlx::Error> {
        let sql = match self.backend {
            Backend::Sqlite => sqlite::KEY_LOCK,
            Backend::Postgres => postgres::KEY_LOCK,
        };
        if let Some(sql) = sql {
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).execute(conn).await?;
        }
        Ok(())
    }

    /// Readies the writer connection for loading many rows (`frontdesk seed`): on SQLite a
    /// large page cache, since indexes grow with random keys, and no waiting for the disk at
    /// each commit (the seed can be run again; a crash of the process itself still loses
    /// nothing committed). Nothing on PostgreSQL. Meant for a command-line process, whose
    /// connection ends with it.
    pub async fn prepare_bulk_load(&self) -> Result<(), sqlx::Error> {
        let sql = match self.backend {
            Backend::Sqlite => sqlite::BULK_LOAD,
            Backend::Postgres => postgres::BULK_LOAD,
        };
        if let Some(sql) = sql {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&self.writer).await?;
        }
        Ok(())
    }

    /// True when the database answers a trivial query within the health timeout, so that a
    /// load balancer's probe gets an answer before its own timeout.
    pub async fn is_reachable(&self) -> bool {
        let probe = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(self.health_timeout, probe).await, Ok(Ok(_)))
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Current time as Unix seconds, the unit every timestamp column uses.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// True when an error is a unique-constraint violation (on either engine).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(e) => e.is_unique_violation(),
        _ => false,
    }
}

/// True when an error means the database cannot be reached right now (no connection within
/// the acquire timeout, a dropped connection, a server shutting down or starting up), as
/// opposed to an error in the query itself.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| postgres::is_unavailable_code(&code)),
        _ => false,
    }
}
