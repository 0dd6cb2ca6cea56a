//! One-time sign-in codes: 6 digits from a CSPRNG, valid for 10 minutes (configurable), usable
//! once, dead after 5 wrong tries, and bound to the browser that asked for them (a random request
//! token in its cookie; the database keeps only hashes). Requests are limited per identity as
//! typed and per client address, whether or not an account exists.

use rand::Rng;
use sqlx::{AnyConnection, Row};

use crate::db::{Db, now};
use crate::web::tokens::{constant_time_eq, token_hash};

pub const MAX_WRONG_TRIES: i64 = 5;

/// How often one key may ask for a code.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimit {
    pub min_interval_secs: i64,
    pub per_hour: i64,
}

/// Per account (as typed): one code every 30 seconds, five an hour.
pub const PER_IDENTITY: RequestLimit = RequestLimit { min_interval_secs: 30, per_hour: 5 };
/// Per client address: thirty an hour, however many accounts they are for.
pub const PER_ADDRESS: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 30 };

pub fn generate_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn code_hash(request_token: &str, code: &str) -> String {
    token_hash(&format!("{request_token}:{code}"))
}

/// Why a request for a code was not admitted.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    /// A key is over its limit: the seconds to wait.
    #[error("too many requests for a code; wait {0} s")]
    Wait(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// `admit_request` for a form that answers "try again in N seconds": `Some(N)` when over a
/// limit, `None` when admitted (and recorded).
pub async fn wait_before(db: &Db, keys: &[(String, RequestLimit)]) -> crate::error::AppResult<Option<i64>> {
    match admit_request(db, keys).await {
        Ok(()) => Ok(None),
        Err(AdmitError::Wait(secs)) => Ok(Some(secs)),
        Err(AdmitError::Db(e)) => Err(e.into()),
    }
}

/// Records a request for a code under each key, or says how long to wait when any key is over
/// its limit (then nothing is recorded).
pub async fn admit_request(db: &Db, keys: &[(String, RequestLimit)]) -> Result<(), AdmitError> {
    let mut tx = db.writer().begin().await?;
    for (key, _) in keys {
        db.lock_key(&mut tx, key).await?;
    }
    // Read once the locks are held: a request that waited for them must not count one recorded
    // meanwhile as later than itself (refused "for a second" with no interval to keep).
    let t = now();
    let mut wait = 0;
    for (key, limit) in keys {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(created_at) AS last, MIN(created_at) AS first FROM code_requests \
             WHERE key = $1 AND created_at > $2",
        )
        .bind(key)
        .bind(t - 3600)
        .fetch_one(&mut *tx)
        .await?;
        let count: i64 = row.try_get("n")?;
        let last: Option<i64> = row.try_get("last")?;
        let first: Option<i64> = row.try_get("first")?;
        if let Some(last) = last
            && limit.min_interval_secs > 0
        {
            wait = wait.max(last + limit.min_interval_secs - t);
        }
        if count >= limit.per_hour {
            wait = wait.max(first.unwrap_or(t) + 3600 - t);
        }
    }
    if wait > 0 {
        return Err(AdmitError::Wait(wait));
    }
    for (key, _) in keys {
        sqlx::query("INSERT INTO code_requests (key, created_at) VALUES ($1, $2)")
            .bind(key)
            .bind(t)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Stores a code for the browser holding `request_token`, inside the caller's transaction.
pub async fn store(
    conn: &mut AnyConnection,
    portal_id: i64,
    customer_id: i64,
    request_token: &str,
    code: &str,
    lifetime_secs: i64,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "INSERT INTO sign_in_codes (portal_id, customer_id, request_hash, code_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(portal_id)
    .bind(customer_id)
    .bind(token_hash(request_token))
    .bind(code_hash(request_token, code))
    .bind(t)
    .bind(t + lifetime_secs)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Right code: it is now used. The customer to sign in.
    SignIn(i64),
    /// Wrong, expired, used, dead after too many tries, or never sent: one answer for all.
    Refused,
}

/// A browser's stored code, as far as checking it needs.
struct StoredCode {
    id: i64,
    customer_id: i64,
    code_hash: String,
    expires_at: i64,
    used_at: Option<i64>,
    attempts: i64,
}

/// What to write after a code was typed.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// The right code, still usable: spend it (row id, customer).
    Spend(i64, i64),
    /// Anything else: count a wrong try against the browser's request. This is one statement
    /// whether or not a code exists for the request (for an unknown person none does), so that
    /// a wrong code costs the same work either way and its timing tells nothing.
    CountWrongTry,
}

/// As long as a code hash, and never equal to one (not hexadecimal).
const NO_CODE: &str = "----------------------------------------------------------------";

/// Decides what a typed code does. The comparison runs in every case (against a hash no code
/// can match when nothing is stored), so the work is the same.
fn judge(stored: Option<&StoredCode>, request_token: &str, code: &str, t: i64) -> Step {
    let typed: String = code.chars().filter(char::is_ascii_digit).collect();
    let expected = stored.map_or(NO_CODE, |s| s.code_hash.as_str());
    let matches = constant_time_eq(expected, &code_hash(request_token, &typed)) && typed.len() == 6;
    match stored {
        Some(s) if matches && s.used_at.is_none() && s.expires_at > t && s.attempts < MAX_WRONG_TRIES => {
            Step::Spend(s.id, s.customer_id)
        }
        _ => Step::CountWrongTry,
    }
}

async fn load(db: &Db, portal_id: i64, request_token: &str) -> Result<Option<StoredCode>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, customer_id, code_hash, expires_at, used_at, attempts FROM sign_in_codes \
         WHERE request_hash = $1 AND portal_id = $2",
    )
    .bind(token_hash(request_token))
    .bind(portal_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(StoredCode {
            id: row.try_get("id")?,
            customer_id: row.try_get("customer_id")?,
            code_hash: row.try_get("code_hash")?,
            expires_at: row.try_get("expires_at")?,
            used_at: row.try_get("used_at")?,
            attempts: row.try_get("attempts")?,
        })
    })
    .transpose()
}

/// Checks a code typed in the browser holding `request_token`.
pub async fn verify(db: &Db, portal_id: i64, request_token: &str, code: &str) -> Result<Verdict, sqlx::Error> {
    let stored = load(db, portal_id, request_token).await?;
    let t = now();
    match judge(stored.as_ref(), request_token, code, t) {
        Step::Spend(id, customer_id) => {
            // Only one request can use it, even if two arrive together.
            let done = sqlx::query(
                "UPDATE sign_in_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND attempts < $3 \
                 AND expires_at > $1",
            )
            .bind(t)
            .bind(id)
            .bind(MAX_WRONG_TRIES)
            .execute(db.writer())
            .await?;
            Ok(if done.rows_affected() == 1 { Verdict::SignIn(customer_id) } else { Verdict::Refused })
        }
        Step::CountWrongTry => {
            sqlx::query("UPDATE sign_in_codes SET attempts = attempts + 1 WHERE request_hash = $1 AND portal_id = $2")
                .bind(token_hash(request_token))
                .bind(portal_id)
                .execute(db.writer())
                .await?;
            Ok(Verdict::Refused)
        }
    }
}

/// Forgets old requests and codes. Run now and then by the janitor.
pub async fn purge_stale(db: &Db) -> Result<u64, sqlx::Error> {
    let t = now();
    let requests =
        sqlx::query("DELETE FROM code_requests WHERE created_at <= $1").bind(t - 3600).execute(db.writer()).await?;
    let codes =
        sqlx::query("DELETE FROM sign_in_codes WHERE expires_at <= $1").bind(t - 86400).execute(db.writer()).await?;
    Ok(requests.rows_affected() + codes.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = generate_code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        }
    }

    fn stored(code: &str) -> StoredCode {
        StoredCode {
            id: 7,
            customer_id: 3,
            code_hash: code_hash("req", code),
            expires_at: 1_000,
            used_at: None,
            attempts: 0,
        }
    }

    #[test]
    fn a_wrong_code_takes_the_same_step_whether_or_not_a_code_was_sent() {
        let known = stored("123456");
        // An unknown person's browser has no stored code; a known one's has one that does not match.
        assert_eq!(judge(None, "req", "654321", 10), Step::CountWrongTry);
        assert_eq!(judge(Some(&known), "req", "654321", 10), Step::CountWrongTry);
        // Every other refusal takes that step too.
        assert_eq!(judge(Some(&known), "req", "12345", 10), Step::CountWrongTry);
        assert_eq!(judge(Some(&known), "req", "123456", 1_000), Step::CountWrongTry);
        assert_eq!(
            judge(Some(&StoredCode { used_at: Some(5), ..stored("123456") }), "req", "123456", 10),
            Step::CountWrongTry
        );
        assert_eq!(
            judge(Some(&StoredCode { attempts: 5, ..stored("123456") }), "req", "123456", 10),
            Step::CountWrongTry
        );
        assert_eq!(judge(None, "req", "123456", 10), Step::CountWrongTry);
        // Only the right, live code is spent.
        assert_eq!(judge(Some(&known), "req", "123 456", 10), Step::Spend(7, 3));
        assert_eq!(judge(Some(&known), "other", "123456", 10), Step::CountWrongTry);
    }

    #[test]
    fn the_stored_hash_depends_on_the_request() {
        assert_ne!(code_hash("a", "123456"), code_hash("b", "123456"));
    }
}
