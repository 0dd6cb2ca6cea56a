//! Invitations of existing staff accounts to one more portal. An account that works elsewhere is
//! someone else's too: it joins a portal only when its owner accepts, signed in as themselves.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::permissions::Role;
use super::staff;
use crate::db::{Db, now};

/// Whether an invitation's sender could still send it: an active administrator of the portal,
/// or (for an agent's place) an active agent allowed to manage agents there.
const SENDER_STILL_MAY: &str = "SELECT 1 FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
     AND sp.portal_id = portal_invitations.portal_id \
     WHERE s.id = portal_invitations.invited_by AND s.disabled_at IS NULL AND s.awaiting_approval = 0 \
       AND (sp.role = 'admin' OR (portal_invitations.role = 'agent' AND EXISTS ( \
         SELECT 1 FROM staff_permissions p WHERE p.staff_id = s.id AND p.portal_id = sp.portal_id \
           AND p.permission = 'manage_agents')))";

/// Withdraws the invitations whose senders can no longer send them (demoted, removed, disabled),
/// in one portal or all, inside the caller's transaction: they do not come back if the sender
/// gets the power back.
pub async fn withdraw_beyond_senders_power(
    conn: &mut sqlx::AnyConnection,
    portal_id: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "DELETE FROM portal_invitations WHERE ($1 IS NULL OR portal_id = $1) AND NOT EXISTS ({SENDER_STILL_MAY})"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).execute(conn).await?;
    Ok(done.rows_affected())
}

/// How long an invitation may wait for an answer.
pub const VALID_SECS: i64 = 14 * 24 * 3600;

#[derive(Clone, Debug)]
pub struct PortalInvitation {
    pub portal_id: i64,
    pub portal_name: String,
    pub staff_id: i64,
    pub staff_name: String,
    pub staff_email: String,
    pub role: Role,
    pub created_at: i64,
}

const SELECT: &str = "SELECT i.portal_id, p.name AS portal_name, i.staff_id, s.name AS staff_name, \
     s.email AS staff_email, i.role, i.created_at FROM portal_invitations i \
     JOIN portals p ON p.id = i.portal_id JOIN staff s ON s.id = i.staff_id";

fn from_row(r: &AnyRow) -> Result<PortalInvitation, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(PortalInvitation {
        portal_id: r.try_get("portal_id")?,
        portal_name: r.try_get("portal_name")?,
        staff_id: r.try_get("staff_id")?,
        staff_name: r.try_get("staff_name")?,
        staff_email: r.try_get("staff_email")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Protocol(format!("unknown role {role}")))?,
        created_at: r.try_get("created_at")?,
    })
}

/// Records (or renews) an invitation, inside the caller's transaction.
pub async fn upsert(
    conn: &mut sqlx::AnyConnection,
    portal_id: i64,
    staff_id: i64,
    role: Role,
    invited_by: i64,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "INSERT INTO portal_invitations (portal_id, staff_id, role, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (portal_id, staff_id) DO UPDATE SET role = excluded.role, \
         invited_by = excluded.invited_by, created_at = excluded.created_at, expires_at = excluded.expires_at",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(role.as_str())
    .bind(invited_by)
    .bind(t)
    .bind(t + VALID_SECS)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open invitations of one portal (for its agents page).
pub async fn of_portal(db: &Db, portal_id: i64) -> Result<Vec<PortalInvitation>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE i.portal_id = $1 AND i.expires_at > $2 ORDER BY i.created_at DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(now()).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// Open invitations addressed to one account.
pub async fn of_staff(db: &Db, staff_id: i64) -> Result<Vec<PortalInvitation>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE i.staff_id = $1 AND i.expires_at > $2 ORDER BY p.name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(staff_id).bind(now()).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// Removes an invitation (withdrawn or declined); false when there was none.
pub async fn remove(db: &Db, portal_id: i64, staff_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM portal_invitations WHERE portal_id = $1 AND staff_id = $2")
        .bind(portal_id)
        .bind(staff_id)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts an open invitation: the account joins the portal with the role it was offered, and
/// the invitation is spent, in one transaction. False when there is no open invitation.
pub async fn accept(db: &Db, portal_id: i64, staff_id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    // Only while whoever sent it could still send it.
    let sql = format!(
        "DELETE FROM portal_invitations WHERE portal_id = $1 AND staff_id = $2 AND expires_at > $3 \
         AND EXISTS ({SENDER_STILL_MAY}) RETURNING role"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(staff_id)
        .bind(now())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else { return Ok(false) };
    let role: String = row.try_get("role")?;
    let role = Role::parse(&role).unwrap_or(Role::Agent);
    staff::set_role(&mut tx, staff_id, portal_id, role).await?;
    tx.commit().await?;
    Ok(true)
}
