//! Departments of a portal, and which staff belong to them.

use crate::i18n::Msg;
use sqlx::Row;

use crate::db::{Db, is_unique_violation, now};

#[derive(Clone, Debug)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

pub fn parse_name(s: &str) -> Result<String, Msg> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 80 {
        return Err(Msg::new("department-name-length"));
    }
    if s.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("department-name-forbidden-characters"));
    }
    Ok(s.to_string())
}

pub async fn list(db: &Db, portal_id: i64) -> Result<Vec<Department>, sqlx::Error> {
    list_on(&mut *db.pool().acquire().await?, portal_id).await
}

/// The portal's departments as a connection (inside a change being made) sees them.
pub async fn list_on(conn: &mut sqlx::AnyConnection, portal_id: i64) -> Result<Vec<Department>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, (SELECT COUNT(*) FROM department_members m WHERE m.department_id = d.id) AS members \
         FROM departments d WHERE d.portal_id = $1 ORDER BY d.name",
    )
    .bind(portal_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok(Department { id: r.try_get("id")?, name: r.try_get("name")?, members: r.try_get("members")? }))
        .collect()
}

/// Ids of the portal's departments a staff member belongs to.
pub async fn of_staff(db: &Db, portal_id: i64, staff_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT d.id FROM departments d JOIN department_members m ON m.department_id = d.id \
         WHERE d.portal_id = $1 AND m.staff_id = $2 ORDER BY d.id",
    )
    .bind(portal_id)
    .bind(staff_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| r.try_get("id")).collect()
}

/// Creates a department; `Ok(false)` when the portal already has one of that name.
pub async fn create(db: &Db, portal_id: i64, name: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("INSERT INTO departments (portal_id, name, created_at) VALUES ($1, $2, $3)")
        .bind(portal_id)
        .bind(name)
        .bind(now())
        .execute(db.writer())
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// What deleting a department did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deletion {
    Deleted,
    /// Not one of the portal's departments.
    NotFound,
    /// Tickets still belong to it (they must move first).
    HasTickets,
}

/// Deletes one of the portal's departments, unless tickets belong to it.
pub async fn delete(db: &Db, portal_id: i64, id: i64) -> Result<Deletion, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM departments WHERE id = $1 AND portal_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.portal_id = $2 AND t.department_id = $1)",
    )
    .bind(id)
    .bind(portal_id)
    .execute(db.writer())
    .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(Deletion::Deleted),
        // A ticket written between the check and the delete: the foreign key refuses it.
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Ok(Deletion::HasTickets),
        Err(e) => Err(e),
        Ok(_) => {
            let exists = sqlx::query("SELECT 1 AS n FROM departments WHERE id = $1 AND portal_id = $2")
                .bind(id)
                .bind(portal_id)
                .fetch_optional(db.pool())
                .await?;
            Ok(if exists.is_some() { Deletion::HasTickets } else { Deletion::NotFound })
        }
    }
}
