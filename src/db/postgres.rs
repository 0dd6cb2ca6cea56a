//! PostgreSQL specifics. Several `frontdesk` nodes may share one database: migrations take
//! sqlx's advisory lock, so nodes starting together apply each migration once.

pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "foundation",
    include_str!("../../migrations/postgres/0001_foundation.sql"),
)];

/// Opens and closes one connection, so that a wrong address or credentials fail fast.
pub(super) async fn check_reachable(url: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use sqlx::Connection;
    let conn = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sqlx::AnyConnection::connect(url),
    )
    .await
    .context("the database server did not answer within 10 seconds")?
    .context("the connection failed")?;
    conn.close().await?;
    Ok(())
}
