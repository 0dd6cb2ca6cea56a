//! Directory accounts linked to staff accounts, found by `tid` + `oid` only.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::provider::DirectoryUser;
use crate::db::{Db, now};

#[derive(Clone, Debug)]
pub struct Identity {
    pub id: i64,
    pub portal_id: i64,
    pub staff_id: i64,
    pub username: String,
}

pub async fn find(db: &Db, tenant_id: &str, object_id: &str) -> Result<Option<Identity>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, portal_id, staff_id, username FROM sso_identities WHERE tenant_id = $1 AND object_id = $2",
    )
    .bind(tenant_id)
    .bind(object_id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &AnyRow) -> Result<Identity, sqlx::Error> {
    Ok(Identity {
        id: r.try_get("id")?,
        portal_id: r.try_get("portal_id")?,
        staff_id: r.try_get("staff_id")?,
        username: r.try_get("username")?,
    })
}

/// Whether a staff account already has a directory account of this tenant linked.
pub async fn linked_in_tenant(db: &Db, staff_id: i64, tenant_id: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT 1 AS one FROM sso_identities WHERE staff_id = $1 AND tenant_id = $2")
        .bind(staff_id)
        .bind(tenant_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// Links a directory account to a staff account, inside the caller's transaction.
pub async fn link(
    conn: &mut AnyConnection,
    portal_id: i64,
    staff_id: i64,
    user: &DirectoryUser,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "INSERT INTO sso_identities (portal_id, staff_id, tenant_id, object_id, username, created_at, last_sign_in_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(&user.tenant_id)
    .bind(&user.object_id)
    .bind(user.username.clone().unwrap_or_default())
    .bind(t)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a sign-in (and the user name the directory gives now, which may have changed).
pub async fn touch(db: &Db, id: i64, user: &DirectoryUser) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sso_identities SET last_sign_in_at = $1, username = COALESCE($2, username) WHERE id = $3")
        .bind(now())
        .bind(user.username.clone())
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Whether the account's sign-in is managed by a directory: it is linked through a portal whose
/// Microsoft sign-in is on. Such accounts have no Frontdesk password.
pub async fn is_self_managed(db: &Db, staff_id: i64) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM sso_identities i JOIN portal_settings ps ON ps.portal_id = i.portal_id \
         AND ps.key = 'entra_enabled' AND ps.value = 'true' WHERE i.staff_id = $1",
    )
    .bind(staff_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// The directory accounts linked to a staff account through one portal.
pub async fn of_staff_in_portal(db: &Db, staff_id: i64, portal_id: i64) -> Result<Vec<Identity>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, portal_id, staff_id, username FROM sso_identities WHERE staff_id = $1 AND portal_id = $2 \
         ORDER BY id",
    )
    .bind(staff_id)
    .bind(portal_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Removes the links made through one portal (the account can then get a password again), and
/// ends the sessions those links signed in, in one transaction.
pub async fn unlink(db: &Db, staff_id: i64, portal_id: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    let done = sqlx::query("DELETE FROM sso_identities WHERE staff_id = $1 AND portal_id = $2")
        .bind(staff_id)
        .bind(portal_id)
        .execute(&mut *tx)
        .await?;
    crate::auth::sessions::end_signed_in_by(&mut tx, staff_id, portal_id).await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
