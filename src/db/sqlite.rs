//! SQLite specifics: the file is created on first start, WAL journaling so readers never block
//! the writer, and `synchronous=NORMAL`, which in WAL mode keeps every committed write across a
//! process crash (`kill -9`); only an OS crash or power loss can lose the last commits.

use anyhow::Context;
use sqlx::{AnyConnection, Connection, Executor};

pub(super) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../../migrations/sqlite/0001_foundation.sql")),
    (2, "outbox and links", include_str!("../../migrations/sqlite/0002_outbox_and_links.sql")),
    (3, "sign-in codes", include_str!("../../migrations/sqlite/0003_sign_in_codes.sql")),
    (4, "staff sign-in with Entra ID", include_str!("../../migrations/sqlite/0004_sso.sql")),
    (5, "accounts across portals", include_str!("../../migrations/sqlite/0005_accounts_across_portals.sql")),
    (6, "outbox claims", include_str!("../../migrations/sqlite/0006_outbox_claims.sql")),
    (7, "languages", include_str!("../../migrations/sqlite/0007_languages.sql")),
    (8, "tickets", include_str!("../../migrations/sqlite/0008_tickets.sql")),
    (9, "attachments", include_str!("../../migrations/sqlite/0009_attachments.sql")),
    (10, "email threads", include_str!("../../migrations/sqlite/0010_outbox_threads.sql")),
    (11, "attachment uploads", include_str!("../../migrations/sqlite/0011_attachment_uploads.sql")),
    (12, "ticket email preferences", include_str!("../../migrations/sqlite/0012_ticket_email_preferences.sql")),
    (13, "ticket links", include_str!("../../migrations/sqlite/0013_ticket_links.sql")),
    (14, "ticket queue", include_str!("../../migrations/sqlite/0014_ticket_queue.sql")),
    (15, "merged tickets and saved replies", include_str!("../../migrations/sqlite/0015_merge_and_saved_replies.sql")),
    (16, "ticket dashboard and ratings", include_str!("../../migrations/sqlite/0016_ticket_dashboard.sql")),
    (17, "configuration version", include_str!("../../migrations/sqlite/0017_config_version.sql")),
    (18, "knowledge base", include_str!("../../migrations/sqlite/0018_knowledge_base.sql")),
    (19, "search", include_str!("../../migrations/sqlite/0019_search.sql")),
    (21, "knowledge base pages kept per node", include_str!("../../migrations/sqlite/0021_kb_portal.sql")),
    (23, "ticket search follows customers' names", include_str!("../../migrations/sqlite/0023_customer_search.sql")),
    (24, "live chat and presence", include_str!("../../migrations/sqlite/0024_chat.sql")),
    (29, "ended sessions close their sockets", include_str!("../../migrations/sqlite/0029_session_events.sql")),
    (
        31,
        "chat messages numbered as they are stored",
        include_str!("../../migrations/sqlite/0031_chat_message_numbering.sql"),
    ),
    (
        32,
        "article search checks each match in a small index",
        include_str!("../../migrations/sqlite/0032_kb_search_scope.sql"),
    ),
    (
        33,
        "a session's number is never given again",
        include_str!("../../migrations/sqlite/0033_sessions_never_reuse_numbers.sql"),
    ),
    (
        34,
        "the articles' search index without its scope column",
        include_str!("../../migrations/sqlite/0034_kb_search_without_scope.sql"),
    ),
    (
        37,
        "signed-in customers' changes reach every node",
        include_str!("../../migrations/sqlite/0037_signed_in_version.sql"),
    ),
];

/// How long a write waits for the one writer connection before giving up.
pub(super) const WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Adds `mode=rwc` so that a missing database file is created.
pub(super) fn connection_url(url: &str) -> anyhow::Result<String> {
    if url.contains("mode=") {
        return Ok(url.to_string());
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}mode=rwc"))
}

/// Switches the file to WAL once, on a single connection, before the pool opens more.
pub(super) async fn prepare_file(conn_url: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(conn_url).await.with_context(
        || "cannot open or create the SQLite database file (does its folder exist and is it writable?)",
    )?;
    conn.execute("PRAGMA journal_mode=WAL").await?;
    conn.close().await?;
    Ok(())
}

/// `mmap_size`: each connection reads the file through a memory map (up to 2 GiB, SQLite's
/// own cap) rather than copying every page it reads with a system call into a page cache of
/// its own; the OS keeps one copy for all of them. Writes still go through the WAL file.
pub(super) async fn configure_connection(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA mmap_size=2147418112;",
    )
    .await
    .map(|_| ())
}

/// Claims due outbox rows of one kind (`$4`) with a lease (`$5` this node, `$6` the claim's
/// token). One writer at a time, so no row is claimed twice.
pub(super) const OUTBOX_CLAIM: &str = "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1, claimed_by = $5, claim_token = $6 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND kind = $4 AND next_attempt_at <= $2 \
       AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3) \
     RETURNING id, portal_id, kind, recipient, sender_name, subject, body_text, body_html, attempts, \
       message_key, created_at, claim_token, thread_refs";

/// SQLite needs no key lock: every write transaction already runs alone on the writer connection.
pub(super) const KEY_LOCK: Option<&str> = None;

/// For `frontdesk seed`'s writer connection: 512 MB of page cache, commits not waiting for the disk.
pub(super) const BULK_LOAD: Option<&str> = Some("PRAGMA cache_size = -524288; PRAGMA synchronous = OFF;");
