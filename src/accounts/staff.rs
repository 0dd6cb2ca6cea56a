//! Staff accounts (administrators and agents) and their places in portals.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Email;
use super::permissions::{Permission, Role};
use super::portal_invitations;
use crate::auth::sessions::{self, Subject};
use crate::db::{Db, is_unique_violation, now};
use crate::i18n::{Lang, Msg};
use crate::portals::Portal;
use crate::portals::language_of;

#[derive(Clone, Debug)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub is_superadmin: bool,
    pub disabled_at: Option<i64>,
    /// Created by a first Microsoft sign-in and not yet approved by an administrator.
    pub awaiting_approval: bool,
    /// The language they chose on their profile.
    pub language: Option<Lang>,
}

impl Staff {
    /// May sign in: neither disabled nor waiting for approval.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none() && !self.awaiting_approval
    }

    /// Why this account may not sign in, in words for its owner; `None` when it may.
    pub fn refusal(&self) -> Option<Msg> {
        if self.disabled_at.is_some() {
            Some(Msg::new("staff-account-disabled"))
        } else if self.awaiting_approval {
            Some(Msg::new("staff-awaiting-approval"))
        } else {
            None
        }
    }
}

const COLUMNS: &str = "s.id, s.email, s.name, s.password_hash, s.must_change_password, s.is_superadmin, s.disabled_at, s.awaiting_approval, s.language";

fn from_row(row: &AnyRow) -> Result<Staff, sqlx::Error> {
    Ok(Staff {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        is_superadmin: row.try_get::<i64, _>("is_superadmin")? != 0,
        disabled_at: row.try_get("disabled_at")?,
        awaiting_approval: row.try_get::<i64, _>("awaiting_approval")? != 0,
        language: language_of(row, "language")?,
    })
}

pub async fn by_email(db: &Db, email: &Email) -> Result<Option<Staff>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM staff s WHERE s.email_lower = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email.lower()).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Staff>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM staff s WHERE s.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

/// A staff member of one portal, or `None` when they do not work there.
pub async fn in_portal(db: &Db, portal_id: i64, id: i64) -> Result<Option<(Staff, Role)>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS}, sp.role FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
         WHERE sp.portal_id = $1 AND s.id = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(id).fetch_optional(db.pool()).await?;
    row.map(|r| Ok((from_row(&r)?, role_of(&r)?))).transpose()
}

/// A staff member of one portal, found by email.
pub async fn in_portal_by_email(db: &Db, portal_id: i64, email: &Email) -> Result<Option<Staff>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
         WHERE sp.portal_id = $1 AND s.email_lower = $2"
    );
    let row =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(email.lower()).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

fn role_of(row: &AnyRow) -> Result<Role, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Role::parse(&role).ok_or_else(|| sqlx::Error::Protocol(format!("unknown role {role}")))
}

/// The staff of a portal with their roles, by name.
pub async fn list_for_portal(db: &Db, portal_id: i64) -> Result<Vec<(Staff, Role)>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS}, sp.role FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
         WHERE sp.portal_id = $1 ORDER BY s.name, s.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((from_row(r)?, role_of(r)?))).collect()
}

/// The portals a staff member works in, with their role in each.
pub async fn memberships(db: &Db, staff_id: i64) -> Result<Vec<(Portal, Role)>, sqlx::Error> {
    Ok(access(db, staff_id).await?.into_iter().map(|(portal, role, _)| (portal, role)).collect())
}

/// Every portal a staff member works in (by name), with their role and the permissions granted
/// there, in one query; the portals themselves come from this node's copy.
pub async fn access(db: &Db, staff_id: i64) -> Result<Vec<(Portal, Role, Vec<Permission>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT sp.portal_id, sp.role, g.permission FROM staff_portals sp LEFT JOIN staff_permissions g \
         ON g.staff_id = sp.staff_id AND g.portal_id = sp.portal_id WHERE sp.staff_id = $1",
    )
    .bind(staff_id)
    .fetch_all(db.pool())
    .await?;
    let mut by_portal: std::collections::HashMap<i64, (Role, Vec<Permission>)> = Default::default();
    for r in &rows {
        let entry = by_portal.entry(r.try_get("portal_id")?).or_insert((role_of(r)?, Vec::new()));
        if let Some(p) = r.try_get::<Option<String>, _>("permission")?.as_deref().and_then(Permission::parse) {
            entry.1.push(p);
        }
    }
    let snapshot = crate::portals::cache::snapshot(db).await?;
    // The copy lists portals by name, the order menus show them in.
    Ok(snapshot
        .portals()
        .iter()
        .filter_map(|p| by_portal.remove(&p.id).map(|(role, permissions)| (p.clone(), role, permissions)))
        .collect())
}

/// Permissions granted explicitly in a portal (administrators have all of them regardless).
pub async fn granted_permissions(db: &Db, staff_id: i64, portal_id: i64) -> Result<Vec<Permission>, sqlx::Error> {
    let rows = sqlx::query("SELECT permission FROM staff_permissions WHERE staff_id = $1 AND portal_id = $2")
        .bind(staff_id)
        .bind(portal_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("permission").ok())
        .filter_map(|k| Permission::parse(&k))
        .collect())
}

/// The staff of a portal who may do what `permission` allows there: its administrators and
/// the agents granted it, by name, in one query.
pub async fn with_permission(db: &Db, portal_id: i64, permission: Permission) -> Result<Vec<Staff>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
         WHERE sp.portal_id = $1 AND (sp.role = $2 OR EXISTS (SELECT 1 FROM staff_permissions g \
         WHERE g.staff_id = s.id AND g.portal_id = sp.portal_id AND g.permission = $3)) ORDER BY s.name, s.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(Role::Admin.as_str())
        .bind(permission.key())
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// `($1, $2, $3), ($1, $2, $4), ...`: one row per value after two shared leading columns.
fn rows_of_values(count: usize) -> String {
    (0..count).map(|i| format!("($1, $2, ${})", i + 3)).collect::<Vec<_>>().join(", ")
}

/// Grants permissions in a portal, in one statement.
async fn grant(
    conn: &mut AnyConnection,
    staff_id: i64,
    portal_id: i64,
    permissions: &[Permission],
) -> Result<(), sqlx::Error> {
    // A form that names a permission twice grants it once.
    let mut keys: Vec<&str> = permissions.iter().map(|p| p.key()).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO staff_permissions (staff_id, portal_id, permission) VALUES {}",
        rows_of_values(keys.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(staff_id).bind(portal_id);
    for key in keys {
        query = query.bind(key);
    }
    query.execute(conn).await?;
    Ok(())
}

/// Makes a staff member a member of those of `department_ids` that are the portal's own, in one
/// statement.
async fn join_departments(
    conn: &mut AnyConnection,
    staff_id: i64,
    portal_id: i64,
    department_ids: &[i64],
) -> Result<(), sqlx::Error> {
    if department_ids.is_empty() {
        return Ok(());
    }
    let ids = (0..department_ids.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "INSERT INTO department_members (department_id, staff_id) \
         SELECT id, $1 FROM departments WHERE portal_id = $2 AND id IN ({ids})"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(staff_id).bind(portal_id);
    for d in department_ids {
        query = query.bind(*d);
    }
    query.execute(conn).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateStaffError {
    #[error("a staff account with the email {0} already exists")]
    EmailTaken(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct NewStaff<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub must_change_password: bool,
    pub is_superadmin: bool,
}

/// Creates a staff account and places it in a portal with a role and permissions, inside the
/// caller's transaction (so that, say, its invitation is queued with it or not at all).
pub async fn create_in_portal(
    conn: &mut AnyConnection,
    new: NewStaff<'_>,
    portal_id: i64,
    role: Role,
    permissions: &[Permission],
) -> Result<i64, CreateStaffError> {
    let row = sqlx::query(
        "INSERT INTO staff (email, email_lower, name, password_hash, must_change_password, is_superadmin, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.email.as_str())
    .bind(new.email.lower())
    .bind(new.name)
    .bind(new.password_hash.map(str::to_owned))
    .bind(new.must_change_password as i64)
    .bind(new.is_superadmin as i64)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) { CreateStaffError::EmailTaken(new.email.to_string()) } else { e.into() }
    })?;
    let id: i64 = row.try_get("id")?;
    set_role(&mut *conn, id, portal_id, role).await?;
    grant(conn, id, portal_id, permissions).await?;
    Ok(id)
}

/// Places a staff member in a portal (or changes their role there).
pub async fn set_role(conn: &mut AnyConnection, staff_id: i64, portal_id: i64, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO staff_portals (staff_id, portal_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (staff_id, portal_id) DO UPDATE SET role = excluded.role",
    )
    .bind(staff_id)
    .bind(portal_id)
    .bind(role.as_str())
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// What the agent page changes: the account's name (if given), and the role, permissions and
/// departments in one portal.
pub struct PortalChange<'a> {
    pub name: Option<&'a str>,
    pub role: Role,
    pub permissions: &'a [Permission],
    pub department_ids: &'a [i64],
}

/// Applies an agent page's changes atomically. Department ids that are not the portal's own are
/// ignored.
pub async fn update_in_portal(
    db: &Db,
    staff_id: i64,
    portal_id: i64,
    change: PortalChange<'_>,
) -> Result<(), PlaceError> {
    let PortalChange { name, role, permissions, department_ids } = change;
    let mut tx = db.writer().begin().await?;
    if role != Role::Admin {
        ensure_another_admin(db, &mut tx, staff_id, portal_id).await?;
    }
    if let Some(name) = name {
        sqlx::query("UPDATE staff SET name = $1 WHERE id = $2").bind(name).bind(staff_id).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE staff_portals SET role = $1 WHERE staff_id = $2 AND portal_id = $3")
        .bind(role.as_str())
        .bind(staff_id)
        .bind(portal_id)
        .execute(&mut *tx)
        .await?;
    clear_place(&mut tx, staff_id, portal_id).await?;
    grant(&mut tx, staff_id, portal_id, permissions).await?;
    join_departments(&mut tx, staff_id, portal_id, department_ids).await?;
    portal_invitations::withdraw_beyond_senders_power(&mut tx, Some(portal_id)).await?;
    Ok(tx.commit().await?)
}

/// Why someone's place in a portal could not change.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("the portal's last administrator")]
    LastAdministrator,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Refuses a change that would leave a portal without an active administrator: checked under a
/// lock inside the change's own transaction, so two administrators demoting or removing each
/// other at the same moment cannot both succeed.
async fn ensure_another_admin(
    db: &Db,
    tx: &mut AnyConnection,
    staff_id: i64,
    portal_id: i64,
) -> Result<(), PlaceError> {
    db.lock_key(tx, &format!("portal-admins:{portal_id}")).await?;
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM staff_portals WHERE staff_id = $1 AND portal_id = $2 AND role = 'admin') AS is_admin, \
         (SELECT COUNT(*) FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id WHERE sp.portal_id = $2 \
           AND sp.role = 'admin' AND s.disabled_at IS NULL AND s.id <> $1) AS others",
    )
    .bind(staff_id)
    .bind(portal_id)
    .fetch_one(&mut *tx)
    .await?;
    let (is_admin, others): (i64, i64) = (row.try_get("is_admin")?, row.try_get("others")?);
    if is_admin > 0 && others == 0 {
        return Err(PlaceError::LastAdministrator);
    }
    Ok(())
}

/// Clears someone's permissions and department memberships in one portal.
async fn clear_place(conn: &mut AnyConnection, staff_id: i64, portal_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_permissions WHERE staff_id = $1 AND portal_id = $2")
        .bind(staff_id)
        .bind(portal_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM department_members WHERE staff_id = $1 \
         AND department_id IN (SELECT id FROM departments WHERE portal_id = $2)",
    )
    .bind(staff_id)
    .bind(portal_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes a staff member out of one portal, in one transaction: their role, permissions and
/// departments there, the Microsoft links made through it (and the sessions those signed in),
/// and their sessions working in it. The account and its places in other portals stay.
pub async fn remove_from_portal(db: &Db, staff_id: i64, portal_id: i64) -> Result<bool, PlaceError> {
    let mut tx = db.writer().begin().await?;
    ensure_another_admin(db, &mut tx, staff_id, portal_id).await?;
    clear_place(&mut tx, staff_id, portal_id).await?;
    let removed = sqlx::query("DELETE FROM staff_portals WHERE staff_id = $1 AND portal_id = $2")
        .bind(staff_id)
        .bind(portal_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM sso_identities WHERE staff_id = $1 AND portal_id = $2")
        .bind(staff_id)
        .bind(portal_id)
        .execute(&mut *tx)
        .await?;
    sessions::end_signed_in_by(&mut tx, staff_id, portal_id).await?;
    sessions::end_all_in_portal(&mut tx, Subject::Staff(staff_id), portal_id, None).await?;
    portal_invitations::withdraw_beyond_senders_power(&mut tx, Some(portal_id)).await?;
    tx.commit().await?;
    Ok(removed == 1)
}

/// Sets a password (clearing "must change") inside the caller's transaction or connection.
pub async fn set_password(conn: &mut AnyConnection, id: i64, hash: &str, must_change: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash)
        .bind(must_change as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Why an account's status could not change.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("the last active system administrator cannot be disabled")]
    LastSystemAdministrator,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Disables or re-enables an account; disabling also ends all its sessions, in one transaction.
/// The last active system administrator is never disabled, even by two requests at once: the
/// check and the change run under one lock.
pub async fn set_disabled(db: &Db, id: i64, disabled: bool) -> Result<(), StatusError> {
    let mut tx = db.writer().begin().await?;
    if disabled {
        db.lock_key(&mut tx, "staff:superadmin-status").await?;
        let others: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM staff WHERE is_superadmin = 1 AND disabled_at IS NULL AND id <> $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        let is_superadmin: i64 = sqlx::query("SELECT is_superadmin FROM staff WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("is_superadmin"))
            .transpose()?
            .unwrap_or(0);
        if is_superadmin == 1 && others == 0 {
            return Err(StatusError::LastSystemAdministrator);
        }
    }
    sqlx::query("UPDATE staff SET disabled_at = $1 WHERE id = $2")
        .bind(disabled.then(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if disabled {
        sessions::end_all(&mut tx, Subject::Staff(id), None).await?;
        portal_invitations::withdraw_beyond_senders_power(&mut tx, None).await?;
    }
    Ok(tx.commit().await?)
}

/// Renames an account (its owner, from their profile).
pub async fn set_name(db: &Db, id: i64, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET name = $1 WHERE id = $2").bind(name).bind(id).execute(db.writer()).await?;
    Ok(())
}

/// Approves an account that was waiting (created by a first Microsoft sign-in).
pub async fn approve(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET awaiting_approval = 0 WHERE id = $1").bind(id).execute(db.writer()).await?;
    Ok(())
}

/// System administrators who can sign in.
pub async fn active_superadmins(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM staff WHERE is_superadmin = 1 AND disabled_at IS NULL")
        .fetch_one(db.pool())
        .await?
        .try_get("n")
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM staff").fetch_one(db.pool()).await?.try_get("n")
}
