//! One-time links: invitations to set a first password (72 hours) and password resets (1 hour).
//! The token travels in the link only; the database keeps its SHA-256. A link works once, and
//! issuing a new one voids the earlier ones of the same purpose.

use sqlx::{AnyConnection, Row};

use super::sessions::Subject;
use crate::db::{Db, now};
use crate::web::tokens::{random_token, token_hash};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    Reset,
}

impl LinkState {
    /// The link, whatever its state (`None` for an unknown token).
    pub fn link(&self) -> Option<&Link> {
        match self {
            LinkState::Valid(l) | LinkState::Used(l) | LinkState::Expired(l) => Some(l),
            LinkState::Unknown => None,
        }
    }
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }
    fn parse(s: &str) -> Option<Purpose> {
        match s {
            "invite" => Some(Purpose::Invite),
            "reset" => Some(Purpose::Reset),
            _ => None,
        }
    }
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Purpose::Invite => 72 * 3600,
            Purpose::Reset => 3600,
        }
    }
    /// How long a link lasts, in words, for the pages and emails that promise it: made from
    /// `lifetime_secs`, so they cannot drift from what the link does.
    pub fn lifetime_text(self) -> String {
        crate::i18n::t1("link-lifetime", "hours", self.lifetime_secs() / 3600)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub purpose: Purpose,
    pub subject: Subject,
    pub portal_id: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Valid(Link),
    Used(Link),
    Expired(Link),
    /// Never issued, garbled, or cut short when copied.
    Unknown,
}

fn columns(subject: Subject) -> (Option<i64>, Option<i64>) {
    match subject {
        Subject::Staff(id) => (Some(id), None),
        Subject::Customer(id) => (None, Some(id)),
    }
}

/// Spends every unused link of a person (their account stopped using passwords).
pub async fn void_all(conn: &mut AnyConnection, subject: Subject) -> Result<(), sqlx::Error> {
    let (staff_id, customer_id) = columns(subject);
    sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 WHERE used_at IS NULL AND (staff_id = $2 OR customer_id = $3)",
    )
    .bind(now())
    .bind(staff_id)
    .bind(customer_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Issues a link inside the caller's transaction and returns its token.
pub async fn issue(
    conn: &mut AnyConnection,
    purpose: Purpose,
    subject: Subject,
    portal_id: Option<i64>,
) -> Result<String, sqlx::Error> {
    let (staff_id, customer_id) = columns(subject);
    let t = now();
    sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 WHERE purpose = $2 AND used_at IS NULL \
         AND (staff_id = $3 OR customer_id = $4)",
    )
    .bind(t)
    .bind(purpose.as_str())
    .bind(staff_id)
    .bind(customer_id)
    .execute(&mut *conn)
    .await?;
    let token = random_token();
    sqlx::query(
        "INSERT INTO one_time_tokens (token_hash, purpose, staff_id, customer_id, portal_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(&token))
    .bind(purpose.as_str())
    .bind(staff_id)
    .bind(customer_id)
    .bind(portal_id)
    .bind(t)
    .bind(t + purpose.lifetime_secs())
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

fn link_from_row(row: &sqlx::any::AnyRow) -> Result<Option<Link>, sqlx::Error> {
    let purpose: String = row.try_get("purpose")?;
    let staff: Option<i64> = row.try_get("staff_id")?;
    let customer: Option<i64> = row.try_get("customer_id")?;
    let subject = match (staff, customer) {
        (Some(s), _) => Subject::Staff(s),
        (None, Some(c)) => Subject::Customer(c),
        _ => return Ok(None),
    };
    Ok(Purpose::parse(&purpose).map(|purpose| Link {
        purpose,
        subject,
        portal_id: row.try_get("portal_id").ok().flatten(),
    }))
}

/// What a link is, without using it (opening the page must not spend the link: mail scanners
/// open links too).
pub async fn inspect(db: &Db, token: &str) -> Result<LinkState, sqlx::Error> {
    if token.len() != 43 {
        return Ok(LinkState::Unknown);
    }
    let row = sqlx::query(
        "SELECT purpose, staff_id, customer_id, portal_id, expires_at, used_at FROM one_time_tokens WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(LinkState::Unknown) };
    let used: Option<i64> = row.try_get("used_at")?;
    let expires: i64 = row.try_get("expires_at")?;
    Ok(match link_from_row(&row)? {
        None => LinkState::Unknown,
        Some(link) if used.is_some() => LinkState::Used(link),
        Some(link) if expires <= now() => LinkState::Expired(link),
        Some(link) => LinkState::Valid(link),
    })
}

/// Uses a link inside the caller's transaction; `None` when it is not (or no longer) valid.
pub async fn consume(conn: &mut AnyConnection, token: &str) -> Result<Option<Link>, sqlx::Error> {
    let t = now();
    let row = sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING purpose, staff_id, customer_id, portal_id",
    )
    .bind(t)
    .bind(token_hash(token))
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => link_from_row(&r),
        None => Ok(None),
    }
}

/// Takes a lock on the person's row until the transaction ends, so that concurrent requests
/// for the same person (say, many "forgot password" forms at once) are counted one after the
/// other. SQLite transactions are serialised already; on PostgreSQL this is a row lock.
pub async fn lock_subject(conn: &mut AnyConnection, subject: Subject) -> Result<(), sqlx::Error> {
    let sql = match subject {
        Subject::Staff(_) => "UPDATE staff SET id = id WHERE id = $1",
        Subject::Customer(_) => "UPDATE customers SET id = id WHERE id = $1",
    };
    let (Subject::Staff(id) | Subject::Customer(id)) = subject;
    sqlx::query(sql).bind(id).execute(conn).await?;
    Ok(())
}

/// How many links of a purpose a person was sent since `since` (to limit reset emails). Run it
/// after `lock_subject` in the transaction that may issue another.
pub async fn issued_since(
    conn: &mut AnyConnection,
    purpose: Purpose,
    subject: Subject,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let (staff_id, customer_id) = columns(subject);
    sqlx::query(
        "SELECT COUNT(*) AS n FROM one_time_tokens WHERE purpose = $1 AND (staff_id = $2 OR customer_id = $3) \
         AND created_at > $4",
    )
    .bind(purpose.as_str())
    .bind(staff_id)
    .bind(customer_id)
    .bind(since)
    .fetch_one(conn)
    .await?
    .try_get("n")
}

#[cfg(test)]
mod tests {
    use super::Purpose;

    #[test]
    fn lifetime_text_says_what_the_link_lasts() {
        assert_eq!(Purpose::Invite.lifetime_text(), "72 hours");
        assert_eq!(Purpose::Reset.lifetime_text(), "1 hour");
    }
}
