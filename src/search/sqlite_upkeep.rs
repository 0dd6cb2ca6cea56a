//! SQLite: keeps the tickets' FTS5 index in few segments.
//!
//! FTS5 writes each transaction's words as a new segment and merges them in the background
//! only level by level, so an index written a ticket at a time keeps fifteen or more segments,
//! and every search visits each. At 1,000,000 tickets that made a common word's search read
//! its matches three times slower, and a check ticket by ticket a hundred times slower, than
//! the same index in one segment (docs/benchmarks.md, "Ticket search"). So while a server runs,
//! an index that has gathered more than `MOST_SEGMENTS` is merged into one, a few pages per
//! statement, with pauses between, so that the one writer stays free for everyone else (a step
//! holds it for about 7 ms, now and then for 100 ms or more). PostgreSQL needs nothing of the
//! kind: its GIN index is kept by `autovacuum`. The knowledge base's index is left alone:
//! merging it made no measurable difference (ranking costs more than reading there).

use std::time::Duration;

use sqlx::Row;

use crate::db::Db;

/// How often the number of segments is looked at.
const LOOK_EVERY: Duration = Duration::from_secs(600);
/// More segments than this start a merge into one.
pub const MOST_SEGMENTS: i64 = 8;
/// Pages of 4 KB written by one merging statement: about 7 ms of the writer (at 1,000,000
/// tickets: median 6.6 ms, p99 128 ms).
const PAGES_PER_STEP: i64 = 16;
/// Between two steps, for the writes waiting behind them.
const PAUSE: Duration = Duration::from_millis(40);
/// A merge gives up after this many steps (about 800 MB written): it goes on at the next look.
const MOST_STEPS: usize = 50_000;

/// How many segments the tickets' index has.
pub async fn ticket_segments(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(DISTINCT segid) AS n FROM tickets_fts_idx").fetch_one(db.pool()).await?.try_get("n")
}

/// Merges the tickets' index into one segment, step by step; the steps it took.
pub async fn merge_tickets_index(db: &Db, pause: Duration) -> Result<usize, sqlx::Error> {
    let mut steps = 0;
    while steps < MOST_STEPS && ticket_segments(db).await? > 1 {
        // A negative page count merges every segment, whatever its level, into one.
        sqlx::query("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('merge', $1)")
            .bind(-PAGES_PER_STEP)
            .execute(db.writer())
            .await?;
        steps += 1;
        tokio::time::sleep(pause).await;
    }
    Ok(steps)
}

/// Looks every `LOOK_EVERY` for as long as the database is open.
pub async fn keep_tickets_index_compact(db: Db) {
    while !db.pool().is_closed() {
        tokio::time::sleep(LOOK_EVERY).await;
        let merged = async {
            let before = ticket_segments(&db).await?;
            if before <= MOST_SEGMENTS {
                return Ok(None);
            }
            let started = std::time::Instant::now();
            let steps = merge_tickets_index(&db, PAUSE).await?;
            Ok::<_, sqlx::Error>(Some((before, steps, started.elapsed())))
        };
        match merged.await {
            Ok(Some((segments, steps, took))) => tracing::info!(
                segments,
                steps,
                seconds = took.as_secs_f64(),
                "merged the tickets' search index into one segment"
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not merge the tickets' search index; trying again later"),
        }
    }
}
