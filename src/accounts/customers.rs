//! Customer accounts. A customer belongs to exactly one portal; every query here names it.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Email;
use super::phone::Mobile;
use crate::auth::sessions::{self, Subject};
use crate::db::{Db, is_unique_violation, now};
use crate::i18n::Lang;
use crate::portals::language_of;

#[derive(Clone, Debug)]
pub struct Customer {
    pub id: i64,
    pub portal_id: i64,
    pub email: String,
    pub name: String,
    pub mobile: Option<String>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub disabled_at: Option<i64>,
    /// The language they chose on their profile.
    pub language: Option<Lang>,
}

impl Customer {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

const COLUMNS: &str = "id, portal_id, email, name, mobile, password_hash, must_change_password, disabled_at, language";

fn from_row(row: &AnyRow) -> Result<Customer, sqlx::Error> {
    Ok(Customer {
        id: row.try_get("id")?,
        portal_id: row.try_get("portal_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        mobile: row.try_get("mobile")?,
        password_hash: row.try_get("password_hash")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        disabled_at: row.try_get("disabled_at")?,
        language: language_of(row, "language")?,
    })
}

pub async fn by_email(db: &Db, portal_id: i64, email: &Email) -> Result<Option<Customer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE portal_id = $1 AND email_lower = $2");
    let row =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(email.lower()).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_mobile(db: &Db, portal_id: i64, mobile: &Mobile) -> Result<Option<Customer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE portal_id = $1 AND mobile = $2");
    let row =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(mobile.as_str()).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateCustomerError {
    #[error("another customer of this portal already uses the mobile number {0}")]
    MobileTaken(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Changes a customer's name and mobile number (`None` removes it).
pub async fn update_details(
    db: &Db,
    portal_id: i64,
    id: i64,
    name: &str,
    mobile: Option<&Mobile>,
) -> Result<(), UpdateCustomerError> {
    sqlx::query("UPDATE customers SET name = $1, mobile = $2 WHERE id = $3 AND portal_id = $4")
        .bind(name)
        .bind(mobile.map(|m| m.as_str().to_owned()))
        .bind(id)
        .bind(portal_id)
        .execute(db.writer())
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                UpdateCustomerError::MobileTaken(mobile.map(|m| m.to_string()).unwrap_or_default())
            } else {
                e.into()
            }
        })?;
    Ok(())
}

pub async fn by_id(db: &Db, portal_id: i64, id: i64) -> Result<Option<Customer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE portal_id = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

/// The longest search text, in characters: longer patterns only cost the database time (SQLite
/// refuses LIKE patterns over 50,000 bytes).
pub const MAX_SEARCH_CHARS: usize = 200;

/// A LIKE pattern matching values that contain `search` literally: `%` and `_` typed in a search
/// match themselves, escaped with `!` (the `ESCAPE '!'` clause reads the same on both engines).
fn contains_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A page of the portal's customers, optionally those whose email or name contains `search`
/// (at most `MAX_SEARCH_CHARS`; the caller refuses longer ones).
pub async fn list(db: &Db, portal_id: i64, search: &str, limit: i64) -> Result<Vec<Customer>, sqlx::Error> {
    let pattern = contains_pattern(search);
    let sql = format!(
        "SELECT {COLUMNS} FROM customers WHERE portal_id = $1 \
         AND (email_lower LIKE $2 ESCAPE '!' OR LOWER(name) LIKE $2 ESCAPE '!') ORDER BY email_lower LIMIT $3"
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(pattern).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum CreateCustomerError {
    #[error("this portal already has a customer with the email {0}")]
    EmailTaken(String),
    #[error("another customer of this portal already uses the mobile number {0}")]
    MobileTaken(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct NewCustomer<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub mobile: Option<&'a Mobile>,
    pub password_hash: Option<&'a str>,
}

/// True when a unique violation is the one on (portal, mobile).
fn is_mobile_conflict(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.constraint() == Some("customers_by_mobile") || d.message().contains("mobile"),
        _ => false,
    }
}

/// Creates a customer inside the caller's transaction or connection.
pub async fn create(
    conn: &mut AnyConnection,
    portal_id: i64,
    new: NewCustomer<'_>,
) -> Result<i64, CreateCustomerError> {
    let row = sqlx::query(
        "INSERT INTO customers (portal_id, email, email_lower, name, mobile, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(portal_id)
    .bind(new.email.as_str())
    .bind(new.email.lower())
    .bind(new.name)
    .bind(new.mobile.map(|m| m.as_str().to_owned()))
    .bind(new.password_hash.map(str::to_owned))
    .bind(now())
    .fetch_one(conn)
    .await
    .map_err(|e| match () {
        _ if is_mobile_conflict(&e) => {
            CreateCustomerError::MobileTaken(new.mobile.map(|m| m.to_string()).unwrap_or_default())
        }
        _ if is_unique_violation(&e) => CreateCustomerError::EmailTaken(new.email.to_string()),
        _ => e.into(),
    })?;
    Ok(row.try_get("id")?)
}

/// Sets a password (clearing "must change") inside the caller's transaction or connection.
pub async fn set_password(
    conn: &mut AnyConnection,
    portal_id: i64,
    id: i64,
    hash: &str,
    must_change: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE customers SET password_hash = $1, must_change_password = $2 WHERE id = $3 AND portal_id = $4")
        .bind(hash)
        .bind(must_change as i64)
        .bind(id)
        .bind(portal_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Disables or re-enables a customer; disabling also ends all their sessions, atomically.
pub async fn set_disabled(db: &Db, portal_id: i64, id: i64, disabled: bool) -> Result<bool, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let done = sqlx::query("UPDATE customers SET disabled_at = $1 WHERE id = $2 AND portal_id = $3")
        .bind(disabled.then(now))
        .bind(id)
        .bind(portal_id)
        .execute(&mut *tx)
        .await?;
    let found = done.rows_affected() == 1;
    // Only a customer of this portal: an id from elsewhere changes nothing, sessions included.
    if found && disabled {
        sessions::end_all_in_portal(&mut tx, Subject::Customer(id), portal_id, None).await?;
    }
    tx.commit().await?;
    Ok(found)
}
