//! Sign-ins under way at a provider. The row lives in the database, so the node that receives
//! the provider's answer need not be the one that sent the browser there.
//!
//! The browser keeps a random secret in a cookie; the row keeps only its hash. The PKCE verifier
//! and the nonce are derived from that secret and the flow's `state`, so whoever reads the table
//! cannot redeem a code, and a callback in another browser fails.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Db, now};
use crate::web::tokens::token_hash;

/// How long a person has at the provider before the flow expires.
pub const FLOW_SECS: i64 = 10 * 60;
/// The cookie holding the browser's flow secret.
pub const BROWSER_COOKIE: &str = "fd_sso";
/// Flows one address may start per `FLOW_SECS` (each one writes a row).
pub const FLOWS_PER_ADDRESS: i64 = 30;

/// A value for the provider derived from the browser's secret and the flow's state.
pub fn derive(purpose: &str, browser_secret: &str, state: &str) -> String {
    let mut h = Sha256::new();
    for part in [purpose, browser_secret, state] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    URL_SAFE_NO_PAD.encode(h.finalize())
}

pub struct Flow {
    pub portal_id: i64,
    pub browser_hash: String,
    pub next: String,
}

pub enum Taken {
    /// Unused and in time; now marked used.
    Fresh(Flow),
    /// Already finished once (a replayed answer, or the back button).
    Used(i64),
    /// Too old; the portal is given so the page can offer to start again.
    Expired(i64),
    /// No such flow.
    Unknown,
}

pub async fn started_from(db: &Db, ip: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM sso_flows WHERE ip = $1 AND created_at > $2")
        .bind(ip)
        .bind(now() - FLOW_SECS)
        .fetch_one(db.pool())
        .await?
        .try_get("n")
}

pub async fn create(
    db: &Db,
    state: &str,
    portal_id: i64,
    browser_secret: &str,
    next: &str,
    ip: &str,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "INSERT INTO sso_flows (state_hash, portal_id, browser_hash, next, ip, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(state))
    .bind(portal_id)
    .bind(token_hash(browser_secret))
    .bind(next)
    .bind(ip)
    .bind(t)
    .bind(t + FLOW_SECS)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Spends a flow: at most one answer per flow is ever acted on, on any node.
pub async fn take(db: &Db, state: &str) -> Result<Taken, sqlx::Error> {
    let t = now();
    let hash = token_hash(state);
    let row = sqlx::query(
        "UPDATE sso_flows SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING portal_id, browser_hash, next",
    )
    .bind(t)
    .bind(&hash)
    .fetch_optional(db.writer())
    .await?;
    if let Some(row) = row {
        return Ok(Taken::Fresh(Flow {
            portal_id: row.try_get("portal_id")?,
            browser_hash: row.try_get("browser_hash")?,
            next: row.try_get("next")?,
        }));
    }
    let row = sqlx::query("SELECT portal_id, used_at FROM sso_flows WHERE state_hash = $1")
        .bind(&hash)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        None => Taken::Unknown,
        Some(r) => {
            let portal_id: i64 = r.try_get("portal_id")?;
            match r.try_get::<Option<i64>, _>("used_at")? {
                Some(_) => Taken::Used(portal_id),
                None => Taken::Expired(portal_id),
            }
        }
    })
}

/// Deletes flows well past their end (kept a while so a late replay is told it was used).
pub async fn purge(db: &Db) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sso_flows WHERE expires_at <= $1")
        .bind(now() - 24 * 3600)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values_depend_on_every_part_and_fit_pkce() {
        let v = derive("pkce", "secret", "state");
        assert_eq!(v.len(), 43, "PKCE verifiers are 43 to 128 characters");
        assert!(v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(v, derive("nonce", "secret", "state"));
        assert_ne!(v, derive("pkce", "secret2", "state"));
        assert_ne!(v, derive("pkce", "secret", "state2"));
        assert_ne!(derive("ab", "c", "d"), derive("a", "bc", "d"), "parts are separated");
    }
}
