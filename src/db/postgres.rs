//! PostgreSQL specifics. Several `frontdesk` nodes may share one database: migrations take
//! sqlx's advisory lock, so nodes starting together apply each migration once.

pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../../migrations/postgres/0001_foundation.sql")),
    (2, "outbox and links", include_str!("../../migrations/postgres/0002_outbox_and_links.sql")),
    (3, "sign-in codes", include_str!("../../migrations/postgres/0003_sign_in_codes.sql")),
    (4, "staff sign-in with Entra ID", include_str!("../../migrations/postgres/0004_sso.sql")),
    (5, "accounts across portals", include_str!("../../migrations/postgres/0005_accounts_across_portals.sql")),
    (6, "outbox claims", include_str!("../../migrations/postgres/0006_outbox_claims.sql")),
    (7, "languages", include_str!("../../migrations/postgres/0007_languages.sql")),
    (8, "tickets", include_str!("../../migrations/postgres/0008_tickets.sql")),
    (9, "attachments", include_str!("../../migrations/postgres/0009_attachments.sql")),
    (10, "email threads", include_str!("../../migrations/postgres/0010_outbox_threads.sql")),
    (11, "attachment uploads", include_str!("../../migrations/postgres/0011_attachment_uploads.sql")),
    (12, "ticket email preferences", include_str!("../../migrations/postgres/0012_ticket_email_preferences.sql")),
    (13, "ticket links", include_str!("../../migrations/postgres/0013_ticket_links.sql")),
    (14, "ticket queue", include_str!("../../migrations/postgres/0014_ticket_queue.sql")),
    (
        15,
        "merged tickets and saved replies",
        include_str!("../../migrations/postgres/0015_merge_and_saved_replies.sql"),
    ),
    (16, "ticket dashboard and ratings", include_str!("../../migrations/postgres/0016_ticket_dashboard.sql")),
    (17, "configuration version", include_str!("../../migrations/postgres/0017_config_version.sql")),
    (18, "knowledge base", include_str!("../../migrations/postgres/0018_knowledge_base.sql")),
    (19, "search", include_str!("../../migrations/postgres/0019_search.sql")),
    (21, "knowledge base pages kept per node", include_str!("../../migrations/postgres/0021_kb_portal.sql")),
    (
        22,
        "ticket search past a tsvector's size",
        include_str!("../../migrations/postgres/0022_ticket_search_limit.sql"),
    ),
    (23, "ticket search follows customers' names", include_str!("../../migrations/postgres/0023_customer_search.sql")),
    (24, "live chat and presence", include_str!("../../migrations/postgres/0024_chat.sql")),
    (28, "knowledge-base changes notify every node", include_str!("../../migrations/postgres/0028_kb_events.sql")),
    (29, "ended sessions close their sockets", include_str!("../../migrations/postgres/0029_session_events.sql")),
    (
        30,
        "bulk loads index tickets once per batch",
        include_str!("../../migrations/postgres/0030_ticket_search_bulk.sql"),
    ),
    (35, "article search by language", include_str!("../../migrations/postgres/0035_kb_search_by_language.sql")),
    (
        36,
        "article search asks the newest articles first",
        include_str!("../../migrations/postgres/0036_kb_search_newest.sql"),
    ),
    (
        37,
        "signed-in customers' changes reach every node",
        include_str!("../../migrations/postgres/0037_signed_in_version.sql"),
    ),
];

/// Opens and closes one connection, so that a wrong address or credentials fail fast.
pub(super) async fn check_reachable(url: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use sqlx::Connection;
    let conn = tokio::time::timeout(std::time::Duration::from_secs(10), sqlx::AnyConnection::connect(url))
        .await
        .context("the database server did not answer within 10 seconds")?
        .context("the connection failed")?;
    conn.close().await?;
    Ok(())
}

/// The server's statements are short, and many run at once: parallel workers (by default 2
/// for each gathering step of a plan) cost more to start and gather than they save. A note's
/// word searched with a status filter at a million tickets took 30-37 ms in a parallel plan and
/// 16 ms without; with 8 searches at once the page's p99 went from 302 ms to 83-94 ms
/// (docs/benchmarks.md, "Search again").
/// Set only where the role or database does not already say 0: behind a pooler that shares
/// or pins sessions, `ALTER ROLE ... SET` keeps every connection free of a session `SET`.
pub(super) async fn configure_connection(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    use sqlx::Executor;
    let current: String =
        sqlx::query_scalar("SELECT current_setting('max_parallel_workers_per_gather')").fetch_one(&mut *conn).await?;
    if current != "0" {
        conn.execute("SET max_parallel_workers_per_gather = 0").await?;
    }
    Ok(())
}

/// Claims due outbox rows of one kind (`$4`) with a lease (`$5` this node, `$6` the claim's
/// token). `SKIP LOCKED` lets several nodes claim at once without waiting on each other, and the outer conditions are checked again on the locked row, so no
/// row is ever claimed by two nodes.
pub(super) const OUTBOX_CLAIM: &str = "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1, claimed_by = $5, claim_token = $6 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND kind = $4 AND next_attempt_at <= $2 \
       AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
       AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $2) \
     RETURNING id, portal_id, kind, recipient, sender_name, subject, body_text, body_html, attempts, \
       message_key, created_at, claim_token, thread_refs";

/// Serialises transactions that count and then record requests for the same key (sign-in code
/// limits), so two requests at the same moment cannot both pass a limit. Released at commit.
pub(super) const KEY_LOCK: Option<&str> = Some("SELECT pg_advisory_xact_lock(hashtext($1))");

/// SQLSTATE codes of a server that is going away or not ready: class 08 (connection
/// exception), 57P01-57P03 (shut down by the administrator, crash shutdown, cannot connect now).
pub(super) fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// PostgreSQL loads the seed well as it is (its shared buffers are the server's setting).
pub(super) const BULK_LOAD: Option<&str> = None;
