//! PostgreSQL specifics. Several `frontdesk` nodes may share one database: migrations take
//! sqlx's advisory lock, so nodes starting together apply each migration once.

pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "foundation",
    include_str!("../../migrations/postgres/0001_foundation.sql"),
)];
