//! Browsers in which an account has proved itself before: a correct password, or a link from
//! its email. Their cookie holds a random token (the database keeps its hash), so failures that
//! others cause on the account or on a shared address never hold such a browser back (the
//! "device cookie" defence against lock-out that OWASP describes). A browser that fails too
//! often itself loses that standing.

use axum::http::{HeaderMap, HeaderValue};
use sqlx::Row;

use super::sessions::Subject;
use crate::db::{Db, now};
use crate::web::cookies::CookiePolicy;
use crate::web::tokens::{random_token, token_hash};

pub const COOKIE: &str = "fd_browser";
/// Kept this long after its last use (browsers cap cookies at 400 days).
const KEEP_SECS: i64 = 180 * 24 * 3600;

fn columns(subject: Subject) -> (Option<i64>, Option<i64>) {
    match subject {
        Subject::Staff(id) => (Some(id), None),
        Subject::Customer(id) => (None, Some(id)),
    }
}

/// The browser's token, as its cookie carries it.
pub fn token<'a>(cookies: &CookiePolicy, headers: &'a HeaderMap) -> Option<&'a str> {
    cookies.get(headers, COOKIE).filter(|t| t.len() <= 64)
}

/// The id of this browser's record for `subject`, if it has one. Without an account the same
/// query runs for nobody, so the time taken tells nothing.
pub async fn find(db: &Db, token: &str, subject: Option<Subject>) -> Result<Option<i64>, sqlx::Error> {
    let (staff_id, customer_id) = subject.map(columns).unwrap_or((Some(-1), None));
    let row = sqlx::query(
        "SELECT id FROM known_browsers WHERE token_hash = $1 AND (staff_id = $2 OR customer_id = $3) \
         AND last_used_at > $4",
    )
    .bind(token_hash(token))
    .bind(staff_id)
    .bind(customer_id)
    .bind(now() - KEEP_SECS)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| r.try_get("id")).transpose()
}

/// Remembers that `subject` proved itself in this browser. Returns the cookie to set when the
/// browser had none (or a malformed one).
pub async fn remember(
    db: &Db,
    cookies: &CookiePolicy,
    current: Option<&str>,
    subject: Subject,
    portal_id: Option<i64>,
) -> Result<Option<HeaderValue>, sqlx::Error> {
    let (token, cookie) = match current {
        Some(t) => (t.to_string(), None),
        None => {
            let t = random_token();
            let cookie = cookies.set(COOKIE, &t, Some(KEEP_SECS));
            (t, Some(cookie))
        }
    };
    let (staff_id, customer_id) = columns(subject);
    let t = now();
    let updated = sqlx::query(
        "UPDATE known_browsers SET last_used_at = $1 WHERE token_hash = $2 AND (staff_id = $3 OR customer_id = $4)",
    )
    .bind(t)
    .bind(token_hash(&token))
    .bind(staff_id)
    .bind(customer_id)
    .execute(db.writer())
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO known_browsers (token_hash, staff_id, customer_id, portal_id, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(token_hash(&token))
        .bind(staff_id)
        .bind(customer_id)
        .bind(portal_id)
        .bind(t)
        .execute(db.writer())
        .await?;
    }
    Ok(cookie)
}

/// Forgets browsers unused for the keeping period. Run now and then by the janitor.
pub async fn purge_stale(db: &Db) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM known_browsers WHERE last_used_at <= $1")
        .bind(now() - KEEP_SECS)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}
