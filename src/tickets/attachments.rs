//! Attachments, kept in the database in chunks of `CHUNK_BYTES`: an upload is written chunk by
//! chunk as it arrives, and a download is read chunk by chunk as it is sent, so neither holds a
//! whole file in memory. The type is found from the content (the name and the browser's claim
//! are not trusted), and files are only ever served as downloads of a safe type.

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::i18n::Msg;

/// The size of one stored chunk. Small enough that a row is cheap for SQLite and PostgreSQL
/// alike, large enough that a 25 MB message is about a hundred rows.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// Why a file was not stored.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("empty file")]
    Empty,
    #[error("file larger than {0} bytes")]
    TooLarge(u64),
    #[error("upload cut short")]
    Interrupted,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl AttachmentError {
    /// What the person who sent it is told (a database error is not theirs to read).
    pub fn message(&self, filename: &str) -> Option<Msg> {
        match self {
            AttachmentError::Empty => Some(Msg::new("attachment-empty").arg("name", filename)),
            AttachmentError::TooLarge(limit) => Some(
                Msg::new("attachment-too-large").arg("name", filename).arg("megabytes", (*limit / 1_000_000) as i64),
            ),
            AttachmentError::Interrupted => Some(Msg::new("attachment-interrupted").arg("name", filename)),
            AttachmentError::Db(_) => None,
        }
    }
}

/// A stored file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub filename: String,
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: String,
}

/// Stores `body` as one of the portal's files, at most `limit` bytes, on the connection of the
/// change it belongs to (so a refused message leaves no file behind).
pub async fn store<S, E>(
    conn: &mut AnyConnection,
    portal_id: i64,
    filename: &str,
    body: S,
    limit: u64,
    now: i64,
) -> Result<Stored, AttachmentError>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let filename = clean_filename(filename);
    let id = insert_file(&mut *conn, portal_id, &filename, None, now).await?;
    let written = take_chunks(body, limit, &mut Target::Transaction(&mut *conn), portal_id, id).await?;
    finish(&mut *conn, portal_id, id, filename, written).await
}

/// Stores `body` as a pending file of the portal, at most `limit` bytes, each chunk in a write of
/// its own as it arrives: nothing holds the database's one writer (SQLite) while the bytes come
/// over the network. The file is linked to what it belongs to later (`link_pending`), in that
/// change's transaction; one never linked is deleted by `sweep_pending`. A refused file
/// (too large, empty, cut short) is deleted at once.
pub async fn store_pending<S, E>(
    db: &Db,
    portal_id: i64,
    filename: &str,
    body: S,
    limit: u64,
    now: i64,
) -> Result<Stored, AttachmentError>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let filename = clean_filename(filename);
    let id = insert_file(db.writer(), portal_id, &filename, Some(now), now).await?;
    let stored = async {
        let written = take_chunks(body, limit, &mut Target::OwnWrites(db.writer()), portal_id, id).await?;
        finish(db.writer(), portal_id, id, filename, written).await
    }
    .await;
    if stored.is_err()
        && let Err(e) = discard_pending(db, portal_id, &[id]).await
    {
        // The sweep deletes it within the hour.
        tracing::warn!(error = %e, attachment = id, "could not delete a refused upload");
    }
    stored
}

/// Marks a pending file as linked (in the transaction that links it). False when it is not
/// pending: already linked, swept, or another portal's.
pub async fn link_pending(conn: &mut AnyConnection, portal_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE attachments SET pending_since = NULL WHERE portal_id = $1 AND id = $2 AND pending_since IS NOT NULL",
    )
    .bind(portal_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes pending files (their chunks go with them): those of a message that was refused.
pub async fn discard_pending(db: &Db, portal_id: i64, ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query("DELETE FROM attachments WHERE portal_id = $1 AND id = $2 AND pending_since IS NOT NULL")
            .bind(portal_id)
            .bind(id)
            .execute(db.writer())
            .await?;
    }
    Ok(())
}

/// How long a pending file waits to be linked. An upload is one request, bounded by the server's
/// body timeout (a minute by default), so an hour leaves no request in flight behind.
pub const PENDING_LIFETIME_SECS: i64 = 3600;

/// Deletes files pending for longer than `PENDING_LIFETIME_SECS`: uploads whose message was never
/// written. Run now and then by the janitor, on every node at once (the delete is idempotent).
pub async fn sweep_pending(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM attachments WHERE pending_since IS NOT NULL AND pending_since < $1")
        .bind(now - PENDING_LIFETIME_SECS)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

async fn insert_file<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    portal_id: i64,
    filename: &str,
    pending_since: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO attachments (portal_id, filename, content_type, size, sha256, chunks, created_at, pending_since) \
         VALUES ($1, $2, 'application/octet-stream', 0, '', 0, $3, $4) RETURNING id",
    )
    .bind(portal_id)
    .bind(filename)
    .bind(now)
    .bind(pending_since)
    .fetch_one(db)
    .await?
    .try_get("id")
}

/// Where chunks are written: in the caller's transaction, or each in a write of its own.
enum Target<'a> {
    Transaction(&'a mut AnyConnection),
    OwnWrites(&'a sqlx::AnyPool),
}

impl Target<'_> {
    async fn insert_chunk(&mut self, portal_id: i64, id: i64, seq: i64, chunk: &[u8]) -> Result<(), sqlx::Error> {
        let query =
            sqlx::query("INSERT INTO attachment_chunks (portal_id, attachment_id, seq, data) VALUES ($1, $2, $3, $4)")
                .bind(portal_id)
                .bind(id)
                .bind(seq)
                .bind(chunk.to_vec());
        match self {
            Target::Transaction(conn) => query.execute(&mut **conn).await?,
            Target::OwnWrites(pool) => query.execute(*pool).await?,
        };
        Ok(())
    }
}

/// Reads `body` into chunks of `CHUNK_BYTES`, writing each to `target` as it fills, and refuses
/// more than `limit` bytes or none.
async fn take_chunks<S, E>(
    body: S,
    limit: u64,
    target: &mut Target<'_>,
    portal_id: i64,
    id: i64,
) -> Result<Written, AttachmentError>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let mut written = Written::default();
    let mut pending: Vec<u8> = Vec::with_capacity(CHUNK_BYTES);
    let mut body = std::pin::pin!(body);
    while let Some(piece) = body.next().await {
        let piece = piece.map_err(|_| AttachmentError::Interrupted)?;
        if written.size + (pending.len() + piece.len()) as u64 > limit {
            return Err(AttachmentError::TooLarge(limit));
        }
        let mut rest: &[u8] = &piece;
        while !rest.is_empty() {
            let take = rest.len().min(CHUNK_BYTES - pending.len());
            pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if pending.len() == CHUNK_BYTES {
                target.insert_chunk(portal_id, id, written.chunks, &pending).await?;
                written.add(&pending);
                pending.clear();
            }
        }
    }
    if !pending.is_empty() {
        target.insert_chunk(portal_id, id, written.chunks, &pending).await?;
        written.add(&pending);
    }
    if written.size == 0 {
        return Err(AttachmentError::Empty);
    }
    Ok(written)
}

/// Writes what was found of the file once all of it is in.
async fn finish<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    portal_id: i64,
    id: i64,
    filename: String,
    written: Written,
) -> Result<Stored, AttachmentError> {
    let content_type = written.content_type.unwrap_or("application/octet-stream");
    let sha256 = hex(&written.hasher.finalize());
    sqlx::query("UPDATE attachments SET content_type = $1, size = $2, sha256 = $3, chunks = $4 WHERE portal_id = $5 AND id = $6")
        .bind(content_type)
        .bind(written.size as i64)
        .bind(&sha256)
        .bind(written.chunks)
        .bind(portal_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(Stored { id, filename, content_type, size: written.size as i64, sha256 })
}

/// What has been written of one file so far.
#[derive(Default)]
struct Written {
    size: u64,
    chunks: i64,
    hasher: Sha256,
    content_type: Option<&'static str>,
}

impl Written {
    fn add(&mut self, chunk: &[u8]) {
        if self.content_type.is_none() {
            self.content_type = Some(sniff(chunk));
        }
        self.hasher.update(chunk);
        self.chunks += 1;
        self.size += chunk.len() as u64;
    }
}

/// The file's chunks, read one at a time as the answer is sent.
pub fn chunks(db: Db, portal_id: i64, id: i64) -> impl Stream<Item = Result<Bytes, sqlx::Error>> {
    futures_util::stream::try_unfold(0i64, move |seq| {
        let db = db.clone();
        async move {
            let row = sqlx::query(
                "SELECT data FROM attachment_chunks WHERE portal_id = $1 AND attachment_id = $2 AND seq = $3",
            )
            .bind(portal_id)
            .bind(id)
            .bind(seq)
            .fetch_optional(db.pool())
            .await?;
            Ok(match row {
                Some(row) => Some((Bytes::from(row.try_get::<Vec<u8>, _>("data")?), seq + 1)),
                None => None,
            })
        }
    })
}

/// The type of a file from its first bytes. Only types a browser shows safely are named; anything
/// else is `application/octet-stream` (served as a download either way).
pub fn sniff(head: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
    ];
    if let Some((_, kind)) = SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)) {
        return kind;
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return "image/webp";
    }
    // Text: valid UTF-8 (a character cut at the end of the chunk is fine) without NUL. Served as
    // plain text, so markup in it is never run.
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    };
    if text && !head.contains(&0) { "text/plain; charset=utf-8" } else { "application/octet-stream" }
}

/// A name safe to show and to put in a `Content-Disposition`: the last path part, without
/// control characters, quotes or backslashes, at most 200 characters.
pub fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\') && !crate::web::input::is_forbidden_in_name(*c))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() { "file".into() } else { cleaned }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content_not_the_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(sniff(b"%PDF-1.7 ..."), "application/pdf");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(sniff("Olá, tudo bem?".as_bytes()), "text/plain; charset=utf-8");
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), "text/plain; charset=utf-8");
        assert_eq!(sniff(b"MZ\x90\0\x03\0"), "application/octet-stream");
        // A chunk that ends inside a character is still text.
        assert_eq!(sniff(&"ação".as_bytes()[..3]), "text/plain; charset=utf-8");
    }

    #[test]
    fn names_lose_paths_and_what_could_break_a_header() {
        assert_eq!(clean_filename("C:\\Users\\ana\\report.pdf"), "report.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\"b\r\nc.txt"), "abc.txt");
        assert_eq!(clean_filename(".htaccess"), "htaccess");
        assert_eq!(clean_filename("/"), "file");
        assert_eq!(clean_filename(&"x".repeat(300)).len(), 200);
    }
}
